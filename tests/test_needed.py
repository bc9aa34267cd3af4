"""The range a claim needs, against brute force over every region cell.

Oracles, independent of :mod:`reachmap.analysis.needed` and of :mod:`reachmap.geo.geodesy`:

* distances: ``pyproj.Geod(ellps="WGS84").inv`` called here, from every site to every
  region cell centre (and GeographicLib's ``Geodesic.WGS84`` for capitals);
* territory: the largest of the cells' nearest-site distances;
* people: the cells sorted by that distance, their people accumulated; the answer is
  the first distance where the sum reaches ``q`` × the region's people less the slack
  of 1e-12 × the region's people that the module docstring states;
* hole: the cells strictly nearer than the minimum range to some site;
* cell areas: the cell's boundary (parallels densified) measured by pyproj's
  ``Geod.polygon_area_perimeter``.

Tolerances: 1e-9 km (1 µm) where the module and the oracle evaluate the same
Karney geodesic through pyproj (differences are rounding); 1e-6 km (1 mm, the
DESIGN bar against GeographicLib) for capitals.
"""

from __future__ import annotations

import itertools
import math
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Geod

from reachmap.analysis import needed
from reachmap.analysis.needed import (
    HoleContents,
    RangeNeeded,
    capitals_needed,
    range_needed,
)
from reachmap.coverage.cells import intersect_intervals
from reachmap.coverage.geotiff import DenseRaster
from reachmap.coverage.grid import CountryRuns, LatLonGrid
from reachmap.coverage.raster import RowIntervals
from reachmap.errors import InputError

from .conftest import latitudes, longitudes

GEOD = Geod(ellps="WGS84")
KM_SAME_ALGORITHM = 1e-9  # km: module and oracle both call pyproj's geod_inverse
KM_GEOGRAPHICLIB = 1e-6  # km: DESIGN.md, "distances agree with GeographicLib to < 1 mm"
SHARE_SLACK = 1e-12  # the module docstring: a share short by 1e-12 of q counts as reached

KRYCHAW = (53.7196, 31.7144)
#: Capitals of the GeoNames countries on continent EU, as GeoNames places them (degrees).
EUROPEAN_CAPITALS = [
    ("Andorra la Vella", 42.50779, 1.52109), ("Tirana", 41.3275, 19.81889),
    ("Vienna", 48.20849, 16.37208), ("Mariehamn", 60.09726, 19.93481),
    ("Sarajevo", 43.84864, 18.35644), ("Brussels", 50.85045, 4.34878),
    ("Sofia", 42.69751, 23.32415), ("Minsk", 53.9, 27.56667),
    ("Bern", 46.94809, 7.44744), ("Nicosia", 35.17531, 33.3642),
    ("Prague", 50.08804, 14.42076), ("Berlin", 52.52437, 13.41053),
    ("Copenhagen", 55.67594, 12.56553), ("Tallinn", 59.43696, 24.75353),
    ("Madrid", 40.4165, -3.70256), ("Helsinki", 60.16952, 24.93545),
    ("Tórshavn", 62.00973, -6.77164), ("Paris", 48.85341, 2.3488),
    ("London", 51.50853, -0.12574), ("Saint Peter Port", 49.45981, -2.53527),
    ("Athens", 37.98376, 23.72784), ("Zagreb", 45.81444, 15.97798),
    ("Budapest", 47.49835, 19.04045), ("Dublin", 53.33306, -6.24889),
    ("Douglas", 54.15, -4.48333), ("Reykjavík", 64.13548, -21.89541),
    ("Rome", 41.89193, 12.51133), ("Saint Helier", 49.18804, -2.10491),
    ("Vaduz", 47.14151, 9.52154), ("Vilnius", 54.68916, 25.2798),
    ("Luxembourg", 49.61167, 6.13), ("Riga", 56.946, 24.10589),
    ("Monaco", 43.73333, 7.41667), ("Chişinău", 47.00556, 28.8575),
    ("Podgorica", 42.44111, 19.26361), ("Skopje", 41.99646, 21.43141),
    ("Valletta", 35.89968, 14.5148), ("Amsterdam", 52.37403, 4.88969),
    ("Oslo", 59.91273, 10.74609), ("Warsaw", 52.22977, 21.01178),
    ("Lisbon", 38.72509, -9.1498), ("Bucharest", 44.43225, 26.10626),
    ("Belgrade", 44.80401, 20.46513), ("Moscow", 55.75222, 37.61556),
    ("Stockholm", 59.32938, 18.06871), ("Ljubljana", 46.05108, 14.50513),
    ("Bratislava", 48.14816, 17.10674), ("San Marino", 43.93667, 12.44639),
    ("Kyiv", 50.45466, 30.5238), ("Vatican City", 41.90236, 12.45332),
    ("Pristina", 42.67272, 21.16688),
]  # fmt: skip
#: Krychaw to Lisbon, km: geographiclib 2.1 ``Geodesic.WGS84.Inverse``, computed once by hand.
KRYCHAW_LISBON_KM = 3500.40713


