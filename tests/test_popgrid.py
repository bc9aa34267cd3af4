"""The default population grid at 2.5′, built once per session in a temporary cache.

References: the bundled country figures (per-country and world sums), the
ellipsoidal polygon areas of ``load_countries`` (land area), the grid's own dense
cells (interval sums), and the bundled places (people in their cells).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from reachmap.coverage import popgrid
from reachmap.coverage.grid import LatLonGrid, PopulationRaster
from reachmap.coverage.popgrid import DasymetricRaster, build_default_grid, default_grid
from reachmap.errors import InputError
from reachmap.world.tables import load_countries, load_places


@pytest.fixture(scope="session")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reachmap-cache")


@pytest.fixture(scope="session")
def grid25(cache: Path) -> DasymetricRaster:
    """The 2.5′ level, built in ``cache`` (0.7 s on one core)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REACHMAP_CACHE_DIR", str(cache))
        start = time.perf_counter()
        raster = default_grid("2.5m", progress=False)
        print(f"built the 2.5′ grid in {time.perf_counter() - start:.2f} s")
    return raster


def whole(grid: LatLonGrid) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = np.arange(grid.nrows)
    return rows, np.zeros_like(rows), np.full_like(rows, grid.ncols)


def group_sums(idx: np.ndarray, values: np.ndarray) -> dict[str, float]:
    """Sum per-row values by the country whose figure counts them (``counted_in``)."""
    countries = load_countries()
    out: dict[str, float] = {}
    for i, v in zip(idx.tolist(), values.tolist(), strict=True):
        key = str(countries.counted_in[i]) if i >= 0 else "sea"
        out[key] = out.get(key, 0.0) + v
    return out


def test_is_a_population_raster_that_says_it_is_an_approximation(grid25) -> None:
    assert isinstance(grid25, PopulationRaster)
    assert grid25.grid == LatLonGrid.global_grid(150)
    assert "approximation" in grid25.description
    assert "2.5m" in grid25.description


def test_per_country_sums_equal_the_bundled_figures(grid25) -> None:
    """Within 1 person per country, rows that share a figure (counted_in) summed."""
    countries = load_countries()
    idx, people = grid25.interval_sums_by_country(*whole(grid25.grid))
    got = group_sums(idx, people)
    assert got.pop("sea", 0.0) == 0.0  # coastal places count for their country
    expected = {
        str(c): float(countries.population[countries.counted_in == c].sum())
        for c in set(countries.counted_in.tolist())
        if c
    }
    expected = {c: p for c, p in expected.items() if p > 0}
    assert {c for c, p in got.items() if p > 0} == set(expected)
    for code, want in expected.items():
        assert got[code] == pytest.approx(want, abs=1.0), code


def test_world_total_is_the_sum_of_the_countries(grid25) -> None:
    total = grid25.interval_sums(*whole(grid25.grid)).sum()
    assert total == pytest.approx(int(load_countries().population.sum()), abs=1.0)
    assert int(load_countries().population.sum()) == 7_610_886_654  # PROVENANCE.md


def test_shared_figures_are_split_between_their_rows(grid25) -> None:
    """Somaliland and N. Cyprus get people from the Somalia and Cyprus figures."""
    countries = load_countries()
    idx, people = grid25.interval_sums_by_country(*whole(grid25.grid))
    by_row = dict(zip(idx.tolist(), people.tolist(), strict=True))
    for name, parent in [("Somaliland", "SO"), ("N. Cyprus", "CY")]:
        row = int(np.flatnonzero(countries.name == name)[0])
        both = by_row[row] + by_row[countries.index_of(parent)]
        assert 0 < by_row[row] < both
        assert both == pytest.approx(countries.population[countries.index_of(parent)], abs=1.0)


def test_land_area_matches_the_polygons(grid25) -> None:
    """Cells whose centre is in a country: within 2% of its polygon for > 100,000 km²."""
    countries = load_countries()
    idx, area = grid25.interval_areas_by_country(*whole(grid25.grid))
    by_row = dict(zip(idx.tolist(), area.tolist(), strict=True))
    big = np.flatnonzero(countries.area_km2 > 100_000)
    assert big.size > 70
    for i in big:
        assert by_row[int(i)] == pytest.approx(countries.area_km2[i], rel=0.02), countries.name[i]
    total = sum(by_row.values())
    assert total == pytest.approx(grid25.grid.row_cell_area_km2().sum() * grid25.grid.ncols)


