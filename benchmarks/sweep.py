"""Benchmark: the same sweep on a Dask LocalCluster of 1 and of 2 worker processes.

Run from the repository root::

    .venv/bin/python benchmarks/sweep.py                 # 8 scenarios, 100 draws each
    .venv/bin/python benchmarks/sweep.py --draws 200 --population default

The sweep is 2 maximum-range intervals x 2 sites x 2 site radii = 8 scenarios of
Monte Carlo reach on the bundled population grid (2.5' by default). For each worker
count it starts a ``LocalCluster`` (one thread per worker process, as
:func:`reachmap.batch.local_cluster` starts them for ``reachmap sweep --workers``),
warms every worker up (imports, places, the population grid: not timed), then times
the sweep, wall
clock (``time.perf_counter``), best of ``--repeat``. The results of every run must
equal the serial results (computed first, in this process, and timed as a reference);
the script exits with status 1 if they differ. It prints each time and the speedup of
2 workers over 1.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time

from distributed import Client

from reachmap.analysis.sweep import SweepSpec, run_serial
from reachmap.batch import local_cluster, run_on_dask


def spec(draws: int, population: str) -> SweepSpec:
    return SweepSpec.model_validate(
        {
            "title": "benchmark",
            "on": "2026-11-25",
            "draws": draws,
            "seed": 7,
            "grid": {
                "ranges": ["up to 5,500 km"],
                "max_ranges": ["4,500-5,500 km", "1,000-2,000 km"],
                "sites": ["Minsk", "Kaliningrad"],
                "site_km": [10.0, 50.0],
                "populations": [population],
                "regions": ["europe", "nato"],
            },
        }
    )


def warm(population: str) -> None:
    """Load what every scenario needs, so that the timed run measures the sweep."""
    from reachmap.analysis.sweep import _population
    from reachmap.world.tables import load_countries, load_places

    load_places()
    load_countries()
    _population(population)


def same(a: list[dict], b: list[dict]) -> bool:
    def eq(x: object, y: object) -> bool:
        return x == y or (
            isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y)
        )

    return len(a) == len(b) and all(eq(r[k], s[k]) for r, s in zip(a, b, strict=True) for k in r)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=100)
    ap.add_argument("--population", default="default-2.5m")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    sw = spec(args.draws, args.population)
    n = len(sw.scenarios())
    print(
        f"reachmap sweep benchmark: {n} scenarios x {args.draws} draws, population "
        f"{args.population}; Python {platform.python_version()}, {os.cpu_count()} CPUs"
    )

    warm(args.population)
    t0 = time.perf_counter()
    reference = run_serial(sw)
    serial = time.perf_counter() - t0
    print(f"serial (this process, reference)  {serial:7.2f} s")

    times: dict[int, float] = {}
    ok = True
    for workers in (1, 2):
        with local_cluster(workers) as cluster, Client(cluster) as client:
            client.run(warm, args.population)
            best = math.inf
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                rows = run_on_dask(sw, client)
                best = min(best, time.perf_counter() - t0)
                ok &= same(rows, reference)
        times[workers] = best
        print(f"LocalCluster, {workers} worker process{'es' if workers > 1 else ''}   "
              f"{best:7.2f} s   (best of {args.repeat})")  # fmt: skip
    print(f"speedup, 2 workers over 1: {times[1] / times[2]:.2f}x")
    print("results equal the serial run: " + ("yes" if ok else "NO"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