# --------------------------------------------------------------------------- helpers


def mask_to_intervals(mask: np.ndarray) -> RowIntervals:
    """Runs of True cells along each row, as a reference conversion (loops, no tricks)."""
    rows, starts, stops = [], [], []
    for r, line in enumerate(mask):
        c = 0
        while c < line.size:
            if line[c]:
                s = c
                while c < line.size and line[c]:
                    c += 1
                rows.append(r), starts.append(s), stops.append(c)
            else:
                c += 1
    return RowIntervals(
        np.array(rows, np.int64), np.array(starts, np.int64), np.array(stops, np.int64)
    )


def no_countries(grid: LatLonGrid) -> CountryRuns:
    none = np.zeros(0, dtype=np.int32)
    return CountryRuns(grid.ncols, none, none, none, np.zeros(0, dtype=np.int16))


def centres(grid: LatLonGrid, rows: np.ndarray, cols: np.ndarray):
    return grid.north_deg - (rows + 0.5) * grid.dy_deg, grid.west_deg + (cols + 0.5) * grid.dx_deg


def nearest_km(grid, rows, cols, sites) -> np.ndarray:
    lat, lon = centres(grid, rows.astype(float), cols.astype(float))
    d = [
        GEOD.inv(np.full(lat.size, s_lon), np.full(lat.size, s_lat), lon, lat)[2]
        for s_lat, s_lon in sites
    ]
    return np.min(np.array(d), axis=0) / 1000.0


def oracle(values: np.ndarray, grid: LatLonGrid, mask: np.ndarray, sites, q: float, min_km: float):
    """Territory, people range and hole by brute force over every region cell."""
    rows, cols = np.nonzero(mask)
    d = nearest_km(grid, rows, cols, sites)
    people = values[rows, cols]
    out = {"territory": float(d.max()) if d.size else None, "d": d, "rows": rows, "cols": cols}
    total = people.sum()
    out["people"] = None
    if total > 0:
        order = np.argsort(d, kind="stable")
        cum = np.cumsum(people[order])
        k = np.flatnonzero(cum >= q * total - SHARE_SLACK * total)[0]
        out["people"] = float(d[order][k])
    hole = d < min_km
    out["hole_cells"] = int(hole.sum())
    out["hole_people"] = float(people[hole].sum())
    out["hole_rows"] = rows[hole]
    return out


def cell_area_km2(grid: LatLonGrid, row: int) -> float:
    """Area of one cell of a row, from its boundary densified along the parallels."""
    north = grid.north_deg - row * grid.dy_deg
    south = north - grid.dy_deg
    lon = np.linspace(0.0, grid.dx_deg, 2001)
    lons = np.concatenate([lon, lon[::-1]])
    lats = np.concatenate([np.full(lon.size, south), np.full(lon.size, north)])
    area, _ = GEOD.polygon_area_perimeter(lons, lats)
    return abs(area) / 1e6


def check_against_oracle(res: RangeNeeded, o: dict, grid: LatLonGrid, sites) -> None:
    if o["territory"] is None:
        assert res.territory_km is None and res.territory_at is None
    else:
        assert res.territory_km == pytest.approx(o["territory"], abs=KM_SAME_ALGORITHM)
        lat, lon = res.territory_at
        r, c = grid.cell_of(lat=np.array([lat]), lon=np.array([lon]))
        at = nearest_km(grid, r, c, sites)[0]
        assert at == pytest.approx(o["territory"], abs=KM_SAME_ALGORITHM)
    if o["people"] is None:
        assert res.people_km is None
    else:
        assert res.people_km == pytest.approx(o["people"], abs=KM_SAME_ALGORITHM)


