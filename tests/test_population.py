"""Population in reach, end to end, against independent sums.

* The default 2.5′ grid: the engine's total equals the brute-force sum of every
  cell whose centre is within range (``banded_oracle`` of ``test_raster.py``).
* A GeoTIFF written by the test: the CLI's total equals a hand sum over the cells
  within range, distances from the independent ``geographiclib``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import rasterio
from geographiclib.geodesic import Geodesic
from rasterio.transform import Affine
from typer.testing import CliRunner

from reachmap.analysis.reach import analyze, resolve_site
from reachmap.cli.main import app
from reachmap.coverage.popgrid import default_grid
from reachmap.coverage.raster import covered_intervals
from reachmap.geo.units import parse_range

from .test_raster import banded_oracle

REF = Geodesic.WGS84
MINSK = (53.90019, 27.56653)


@pytest.fixture(scope="module")
def grid25():
    return default_grid("2.5m", progress=False)


@pytest.fixture(scope="module")
def dense25(grid25) -> np.ndarray:
    return grid25.read_rows(0, grid25.grid.nrows)


@pytest.mark.parametrize(
    ("sites", "lo", "hi"),
    [
        ([MINSK], 0.0, 2000.0),
        ([MINSK], 500.0, 5500.0),
        ([MINSK, (35.68, 139.69), (-33.9, 18.4)], 300.0, 4000.0),
    ],
    ids=["disc", "annulus", "union"],
)  # fmt: skip
def test_engine_total_equals_brute_force_sum(grid25, dense25, sites, lo, hi) -> None:
    covered = covered_intervals(grid25.grid, sites, min_km=lo, max_km=hi)
    got = grid25.interval_sums(covered.rows, covered.starts, covered.stops).sum()
    want = dense25[banded_oracle(grid25.grid, sites, lo, hi)].sum()
    assert got == pytest.approx(want, rel=1e-9)


def test_fully_reached_country_gets_its_whole_population(grid25) -> None:
    result = analyze([resolve_site("Minsk")], parse_range("500-5500 km"), grid25)
    rows = {c.iso2: c for c in result.countries}
    # Germany lies 600-1,400 km from Minsk: its whole population, its whole area
    assert rows["DE"].status == "full"
    assert rows["DE"].population_reached_estimate == pytest.approx(rows["DE"].population, abs=1)
    # Belarus lies within 500 km of Minsk: nothing reached
    assert rows["BY"].population_reached_estimate == 0 and rows["BY"].status == "inside-min-range"
    assert "approximation" in result.population_source
    assert any("approximation" in a for a in result.assumptions)


def _write_tiff(path, values: np.ndarray, west: float, north: float, cell: float) -> None:
    with rasterio.open(
        path, "w", driver="GTiff", height=values.shape[0], width=values.shape[1], count=1,
        dtype="float32", crs="EPSG:4326", nodata=-1,
        transform=Affine(cell, 0, west, 0, -cell, north),
    ) as dst:  # fmt: skip
        dst.write(values.astype(np.float32), 1)


def test_cli_population_from_a_synthetic_geotiff(tmp_path) -> None:
    # 0.5° cells over 20-35° E, 50-58° N; every cell holds 1000 + its index people,
    # one cell nodata (-1 -> 0)
    cell, west, north = 0.5, 20.0, 58.0
    values = 1000.0 + np.arange(16 * 30, dtype=float).reshape(16, 30)
    values[3, 4] = -1
    tif = tmp_path / "pop.tif"
    _write_tiff(tif, values, west, north, cell)
    result = CliRunner().invoke(
        app, ["reach", "--site", f"{MINSK[0]},{MINSK[1]}", "--range", "100-400 km",
              "--population", str(tif), "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    got = json.loads(result.stdout)["totals"]["population_reached_estimate"]
    want = 0.0
    for r in range(values.shape[0]):
        for c in range(values.shape[1]):
            lat, lon = north - (r + 0.5) * cell, west + (c + 0.5) * cell
            d = REF.Inverse(MINSK[0], MINSK[1], lat, lon)["s12"] / 1000
            if 100 <= d <= 400:
                want += max(values[r, c], 0.0)
    assert want > 0
    assert got == round(want)


@pytest.mark.parametrize(
    ("value", "needle"),
    [("foo.xyz", "GeoTIFF path"), ("missing.tif", "no such file"), ("default-1m", "default")],
)
def test_bad_population_is_one_line_exit_2(tmp_path, value: str, needle: str) -> None:
    result = CliRunner().invoke(
        app, ["reach", "--site", "Minsk", "--range", "500 km",
              "--population", str(tmp_path / value), "--out", str(tmp_path / "x.geojson")],
    )  # fmt: skip
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: population:") and needle in lines[0]
    assert not (tmp_path / "x.geojson").exists()


def test_projected_geotiff_is_refused(tmp_path) -> None:
    tif = tmp_path / "merc.tif"
    with rasterio.open(
        tif, "w", driver="GTiff", height=4, width=4, count=1, dtype="float32", crs="EPSG:3857",
        transform=Affine(1000, 0, 0, 0, -1000, 0),
    ) as dst:  # fmt: skip
        dst.write(np.ones((4, 4), dtype=np.float32), 1)
    result = CliRunner().invoke(
        app, ["reach", "--site", "Minsk", "--range", "500 km", "--population", str(tif)]
    )
    assert result.exit_code == 2
    assert "EPSG:4326" in result.stderr
