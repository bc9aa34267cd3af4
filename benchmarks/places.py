"""Benchmark: classify all bundled places with ``reach_points``, against a naive exact baseline.

Run from the repository root::

    .venv/bin/python benchmarks/places.py            # 1, 10 and 100 sites, best of 3
    .venv/bin/python benchmarks/places.py --repeat 5 --sites 1,10

For each number of sites it times ``reach_points`` (spherical pre-filter, exact WGS84
distance only near a range limit) and a baseline that takes the exact pyproj distance
(``reachmap.geo.geodesy.distance_km``) for every place and every site, then checks that
both give the same status for every place; it exits with status 1 if they differ.

Sites are a fixed, seeded random set (latitude uniform in [-60, 70], longitude in
[-180, 180]); the 10-site set starts with the 1-site set, and so on. The range is
500-5,500 km. Times are wall-clock (``time.perf_counter``), best of ``--repeat``
runs, after one untimed warm-up call. Loading the places is not timed, and neither
is the per-country area work (``country_reach``) of a full ``reach`` run.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence

import numpy as np
import pyproj

from reachmap.coverage.places import BEYOND, IN_HOLE, REACHED, reach_points
from reachmap.geo.geodesy import distance_km
from reachmap.world.tables import load_places

MIN_KM = 500.0
MAX_KM = 5_500.0
SEED = 20240601
LAT_RANGE = (-60.0, 70.0)
LON_RANGE = (-180.0, 180.0)


def make_sites(n: int, seed: int = SEED) -> list[tuple[float, float]]:
    """Return ``n`` seeded random (lat, lon) sites; a prefix of any larger set."""
    # One (lat, lon) row per draw, so the first k sites do not depend on n.
    u = np.random.default_rng(seed).random((n, 2))
    lat = LAT_RANGE[0] + u[:, 0] * (LAT_RANGE[1] - LAT_RANGE[0])
    lon = LON_RANGE[0] + u[:, 1] * (LON_RANGE[1] - LON_RANGE[0])
    return [(float(a), float(o)) for a, o in zip(lat, lon, strict=True)]


def naive_status(
    lat: np.ndarray, lon: np.ndarray, sites: Sequence[tuple[float, float]]
) -> np.ndarray:
    """Exact distance for every place and every site, no pre-filter (the baseline)."""
    reached = np.zeros(lat.size, dtype=bool)
    too_close = np.zeros(lat.size, dtype=bool)
    for s_lat, s_lon in sites:
        d = distance_km(lat1=s_lat, lon1=s_lon, lat2=lat, lon2=lon)
        reached |= (d >= MIN_KM) & (d <= MAX_KM)
        too_close |= d < MIN_KM
    return np.where(reached, REACHED, np.where(too_close, IN_HOLE, BEYOND))


def best_time(fn: Callable[[], np.ndarray], repeat: int) -> tuple[float, np.ndarray]:
    """Best wall time of ``repeat`` calls (after one warm-up), and the last result."""
    result = fn()  # warm-up: caches, pyproj/numpy first-call costs
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def parse_sites(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected e.g. 1,10,100, got {text!r}") from None
    if not counts or any(c < 1 for c in counts):
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return counts


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer of 1 or more, got {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="places/s of reach_points over all bundled places, vs a naive exact baseline"
    )
    parser.add_argument("--repeat", type=positive_int, default=3, help="best of N (default 3)")
    parser.add_argument(
        "--sites", type=parse_sites, default=[1, 10, 100], help="site counts (default 1,10,100)"
    )
    args = parser.parse_args(argv)

    places = load_places()
    lat, lon = places.lat, places.lon
    n = len(places)
    all_sites = make_sites(max(args.sites))

    print(f"platform: {platform.platform()} ({platform.machine()})")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"pyproj {pyproj.__version__}, cpu count {os.cpu_count()}"
    )
    print(
        f"places: {n:,} (all bundled); range {MIN_KM:,.0f}-{MAX_KM:,.0f} km; sites: seed {SEED}, "
        f"lat uniform in [{LAT_RANGE[0]:g}, {LAT_RANGE[1]:g}], "
        f"lon in [{LON_RANGE[0]:g}, {LON_RANGE[1]:g}]"
    )
    print(f"wall time: time.perf_counter, best of {args.repeat} after 1 warm-up")
    print(
        "not included: loading the places, and the per-country area work "
        "(country_reach) of a full `reach` run"
    )
    print()

    header = (
        f"{'sites':>5}  {'method':<12}  {'best s':>8}  {'places/s':>12}  "
        f"{'pairs/s':>12}  {'speed-up':>8}  {'reached':>8}  {'in hole':>8}  {'beyond':>8}"
    )
    print(header)
    print("-" * len(header))
    mismatches = 0
    for k in args.sites:
        sites = all_sites[:k]

        def fast(sites: list[tuple[float, float]] = sites) -> np.ndarray:
            return reach_points(lat=lat, lon=lon, sites=sites, min_km=MIN_KM, max_km=MAX_KM).status

        def naive(sites: list[tuple[float, float]] = sites) -> np.ndarray:
            return naive_status(lat, lon, sites)

        t_fast, s_fast = best_time(fast, args.repeat)
        t_naive, s_naive = best_time(naive, args.repeat)
        differ = int(np.count_nonzero(s_fast != s_naive))
        mismatches += differ
        for name, t, status, ratio in (
            ("reach_points", t_fast, s_fast, f"{t_naive / t_fast:.1f}x"),
            ("naive exact", t_naive, s_naive, "1.0x"),
        ):
            print(
                f"{k:>5}  {name:<12}  {t:>8.4f}  {n / t:>12,.0f}  {n * k / t:>12,.0f}  "
                f"{ratio:>8}  {np.count_nonzero(status == REACHED):>8,}  "
                f"{np.count_nonzero(status == IN_HOLE):>8,}  "
                f"{np.count_nonzero(status == BEYOND):>8,}"
            )
        if differ:
            print(f"{'':>5}  MISMATCH: {differ:,} of {n:,} places differ in status")
    print()
    print("places/s = places classified per second of wall time for the whole multi-site query;")
    print("pairs/s = place-site pairs per second; speed-up = naive time / reach_points time.")
    if mismatches:
        print(f"FAIL: reach_points and the naive exact method disagree on {mismatches:,} statuses")
        return 1
    print("OK: reach_points and the naive exact method give identical statuses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