def random_raster(grid: LatLonGrid, seed: int) -> tuple[DenseRaster, np.ndarray]:
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 40, size=grid.shape).astype(np.float64)
    values[rng.random(grid.shape) < 0.3] = 0.0  # empty cells too
    return DenseRaster(grid, values, "synthetic integers", no_countries(grid)), values


GRID_1DEG = LatLonGrid.global_grid(3600)


# --------------------------------------------------------------------------- intervals


masks = st.integers(1, 5).flatmap(
    lambda nr: st.integers(1, 12).flatmap(
        lambda nc: st.tuples(
            st.lists(st.booleans(), min_size=nr * nc, max_size=nr * nc),
            st.lists(st.booleans(), min_size=nr * nc, max_size=nr * nc),
            st.just((nr, nc)),
        )
    )
)


def split_and_shuffle(iv: RowIntervals, rng: np.random.Generator) -> RowIntervals:
    """The same cells as single-cell or split pieces, in a random order (unnormalised)."""
    rows = []
    for r, a, b in zip(iv.rows, iv.starts, iv.stops, strict=True):
        cuts = sorted({int(a), int(b), *rng.integers(a, b + 1, size=2).tolist()})
        for s, t in itertools.pairwise(cuts):
            rows.append((r, s, t))
    if rows:
        rows = [rows[i] for i in rng.permutation(len(rows))]
        rows.append(rows[0])  # a duplicate too
    arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
    return RowIntervals(arr[:, 0], arr[:, 1], arr[:, 2])


@given(masks, st.integers(0, 2**31))
def test_intersect_intervals_matches_masks(drawn, seed) -> None:
    a_list, b_list, (nr, nc) = drawn
    ma = np.array(a_list).reshape(nr, nc)
    mb = np.array(b_list).reshape(nr, nc)
    rng = np.random.default_rng(seed)
    a = split_and_shuffle(mask_to_intervals(ma), rng)
    b = split_and_shuffle(mask_to_intervals(mb), rng)
    got = intersect_intervals(a, b)
    assert np.array_equal(got.mask(nr, nc), ma & mb)
    # sorted by row then start, merged: no two intervals of a row overlap or touch
    assert np.all(got.stops > got.starts)
    same_row = got.rows[1:] == got.rows[:-1]
    assert np.all((got.rows[1:] > got.rows[:-1]) | (same_row & (got.starts[1:] > got.stops[:-1])))
    diff = needed._difference(a, b)
    assert np.array_equal(diff.mask(nr, nc), ma & ~mb)