def test_interval_sums_equal_the_dense_cells(grid25) -> None:
    g = grid25.grid
    rng = np.random.default_rng(11)
    band = slice(1500, 1700)  # 27.5..19.2° N: Sahara, India, China, Mexico
    dense = grid25.read_rows(band.start, band.stop)
    rows = rng.integers(band.start, band.stop, 2000)
    a, b = rng.integers(0, g.ncols + 1, (2, 2000))
    starts, stops = np.minimum(a, b), np.maximum(a, b)
    stops[:10] = starts[:10]  # empty intervals
    expected = [
        dense[r - band.start, s:e].sum() for r, s, e in zip(rows, starts, stops, strict=True)
    ]
    np.testing.assert_allclose(grid25.interval_sums(rows, starts, stops), expected, atol=1e-3)
    idx, people = grid25.interval_sums_by_country(rows, starts, stops)
    assert people.sum() == pytest.approx(sum(expected), rel=1e-12)
    assert (np.diff(idx) > 0).all()


def test_places_are_in_their_cells(grid25) -> None:
    """Minsk (Belarus' places are fewer than its figure, so not scaled) and a city
    whose cell centre is at sea at 2.5′, attributed to its own country."""
    g = grid25.grid
    places = load_places()
    countries = load_countries()
    minsk = int(np.flatnonzero((places.name == "Minsk") & (places.country == "BY"))[0])
    r, c = g.cell_of(lat=places.lat[[minsk]], lon=places.lon[[minsk]])
    cell = grid25.interval_sums(r, c, c + 1)[0]
    assert cell >= places.population[minsk]
    runs = grid25.country_runs
    pr, pc = g.cell_of(lat=places.lat, lon=places.lon)
    at_sea = np.flatnonzero((runs.country_at(pr, pc) == -1) & (places.population > 100_000))
    at_sea = at_sea[np.isin(places.country[at_sea], countries.iso2)]
    assert at_sea.size > 0
    i = int(at_sea[0])
    idx, people = grid25.interval_sums_by_country(pr[[i]], pc[[i]], pc[[i]] + 1)
    home = countries.index_of(str(places.country[i]))
    assert home in idx.tolist() and people[idx.tolist().index(home)] > 0


def test_overlapping_places_are_scaled_to_the_figure(grid25) -> None:
    """Hong Kong's GeoNames places add up to 26 million, its figure is 7.4 million."""
    countries = load_countries()
    hk = countries.index_of("HK")
    assert load_places().population[load_places().country == "HK"].sum() > 3 * 7_396_076
    runs = grid25.country_runs
    assert (grid25.run_value[runs.country == hk] == 0).all()  # nothing left to spread
    idx, people = grid25.interval_sums_by_country(*whole(grid25.grid))
    assert people[idx.tolist().index(hk)] == pytest.approx(countries.population[hk], abs=1.0)


@pytest.mark.parametrize("level", ["2.5′", "1°"])
def test_countries_without_land_cells_keep_their_people(grid25, level) -> None:
    """At 2.5′ Monaco and the Vatican have no cell centre on land; at 1°, 66 countries."""
    raster = grid25 if level == "2.5′" else build_default_grid(3600, progress=False)
    countries = load_countries()
    with_cells = set(np.unique(raster.country_runs.country).tolist())
    populated = [
        i for i in range(len(countries)) if i not in with_cells and countries.population[i] > 0
    ]
    assert len(populated) == (2 if level == "2.5′" else 66)
    idx, people = raster.interval_sums_by_country(*whole(raster.grid))
    by_row = dict(zip(idx.tolist(), people.tolist(), strict=True))
    for i in populated:
        assert by_row[i] == pytest.approx(countries.population[i], abs=1.0), countries.name[i]
    assert people.sum() == pytest.approx(countries.population.sum(), abs=1.0)


def test_cache_is_reused_and_survives_a_bad_file(grid25, cache: Path, monkeypatch) -> None:
    monkeypatch.setenv("REACHMAP_CACHE_DIR", str(cache))
    assert default_grid("2.5m") is grid25  # in memory
    (path,) = cache.glob("popgrid-2.5m-*.npz")
    monkeypatch.setattr(popgrid, "_MEMO", {})
    again = default_grid("2.5m")  # from disk
    assert again is not grid25
    np.testing.assert_array_equal(again.run_value, grid25.run_value)
    np.testing.assert_array_equal(again.point_keys, grid25.point_keys)
    assert again.description == grid25.description
    path.write_bytes(b"truncated")
    monkeypatch.setattr(popgrid, "_MEMO", {})
    rebuilt = default_grid("2.5m", progress=False)  # a bad file is rebuilt, atomically
    np.testing.assert_array_equal(rebuilt.point_people, grid25.point_people)
    assert path.stat().st_size > 1_000_000
    assert not list(cache.glob("*.tmp"))


def test_unknown_level_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"'30s', '2\.5m'"):
        default_grid("1km")
