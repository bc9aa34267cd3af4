"""The raster engine against brute force, cell for cell.

Oracle: the distance from each site to every cell centre (pyproj, itself checked
against geographiclib in ``test_geodesy.py``), and the rule
``min_km <= d <= max_km`` for some site. On the 2.5′ global grid (37 million
cells) the oracle first sorts cells with a spherical distance and computes the
exact one for every cell within 1% + 1 km of a range limit; that the sphere stays
within that bound is tested in ``test_coverage.py``.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reachmap.coverage.raster import covered_intervals, disc_row_bounds
from reachmap.errors import InputError
from reachmap.geo.geodesy import distance_km

from .conftest import latitudes, longitudes


def grid(arcmin: float, west: float = -180.0, north: float = 90.0, nrows=None, ncols=None):
    d = arcmin / 60.0
    return SimpleNamespace(
        west_deg=west, north_deg=north, dx_deg=d, dy_deg=d,
        nrows=nrows or round(180 / d), ncols=ncols or round(360 / d),
    )  # fmt: skip


def centres(g) -> tuple[np.ndarray, np.ndarray]:
    lat = g.north_deg - (np.arange(g.nrows) + 0.5) * g.dy_deg
    lon = g.west_deg + (np.arange(g.ncols) + 0.5) * g.dx_deg
    return lat, lon


def exact_oracle(g, sites, lo, hi) -> np.ndarray:
    lat, lon = centres(g)
    la, lo_ = np.meshgrid(lat, lon, indexing="ij")
    hit = np.zeros(la.shape, dtype=bool)
    for s_lat, s_lon in sites:
        d = distance_km(lat1=s_lat, lon1=s_lon, lat2=la, lon2=lo_)
        hit |= (d >= lo) & (d <= hi)
    return hit


def banded_oracle(g, sites, lo, hi) -> np.ndarray:
    """Every cell: spherical distance, exact where within 1% + 1 km of a limit."""
    lat, lon = centres(g)
    p2 = np.radians(lat)[:, None]
    hit = np.zeros((g.nrows, g.ncols), dtype=bool)
    for s_lat, s_lon in sites:
        p1 = np.radians(s_lat)
        dl = np.radians(lon - s_lon)[None, :]
        h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
        approx = 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
        slack = 0.01 * approx + 1.0
        near = np.abs(approx - hi) <= slack
        if lo > 0:
            near |= np.abs(approx - lo) <= slack
        d = approx
        r, c = np.nonzero(near)
        d[r, c] = distance_km(lat1=s_lat, lon1=s_lon, lat2=lat[r], lon2=lon[c])
        hit |= (d >= lo) & (d <= hi)
    return hit


def check(g, sites, lo, hi, oracle) -> None:
    got = covered_intervals(g, sites, min_km=lo, max_km=hi)
    assert got.fallback_rows == 0
    want = oracle(g, sites, lo, hi)
    mask = got.mask(g.nrows, g.ncols)
    bad = np.argwhere(mask != want)
    assert bad.size == 0, f"{len(bad)} cells differ, first {bad[:5].tolist()}"
    assert got.cell_count == int(want.sum())


@given(
    sites=st.lists(st.tuples(latitudes, longitudes), min_size=1, max_size=4),
    lo=st.one_of(st.just(0.0), st.floats(1.0, 15_000.0)),
    width=st.floats(1.0, 20_000.0),
)
def test_one_degree_grid_equals_exact_brute_force(sites, lo, width) -> None:
    check(grid(60.0), sites, lo, min(lo + width, 20_040.0), exact_oracle)


@pytest.mark.parametrize(
    ("g", "sites", "lo", "hi"),
    [
        (grid(30.0), [(90.0, 0.0)], 0.0, 1500.0),
        (grid(30.0), [(-90.0, 10.0)], 300.0, 19_990.0),
        (grid(30.0), [(0.0, 180.0)], 0.0, 19_999.0),
        (grid(30.0), [(0.0, 0.0)], 19_960.0, 20_003.0),
        (grid(30.0), [(45.0, -179.9)], 500.0, 5500.0),
        (grid(30.0), [(0.0, 0.0)], 0.0, 10_001.965729312724),  # through both poles
        # a regional grid (a GeoTIFF window) that the disc crosses at the antimeridian
        (grid(15.0, west=150.0, north=10.0, nrows=120, ncols=240), [(-17.7, 178.0)], 0.0, 2000.0),
    ],
    ids=["north-pole", "south-pole-annulus", "antimeridian-near-antipodal", "cut-locus-annulus",
         "antimeridian-annulus", "quarter-meridian", "regional-window"],
)  # fmt: skip
def test_half_degree_edge_cases_equal_exact_brute_force(g, sites, lo, hi) -> None:
    check(g, sites, lo, hi, exact_oracle)


def _queries(n: int, seed: int):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        kind = i % 3
        k = 1 if kind < 2 else int(rng.integers(2, 11))
        lat = np.degrees(np.arcsin(rng.uniform(-1, 1, k)))
        lon = rng.uniform(-180, 180, k)
        if i % 10 == 0:
            lat[0] = rng.choice([90.0, -90.0, 89.9, -88.5])
        if i % 10 == 1:
            lon[0] = rng.choice([180.0, -180.0, 179.95, -179.99])
        hi = float(rng.choice([rng.uniform(10, 3000), rng.uniform(3000, 15000),
                               rng.uniform(19_000, 19_999)]))  # fmt: skip
        lo = float(rng.uniform(0, hi * 0.9)) if kind == 1 else 0.0
        out.append(
            pytest.param(
                [*zip(lat.tolist(), lon.tolist(), strict=True)],
                lo,
                hi,
                id=f"q{i}-{['disc', 'annulus', 'union'][kind]}-{k}",
            )
        )
    return out


@pytest.mark.parametrize(("sites", "lo", "hi"), _queries(50, 2026))
def test_two_and_a_half_minute_grid_equals_brute_force(sites, lo, hi) -> None:
    check(grid(2.5), sites, lo, hi, banded_oracle)


def test_disc_row_bounds_are_symmetric_about_the_site() -> None:
    g = grid(60.0)
    first, last, _ = disc_row_bounds(g, lat=10.0, lon=0.0, radius_km=1000.0)
    rows = last >= first
    # site on a cell edge (lon 0 = column 180's west edge): the interval is symmetric
    assert ((first[rows] + last[rows]) == 2 * 180 - 1).all()


def test_bad_inputs() -> None:
    with pytest.raises(InputError, match="site"):
        covered_intervals(grid(60.0), [], min_km=0, max_km=10)
    with pytest.raises(InputError, match="min_km"):
        covered_intervals(grid(60.0), [(0, 0)], min_km=20, max_km=10)
    with pytest.raises(InputError, match="divides 360"):
        covered_intervals(grid(7.0), [(0, 0)], min_km=0, max_km=10)
