"""Raster coverage engine vs. brute force on a global 30-arc-second grid.

    .venv/bin/python benchmarks/coverage.py [--repeat 3] [--sample-rows 60]

Prints, for one site (a disc), one annulus and a union of 10 sites: the engine's
time per query (best of --repeat; covered cells, then the default grid's people
summed over them, then the per-country breakdown), the brute-force time in the same run (exact
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

import numpy as np

from reachmap.coverage.popgrid import default_grid
from reachmap.coverage.raster import covered_intervals
from reachmap.geo.geodesy import distance_km

ARCSEC = 30.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sample-rows", type=int, default=60)
    args = ap.parse_args()
    d = ARCSEC / 3600.0
    population = default_grid("30s", progress=False)  # built on first use, then cached
    g = population.grid
    assert abs(g.dx_deg - d) < 1e-12 and g.nrows == round(180 / d)
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
    header = (
        f"{'query':34} {'cells ms':>9} {'+people ms':>10} {'+by country':>11} "
        f"{'brute s (extrap.)':>18} {'ratio':>9}  cells equal"
    )
    print(header)
    print("-" * len(header))
    lat_c = g.north_deg - (np.arange(g.nrows) + 0.5) * d
    lon_c = g.west_deg + (np.arange(g.ncols) + 0.5) * d
    for name, sites, lo, hi in queries:
        best = best_sum = best_cty = np.inf
        for _ in range(args.repeat):
            t = time.perf_counter()
            got = covered_intervals(g, sites, min_km=lo, max_km=hi)
            t1 = time.perf_counter()
            population.interval_sums(got.rows, got.starts, got.stops).sum()
            t2 = time.perf_counter()
            population.interval_sums_by_country(got.rows, got.starts, got.stops)
            population.interval_areas_by_country(got.rows, got.starts, got.stops)
            t3 = time.perf_counter()
            best, best_sum, best_cty = (
                min(best, t1 - t),
                min(best_sum, t2 - t1),
                min(best_cty, t3 - t2),
            )
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
        query = best + best_sum  # cells + total people: what "population in reach" costs
        print(
            f"{name:34} {best * 1000:9.1f} {best_sum * 1000:10.1f} {best_cty * 1000:11.1f} "
            f"{brute:18.1f} {brute / query:8.0f}x  {equal}"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of this process): {peak_mb:,.0f} MB")
    print("cells = covered-cell intervals; +people = summing the default 30'' grid over them;")
    print("+by country = population and land area per country; ratio = brute / (cells + people)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
