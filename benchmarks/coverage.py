"""Raster coverage engine vs. brute force on a global 30-arc-second grid.

    .venv/bin/python benchmarks/coverage.py [--repeat 3] [--sample-rows 60]

Prints, for one site (a disc), one annulus and a union of 10 sites: the engine's
time per query (best of --repeat), the brute-force time in the same run (exact
pyproj distance from every site to every cell centre of --sample-rows random rows
covered by the query, extrapolated to all rows the query touches), their ratio, and
whether the engine's cells equal the brute force on the sampled rows. Peak memory
(max RSS) of the process is printed at the end. One core (OPENBLAS/numpy threads
play no part: pyproj is single-threaded).
"""

from __future__ import annotations

import argparse
import platform
import resource
import time
from types import SimpleNamespace

import numpy as np

from reachmap.geodesy import distance_km
from reachmap.raster import covered_intervals

ARCSEC = 30.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sample-rows", type=int, default=60)
    args = ap.parse_args()
    d = ARCSEC / 3600.0
    g = SimpleNamespace(west_deg=-180.0, north_deg=90.0, dx_deg=d, dy_deg=d,
                        nrows=round(180 / d), ncols=round(360 / d))  # fmt: skip
    rng = np.random.default_rng(20261125)
    union = [
        (float(a), float(b))
        for a, b in zip(rng.uniform(-60, 70, 10), rng.uniform(-180, 180, 10), strict=True)
    ]
    queries = [
        ("1 site, disc 0-5,500 km (Minsk)", [(53.90019, 27.56653)], 0.0, 5500.0),
        ("1 site, annulus 500-5,500 km", [(53.90019, 27.56653)], 500.0, 5500.0),
        ("10 sites, union 0-5,500 km", union, 0.0, 5500.0),
    ]
    cells = g.nrows * g.ncols
    print(f"grid: global {ARCSEC:g} arc-second, {g.nrows:,} x {g.ncols:,} = {cells:,} cells")
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    header = f"{'query':34} {'engine ms':>10} {'brute s (extrap.)':>18} {'ratio':>9}  cells equal"
    print(header)
    print("-" * len(header))
    lat_c = g.north_deg - (np.arange(g.nrows) + 0.5) * d
    lon_c = g.west_deg + (np.arange(g.ncols) + 0.5) * d
    for name, sites, lo, hi in queries:
        best = np.inf
        for _ in range(args.repeat):
            t = time.perf_counter()
            got = covered_intervals(g, sites, min_km=lo, max_km=hi)
            best = min(best, time.perf_counter() - t)
        touched = np.unique(got.rows)
        sample = rng.choice(touched, size=min(args.sample_rows, touched.size), replace=False)
        t = time.perf_counter()
        equal = True
        for r in sample:
            hit = np.zeros(g.ncols, dtype=bool)
            for s_lat, s_lon in sites:
                dist = distance_km(
                    lat1=s_lat, lon1=s_lon, lat2=np.full(g.ncols, lat_c[r]), lon2=lon_c
                )
                hit |= (dist >= lo) & (dist <= hi)
            mine = np.zeros(g.ncols, dtype=bool)
            for a, b in zip(got.starts[got.rows == r], got.stops[got.rows == r], strict=True):
                mine[a:b] = True
            equal &= bool((mine == hit).all())
        brute = (time.perf_counter() - t) / sample.size * touched.size
        print(f"{name:34} {best * 1000:10.1f} {brute:18.1f} {brute / best:8.0f}x  {equal}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of this process): {peak_mb:,.0f} MB")
    print("engine = covered-cell intervals only; summing population over them is timed separately")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