def test_intersect_intervals_of_nothing() -> None:
    empty = RowIntervals(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
    full = RowIntervals(np.array([0, 1]), np.array([0, 0]), np.array([4, 4]))
    assert intersect_intervals(empty, full).cell_count == 0
    assert intersect_intervals(full, empty).cell_count == 0
    assert intersect_intervals(full, full).cell_count == 8


# --------------------------------------------------------------------------- capitals


def test_capitals_from_krychaw_lisbon_decides() -> None:
    geographiclib = pytest.importorskip("geographiclib.geodesic")
    wgs = geographiclib.Geodesic.WGS84
    expected = max(
        (wgs.Inverse(*KRYCHAW, lat, lon)["s12"] / 1000.0, name)
        for name, lat, lon in EUROPEAN_CAPITALS
    )
    assert expected[1] == "Lisbon"
    assert expected[0] == pytest.approx(KRYCHAW_LISBON_KM, abs=1e-5)  # the literal's 5 decimals
    km, name, site = capitals_needed([KRYCHAW], ["Krychaw"], EUROPEAN_CAPITALS)
    assert (name, site) == ("Lisbon", "Krychaw")
    assert km == pytest.approx(expected[0], abs=KM_GEOGRAPHICLIB)


def test_capitals_two_sites_nearest_site_is_named() -> None:
    geographiclib = pytest.importorskip("geographiclib.geodesic")
    wgs = geographiclib.Geodesic.WGS84
    sites = [KRYCHAW, (54.71, 20.51)]  # Krychaw and Kaliningrad
    labels = ["Krychaw", "Kaliningrad"]
    best = []
    for name, lat, lon in EUROPEAN_CAPITALS:
        d = [wgs.Inverse(s_lat, s_lon, lat, lon)["s12"] / 1000.0 for s_lat, s_lon in sites]
        best.append((min(d), name, labels[int(np.argmin(d))]))
    km, name, site = capitals_needed(sites, labels, EUROPEAN_CAPITALS)
    exp = max(best)
    assert (name, site) == (exp[1], exp[2]) == ("Lisbon", "Kaliningrad")
    assert km == pytest.approx(exp[0], abs=KM_GEOGRAPHICLIB)
    res = range_needed(
        raster=random_raster(GRID_1DEG, 1)[0], sites=sites, site_labels=labels,
        region_cells=RowIntervals(np.array([35]), np.array([200]), np.array([205])),
        capitals=EUROPEAN_CAPITALS, min_km=600.0,
    )  # fmt: skip
    assert (res.capital, res.capital_site) == ("Lisbon", "Kaliningrad")
    assert res.capitals_km == pytest.approx(exp[0], abs=KM_GEOGRAPHICLIB)
    inside = sorted((d, n) for d, n, _ in best if d < 600.0)
    assert [n for n, _ in res.hole.capitals] == [n for _, n in inside]
    assert [k for _, k in res.hole.capitals] == pytest.approx([d for d, _ in inside], abs=1e-6)
    assert {n for _, n in inside} >= {"Vilnius", "Minsk", "Riga"}


# --------------------------------------------------------------------------- the grid


def rectangle(grid: LatLonGrid, rows: range, cols: range) -> np.ndarray:
    mask = np.zeros(grid.shape, dtype=bool)
    for r in rows:
        for c in cols:
            mask[r, c % grid.ncols] = True
    return mask


@pytest.mark.parametrize("budget", [250_000, 7, 1])
@pytest.mark.parametrize(
    ("sites", "region"),
    [
        pytest.param([KRYCHAW], (range(20, 55), range(160, 230)), id="one-site-europe"),
        pytest.param([KRYCHAW, (40.0, -3.0)], (range(20, 55), range(160, 230)), id="two-sites"),
        pytest.param([(10.0, 5.3)], (range(70, 90), range(-12, 12)), id="opposite-meridian"),
        pytest.param([(89.9, 40.0), (-60.0, -170.0)], (range(30), range(360)), id="polar-rows"),
        # sites on the end cells of a row of three: the middle cell alone decides
        pytest.param([(53.5, 20.5), (53.5, 22.5)], (range(36, 37), range(200, 203)), id="middle"),
        pytest.param(
            [(0.0, 179.9), (5.0, -179.5)], (range(80, 100), range(170, 190)), id="antimeridian"
        ),
    ],
)  # fmt: skip
def test_territory_and_people_match_brute_force(sites, region, budget) -> None:
    raster, values = random_raster(GRID_1DEG, 3)
    mask = rectangle(GRID_1DEG, *region)
    labels = [f"s{i}" for i in range(len(sites))]
    with mock.patch.object(needed, "_EXACT_CELLS", budget):
        for q in (0.99, 0.5, 1.0):
            res = range_needed(
                raster=raster, sites=sites, site_labels=labels,
                region_cells=mask_to_intervals(mask), people_share=q,
            )  # fmt: skip
            o = oracle(values, GRID_1DEG, mask, sites, q, 0.0)
            check_against_oracle(res, o, GRID_1DEG, sites)
            assert res.hole is None and res.people_share == q


def test_the_opposite_meridian_cell_decides_inside_an_interval() -> None:
    """One site; its farthest region cell is mid-interval, next to its opposite meridian."""
    raster, values = random_raster(GRID_1DEG, 4)
    mask = rectangle(GRID_1DEG, range(85, 86), range(180, 192))
    site = [(10.0, -174.3)]  # opposite meridian 5.7° E: column 185's centre is 5.5° E
    o = oracle(values, GRID_1DEG, mask, site, 0.99, 0.0)
    k = int(np.argmax(o["d"]))
    assert 180 < o["cols"][k] < 191  # not an end of the interval
    res = range_needed(
        raster=raster, sites=site, site_labels=["a"], region_cells=mask_to_intervals(mask)
    )
    check_against_oracle(res, o, GRID_1DEG, site)


@pytest.mark.parametrize("steps", [0, 1, 2, 64])
def test_forced_fallback_after_the_last_step_is_still_exact(steps) -> None:
    """Two sites at the ends of a band: its farthest ground is mid-band, at no interval end."""
    raster, values = random_raster(GRID_1DEG, 5)
    mask = rectangle(GRID_1DEG, range(30, 50), range(180, 221))  # 40-60° N, 0-41° E
    sites = [(50.0, 0.5), (50.0, 40.5)]
    o = oracle(values, GRID_1DEG, mask, sites, 0.99, 0.0)
    k = int(np.argmax(o["d"]))
    assert 185 < o["cols"][k] < 215
    with (
        mock.patch.object(needed, "_EXACT_CELLS", 1),
        mock.patch.object(needed, "_MAX_STEPS", steps),
    ):
        res = range_needed(
            raster=raster, sites=sites, site_labels=["W", "E"], region_cells=mask_to_intervals(mask)
        )
    check_against_oracle(res, o, GRID_1DEG, sites)


def test_people_range_zero_when_a_site_sits_on_the_crowded_cell() -> None:
    """A cell at distance 0 counts: the range that reaches its people is 0 km."""
    grid = GRID_1DEG
    values = np.ones(grid.shape)
    values[36, 201] = 1000.0
    raster = DenseRaster(grid, values, "one crowded cell", no_countries(grid))
    lat, lon = centres(grid, np.array([36.0]), np.array([201.0]))
    res = range_needed(
        raster=raster, sites=[(float(lat[0]), float(lon[0]))], site_labels=["c"],
        region_cells=RowIntervals(np.array([36]), np.array([200]), np.array([203])),
    )  # fmt: skip
    assert res.people_km == 0.0 and res.territory_km > 0.0


def test_window_grid_and_hole_match_brute_force() -> None:
    """A raster that is a window of the globe (half-degree cells over Europe), with a hole."""
    grid = LatLonGrid(west_deg=-25.0, north_deg=72.0, dx_deg=0.5, dy_deg=0.5, nrows=76, ncols=140)
    raster, values = random_raster(grid, 6)
    mask = np.zeros(grid.shape, dtype=bool)
    lat, lon = np.meshgrid(grid.lat_centers(), grid.lon_centers(), indexing="ij")
    mask[((lat - 52) / 12) ** 2 + ((lon - 15) / 25) ** 2 < 1] = True  # an ellipse of cells
    sites = [KRYCHAW, (48.0, 2.0)]
    for budget in (250_000, 50):
        with mock.patch.object(needed, "_EXACT_CELLS", budget):
            res = range_needed(
                raster=raster, sites=sites, site_labels=["K", "P"],
                region_cells=mask_to_intervals(mask), min_km=700.0,
            )  # fmt: skip
        o = oracle(values, grid, mask, sites, 0.99, 700.0)
        check_against_oracle(res, o, grid, sites)
        assert res.hole.cells == o["hole_cells"] > 0
        assert res.hole.people == o["hole_people"]
        row_area = {int(r): cell_area_km2(grid, int(r)) for r in np.unique(o["hole_rows"])}
        area = sum(row_area[int(r)] for r in o["hole_rows"])
        assert res.hole.area_km2 == pytest.approx(area, rel=1e-9)


def test_region_entirely_within_the_hole() -> None:
    raster, values = random_raster(GRID_1DEG, 8)
    mask = rectangle(GRID_1DEG, range(34, 38), range(209, 214))  # 52-56° N, 29-34° E
    caps = [("Minsk", 53.9, 27.56667), ("Lisbon", 38.72509, -9.1498), ("Kyiv", 50.45466, 30.5238)]
    res = range_needed(
        raster=raster, sites=[KRYCHAW], site_labels=["Krychaw"],
        region_cells=mask_to_intervals(mask), capitals=caps, min_km=1000.0,
    )  # fmt: skip
    o = oracle(values, GRID_1DEG, mask, [KRYCHAW], 0.99, 1000.0)
    assert o["territory"] < 1000.0
    assert isinstance(res.hole, HoleContents) and res.hole.min_km == 1000.0
    assert res.hole.cells == int(mask.sum()) == 20
    assert res.hole.people == values[mask].sum()
    rows = np.nonzero(mask)[0]
    assert res.hole.area_km2 == pytest.approx(
        sum(cell_area_km2(GRID_1DEG, int(r)) for r in rows), rel=1e-9
    )
    d = {n: GEOD.inv(KRYCHAW[1], KRYCHAW[0], lon, lat)[2] / 1000.0 for n, lat, lon in caps}
    assert [n for n, _ in res.hole.capitals] == sorted(("Minsk", "Kyiv"), key=d.get)
    assert [k for _, k in res.hole.capitals] == pytest.approx(
        sorted([d["Minsk"], d["Kyiv"]]), abs=1e-9
    )
    check_against_oracle(res, o, GRID_1DEG, [KRYCHAW])


def test_default_grid_belarus_and_neighbours() -> None:
    """The bundled 2.5′ grid: the cells of Belarus, Lithuania, Latvia and Poland."""
    from reachmap.coverage.popgrid import default_grid
    from reachmap.world.tables import load_countries

    raster = default_grid("2.5m", progress=False)
    grid = raster.grid
    countries = load_countries()
    want = np.flatnonzero(np.isin(countries.iso2, ["BY", "LT", "LV", "PL"]))
    runs = raster.country_runs
    pick = np.isin(runs.country, want)
    region = RowIntervals(
        runs.rows[pick].astype(np.int64),
        runs.starts[pick].astype(np.int64),
        runs.stops[pick].astype(np.int64),
    )
    mask_rows, mask_cols = needed._cell_arrays(region)
    values = raster.interval_sums(mask_rows, mask_cols, mask_cols + 1)
    sites = [KRYCHAW, (54.71, 20.51)]
    d = nearest_km(grid, mask_rows, mask_cols, sites)
    total = values.sum()
    order = np.argsort(d, kind="stable")
    k = np.flatnonzero(np.cumsum(values[order]) >= 0.99 * total - SHARE_SLACK * total)[0]
    for budget in (250_000, 2_000):
        with mock.patch.object(needed, "_EXACT_CELLS", budget):
            res = range_needed(
                raster=raster,
                sites=sites,
                site_labels=["K", "Kal"],
                region_cells=region,
                min_km=150.0,
            )
        assert res.territory_km == pytest.approx(d.max(), abs=KM_SAME_ALGORITHM)
        assert res.people_km == pytest.approx(d[order][k], abs=KM_SAME_ALGORITHM)
        assert res.hole.cells == int((d < 150.0).sum())
        assert res.hole.people == pytest.approx(values[d < 150.0].sum(), rel=1e-12)
        assert countries.iso2[res.territory_country] in {"BY", "LT", "LV", "PL"}
        assert "2.5′" in res.grid and "approximation" in res.grid


@given(
    sites=st.lists(st.tuples(latitudes, longitudes), min_size=1, max_size=3),
    rows=st.tuples(st.integers(0, 17), st.integers(1, 18)),
    cols=st.tuples(st.integers(-36, 35), st.integers(1, 36)),
    seed=st.integers(0, 2**31),
    q=st.one_of(st.floats(0.01, 1.0), st.just(1.0)),
    min_km=st.one_of(st.just(0.0), st.floats(1.0, 20_000.0)),
    budget=st.sampled_from([1, 5, 250_000]),
    steps=st.sampled_from([0, 3, 64]),
)
def test_random_regions_match_brute_force(
    sites, rows, cols, seed, q, min_km, budget, steps
) -> None:
    grid = LatLonGrid.global_grid(36_000)  # 10° cells: 18 × 36
    raster, values = random_raster(grid, seed)
    rng = np.random.default_rng(seed + 1)
    mask = rectangle(
        grid, range(rows[0], min(rows[0] + rows[1], 18)), range(cols[0], cols[0] + cols[1])
    )
    mask &= rng.random(grid.shape) < 0.8
    with (
        mock.patch.object(needed, "_EXACT_CELLS", budget),
        mock.patch.object(needed, "_MAX_STEPS", steps),
    ):
        res = range_needed(
            raster=raster, sites=sites, site_labels=[str(i) for i in range(len(sites))],
            region_cells=mask_to_intervals(mask), min_km=min_km, people_share=q,
        )  # fmt: skip
    o = oracle(values, grid, mask, sites, q, min_km)
    check_against_oracle(res, o, grid, sites)
    if min_km == 0.0:
        assert res.hole is None
    else:
        assert (res.hole.cells, res.hole.people) == (o["hole_cells"], o["hole_people"])


# --------------------------------------------------------------------------- edges, errors


def test_empty_region_and_no_people() -> None:
    grid = GRID_1DEG
    zero = DenseRaster(grid, np.zeros(grid.shape), "nobody", no_countries(grid))
    none = np.zeros(0, np.int64)
    res = range_needed(
        raster=zero, sites=[KRYCHAW], site_labels=["K"], region_cells=RowIntervals(none, none, none)
    )
    assert (res.territory_km, res.territory_at, res.people_km, res.capitals_km) == (
        None,
        None,
        None,
        None,
    )
    assert res.grid == "nobody (1° cells)"
    res = range_needed(
        raster=zero, sites=[KRYCHAW], site_labels=["K"], min_km=10.0,
        region_cells=RowIntervals(np.array([36]), np.array([200]), np.array([203])),
    )  # fmt: skip
    assert res.territory_km is not None and res.people_km is None
    assert res.territory_country == -1 and res.hole.people == 0.0


def test_territory_country_comes_from_the_raster() -> None:
    grid = GRID_1DEG
    runs = CountryRuns(
        grid.ncols, np.array([36], np.int32), np.array([200], np.int32), np.array([205], np.int32),
        np.array([42], np.int16),
    )  # fmt: skip
    raster = DenseRaster(grid, np.ones(grid.shape), "ones", runs)
    site = [(53.5, 40.0)]  # east of the region: its farthest cell is the west end of the row
    land = RowIntervals(np.array([36]), np.array([200]), np.array([210]))
    res = range_needed(raster=raster, sites=site, site_labels=["E"], region_cells=land)
    assert res.territory_at == (53.5, 20.5) and res.territory_country == 42
    sea = RowIntervals(np.array([36]), np.array([195]), np.array([205]))
    res = range_needed(raster=raster, sites=site, site_labels=["E"], region_cells=sea)
    assert res.territory_at == (53.5, 15.5) and res.territory_country == -1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sites": [], "site_labels": []}, "site"),
        ({"site_labels": ["a", "b"]}, "site_labels"),
        ({"sites": [(91.0, 0.0)]}, "site latitude"),
        ({"people_share": 0.0}, "people_share"),
        ({"people_share": 1.5}, "people_share"),
        ({"people_share": math.nan}, "people_share"),
        ({"min_km": -1.0}, "min_km"),
        ({"min_km": math.inf}, "min_km"),
        (
            {"region_cells": RowIntervals(np.array([180]), np.array([0]), np.array([1]))},
            "region_cells",
        ),
        (
            {"region_cells": RowIntervals(np.array([0]), np.array([5]), np.array([361]))},
            "region_cells",
        ),
        ({"capitals": [("X", 0.0, 181.0)]}, "capital longitude"),
    ],
)
def test_bad_input_names_the_field(kwargs, field) -> None:
    args = {
        "raster": DenseRaster(GRID_1DEG, np.ones(GRID_1DEG.shape), "ones", no_countries(GRID_1DEG)),
        "sites": [KRYCHAW], "site_labels": ["K"],
        "region_cells": RowIntervals(np.array([36]), np.array([200]), np.array([203])),
    }  # fmt: skip
    args.update(kwargs)
    with pytest.raises(InputError) as err:
        range_needed(**args)
    assert err.value.field == field


def test_capitals_needed_bad_input() -> None:
    with pytest.raises(InputError, match="capitals"):
        capitals_needed([KRYCHAW], ["K"], [])
    with pytest.raises(InputError) as err:
        capitals_needed([], [], [("Minsk", 53.9, 27.57)])
    assert err.value.field == "site"
