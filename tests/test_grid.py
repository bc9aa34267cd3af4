"""Lat/lon grids, dense population rasters and the GeoTIFF reader.

References: GeographicLib's PolygonArea (cell areas, the ellipsoid's area), sums by
hand with numpy (interval sums), shapely point-in-polygon tests of cell centres
(country breakdowns), and GeoTIFFs written by the tests themselves.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from geographiclib.geodesic import Geodesic
from rasterio.transform import Affine

from reachmap.coverage import grid as grid_module
from reachmap.coverage.geotiff import DenseRaster, read_geotiff
from reachmap.coverage.grid import (
    CountryRuns,
    LatLonGrid,
    PopulationRaster,
    country_runs,
    rasterize_countries,
)
from reachmap.errors import InputError
from reachmap.geo.geodesy import cell_area_km2
from reachmap.world.tables import load_countries

WGS84 = Geodesic.WGS84


def polygon_area_km2(lat_n: float, lat_s: float, lon_w: float, lon_e: float) -> float:
    """GeographicLib area of a lat/lon cell, its parallels densified into 1,000 geodesics.

    The chords' departure from the parallel shrinks as 1/n²: at n = 1,000 it is below
    3e-11 of the area of a 1° cell (checked against n = 100 and 10,000).
    """
    n = 1000
    p = WGS84.Polygon()
    for i in range(n + 1):
        p.AddPoint(lat_s, lon_w + (lon_e - lon_w) * i / n)
    for i in range(n + 1):
        p.AddPoint(lat_n, lon_e - (lon_e - lon_w) * i / n)
    return abs(p.Compute(False, True)[2]) / 1e6


def intervals(*triples: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a = np.array(triples, dtype=np.int64).reshape(-1, 3)
    return a[:, 0], a[:, 1], a[:, 2]


# --------------------------------------------------------------------------- cell areas


@pytest.mark.parametrize(
    ("lat_n", "lat_s", "dlon"),
    [
        (1.0, 0.0, 1.0),
        (0.0, -1.0, 1.0),
        (45.5, 45.0, 0.5),
        (-60.0, -61.0, 2.0),
        (90.0, 89.0, 1.0),  # the polar cap row
        (-89.5, -90.0, 0.5),
        (52.0 + 1 / 120, 52.0, 1 / 120),  # one 30″ cell
        (90.0, 90.0 - 1 / 120, 1 / 120),  # the 30″ cell at the pole
    ],
)
def test_cell_area_matches_geographiclib(lat_n: float, lat_s: float, dlon: float) -> None:
    """Within 1e-9, or 1e-5 m² for tiny cells: GeographicLib sums per-edge terms of
    ~1e9 m² near the pole, so its absolute error there is ~1e-5 m² (the 30″ polar
    cell is 63 m²; the quadrature test below checks it to 1e-12)."""
    expected = polygon_area_km2(lat_n, lat_s, 10.0, 10.0 + dlon)
    got = cell_area_km2(lat1=lat_n, lat2=lat_s, dlon_deg=dlon)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-11)
    assert cell_area_km2(lat1=lat_s, lat2=lat_n, dlon_deg=dlon) == got  # either order


@pytest.mark.parametrize(
    ("lat_n", "lat_s", "dlon"),
    [(1.0, 0.0, 1.0), (90.0, 89.0, 1.0), (90.0, 90.0 - 1 / 120, 1 / 120), (-89.99, -90.0, 1e-3)],
)
def test_cell_area_matches_quadrature(lat_n: float, lat_s: float, dlon: float) -> None:
    """Gauss-Legendre in latitude of the area element a²(1-e²) cos φ / (1-e² sin²φ)²."""
    a, f = 6378.137, 1 / 298.257223563
    e2 = f * (2 - f)
    x, w = np.polynomial.legendre.leggauss(20)
    p_n, p_s = np.radians(lat_n), np.radians(lat_s)
    phi = (p_n + p_s) / 2 + (p_n - p_s) / 2 * x
    integrand = a * a * (1 - e2) * np.cos(phi) / (1 - e2 * np.sin(phi) ** 2) ** 2
    expected = np.radians(dlon) * (p_n - p_s) / 2 * np.sum(w * integrand)
    got = cell_area_km2(lat1=lat_n, lat2=lat_s, dlon_deg=dlon)
    assert got == pytest.approx(expected, rel=1e-12)


def test_row_cell_area_matches_geographiclib() -> None:
    g = LatLonGrid(west_deg=-3.0, north_deg=90.0, dx_deg=0.75, dy_deg=0.75, nrows=240, ncols=4)
    areas = g.row_cell_area_km2()
    for r in [0, 1, 60, 119, 120, 200, 239]:
        lat_n = 90.0 - r * 0.75
        assert areas[r] == pytest.approx(polygon_area_km2(lat_n, lat_n - 0.75, 0, 0.75), rel=1e-9)


@pytest.mark.parametrize("arcsec", [30.0, 150.0, 3600.0])
def test_global_cells_add_up_to_the_ellipsoid(arcsec: float) -> None:
    """Every row's cells times the columns: GeographicLib's 4π c² (510,065,621.7 km²)."""
    g = LatLonGrid.global_grid(arcsec)
    total = float(np.sum(g.row_cell_area_km2() * g.ncols))
    assert total == pytest.approx(WGS84.Polygon().area0 / 1e6, rel=1e-9)


# --------------------------------------------------------------------------- the grid


def test_global_grid_shapes_and_centres() -> None:
    g = LatLonGrid.global_grid(150)
    assert (g.ncols, g.nrows) == (8640, 4320)
    assert (g.west_deg, g.north_deg, g.south_deg, g.east_deg) == (-180.0, 90.0, -90.0, 180.0)
    assert g.is_global_lon
    assert LatLonGrid.global_grid(30).shape == (21600, 43200)
    lat, lon = g.lat_centers(), g.lon_centers()
    assert lat.dtype == lon.dtype == np.float64
    assert lat[0] == pytest.approx(90 - 1.25 / 60) and lat[-1] == pytest.approx(-90 + 1.25 / 60)
    assert lon[0] == pytest.approx(-180 + 1.25 / 60) and lon[-1] == pytest.approx(180 - 1.25 / 60)
    with pytest.raises(InputError, match="grid cell size"):
        LatLonGrid.global_grid(7)


def test_window_and_cell_of() -> None:
    g = LatLonGrid.global_grid(1800)  # 0.5°
    w = g.window(20, 30, 400, 440)
    assert (w.north_deg, w.west_deg, w.shape) == (80.0, 20.0, (10, 40))
    assert not w.is_global_lon
    assert w.lat_centers()[0] == g.lat_centers()[20]
    r, c = w.cell_of(lat=np.array([79.9, 75.0, 75.0, 60.0]), lon=np.array([20.1, 40.0, 19.9, 30.0]))
    assert r.tolist() == [0, 9, -1, -1] and c.tolist() == [0, 39, -1, -1]
    r, c = g.cell_of(lat=np.array([0.0, -90.0]), lon=np.array([-180.0, 180.0]))
    assert r.tolist() == [180, 359] and c.tolist() == [0, 0]  # ±180° is one meridian
    with pytest.raises(InputError):
        g.window(0, 361, 0, 1)


def test_grid_rejects_bad_geometry() -> None:
    with pytest.raises(InputError, match="cell size"):
        LatLonGrid(west_deg=0, north_deg=10, dx_deg=0, dy_deg=1, nrows=1, ncols=1)
    with pytest.raises(InputError, match="latitudes"):
        LatLonGrid(west_deg=0, north_deg=10, dx_deg=1, dy_deg=1, nrows=101, ncols=1)


# --------------------------------------------------------------------------- dense rasters


def test_dense_interval_sums_equal_hand_sums() -> None:
    """Intervals that start and stop on, before and after the 64-column blocks."""
    rng = np.random.default_rng(3)
    g = LatLonGrid(west_deg=0, north_deg=10, dx_deg=0.05, dy_deg=0.05, nrows=5, ncols=200)
    for dtype in (np.float32, np.float64):
        values = rng.random(g.shape).astype(dtype) * 100
        raster = DenseRaster(g, values, "random")
        assert isinstance(raster, PopulationRaster)
        cuts = [0, 1, 63, 64, 65, 127, 128, 130, 199, 200]
        rows, starts, stops = intervals(
            *[(r, a, b) for r in range(5) for a in cuts for b in cuts if a <= b]
        )
        expected = [
            values[r, a:b].sum(dtype=np.float64)
            for r, a, b in zip(rows, starts, stops, strict=True)
        ]
        got = raster.interval_sums(rows, starts, stops)
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-9)
    empty = raster.interval_sums(*intervals())
    assert empty.shape == (0,)


def test_dense_rejects_bad_intervals() -> None:
    g = LatLonGrid(west_deg=0, north_deg=10, dx_deg=1, dy_deg=1, nrows=2, ncols=3)
    raster = DenseRaster(g, np.ones(g.shape), "ones")
    for bad in [(2, 0, 1), (0, 2, 1), (0, 0, 4), (-1, 0, 1)]:
        with pytest.raises(ValueError, match="intervals"):
            raster.interval_sums(*intervals(bad))
    with pytest.raises(ValueError, match="shape"):
        DenseRaster(g, np.ones((3, 2)), "wrong shape")


def centre_countries(grid: LatLonGrid) -> np.ndarray:
    """Country row of every cell centre, by shapely point-in-polygon (the oracle)."""
    countries = load_countries()
    lon, lat = np.meshgrid(grid.lon_centers(), grid.lat_centers())
    lon = (lon + 180.0) % 360.0 - 180.0
    out = np.full(grid.shape, -1)
    for i, geom in enumerate(countries.geometry):
        out[shapely.contains_xy(geom, lon, lat)] = i
    return out


def test_country_breakdown_equals_point_in_polygon() -> None:
    """Europe at 0.5°: people and land area per country, against shapely."""
    g = LatLonGrid(west_deg=10.0, north_deg=60.0, dx_deg=0.5, dy_deg=0.5, nrows=30, ncols=40)
    values = np.random.default_rng(7).random(g.shape) * 1000
    raster = DenseRaster(g, values, "random over Europe")
    owner = centre_countries(g)
    rows, starts, stops = intervals((0, 0, 40), (5, 3, 17), (12, 20, 40), (29, 0, 1), (17, 9, 9))
    mask = np.zeros(g.shape, dtype=bool)
    for r, a, b in zip(rows, starts, stops, strict=True):
        mask[r, a:b] = True
    idx, people = raster.interval_sums_by_country(rows, starts, stops)
    want = sorted(set(owner[mask].tolist()))
    assert idx.tolist() == want
    for i, p in zip(idx, people, strict=True):
        assert p == pytest.approx(values[mask & (owner == i)].sum(), rel=1e-12)
    assert people.sum() == pytest.approx(raster.interval_sums(rows, starts, stops).sum())
    area_row = g.row_cell_area_km2()
    idx_a, area = raster.interval_areas_by_country(rows, starts, stops)
    assert idx_a.tolist() == want
    cell_area = np.broadcast_to(area_row[:, None], g.shape)
    for i, a in zip(idx_a, area, strict=True):
        assert a == pytest.approx(cell_area[mask & (owner == i)].sum(), rel=1e-12)


def test_country_runs_on_a_grid_from_0_to_360() -> None:
    """A raster whose longitudes run 0..360 (some GPW and climate grids)."""
    g = LatLonGrid(west_deg=0.0, north_deg=90.0, dx_deg=1.0, dy_deg=1.0, nrows=180, ncols=360)
    owner = centre_countries(g)
    runs = country_runs(g)
    rows, cols = np.nonzero(np.ones(g.shape, dtype=bool))
    got = runs.country_at(rows, cols).reshape(g.shape)
    # centres on a polygon's edge may go either way: allow a handful of cells
    assert (got != owner).sum() <= 5
    usa = load_countries().index_of("US")
    assert got[90 - 40, 360 - 100] == usa  # 39.5° N, 99.5° W, stored at lon 260.5


def test_country_runs_structure() -> None:
    runs = country_runs(LatLonGrid.global_grid(3600))
    assert isinstance(runs, CountryRuns)
    order = np.lexsort((runs.starts, runs.rows))
    assert (order == np.arange(len(runs))).all()
    assert (runs.starts < runs.stops).all()
    same_row = runs.rows[1:] == runs.rows[:-1]
    assert (runs.starts[1:][same_row] >= runs.stops[:-1][same_row]).all()


# --------------------------------------------------------------------------- GeoTIFF


def from_origin(west: float, north: float, dx: float, dy: float) -> Affine:
    return Affine(dx, 0.0, west, 0.0, -dy, north)


def write_tif(path: Path, values: np.ndarray, *, crs: str = "EPSG:4326", transform=None, **kw):
    transform = transform or from_origin(20.0, 60.0, 0.5, 0.5)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=values.shape[0],
        width=values.shape[1],
        count=1,
        dtype=values.dtype,
        crs=crs,
        transform=transform,
        **kw,
    ) as dst:
        dst.write(values, 1)
    return path


@pytest.fixture
def synthetic(tmp_path: Path) -> tuple[Path, np.ndarray]:
    """40 × 60 cells of 0.5° from 20° E, 60° N; cell (r, c) holds 100 r + c people.

    Cell (0, 0) is nodata (-9999), cell (1, 1) is negative (-5): both count as 0.
    """
    values = (100 * np.arange(40)[:, None] + np.arange(60)[None, :]).astype(np.float32)
    values[0, 0] = -9999
    values[1, 1] = -5
    return write_tif(tmp_path / "pop.tif", values, nodata=-9999), values


def test_geotiff_interval_sums_equal_hand_sums(synthetic) -> None:
    path, values = synthetic
    raster = read_geotiff(path)
    g = raster.grid
    assert (g.west_deg, g.north_deg, g.dx_deg, g.dy_deg, g.shape) == (20, 60, 0.5, 0.5, (40, 60))
    assert "pop.tif" in raster.description
    clean = np.where(values < 0, 0, values).astype(np.float64)
    rows, starts, stops = intervals((0, 0, 60), (1, 0, 3), (39, 10, 20), (7, 59, 60))
    expected = [
        clean[0].sum(),  # 0 + sum(1..59) = 1770: nodata is 0
        0 + 100 + 0 + 102,  # (1, 1) is negative: 0
        10 * 3900 + sum(range(10, 20)),
        759,
    ]
    assert expected[0] == 1770
    np.testing.assert_array_equal(raster.interval_sums(rows, starts, stops), expected)


def test_geotiff_reads_only_the_window(synthetic) -> None:
    path, values = synthetic
    raster = read_geotiff(path, bounds=(25.2, 50.1, 27.0, 55.0))  # west, south, east, north
    g = raster.grid
    # rows of 55..50.1° N: 10..19 (north edge 55, south edge 50); columns of 25.2..27° E: 10..13
    assert (g.north_deg, g.west_deg, g.shape) == (55.0, 25.0, (10, 4))
    np.testing.assert_array_equal(raster.values, values[10:20, 10:14])
    outside = read_geotiff(path, bounds=(-10.0, 0.0, 0.0, 10.0))
    assert outside.grid.shape[0] * outside.grid.shape[1] == 0
    assert outside.interval_sums(*intervals()).size == 0


def test_geotiff_window_across_the_antimeridian(tmp_path: Path) -> None:
    values = np.arange(360 * 720, dtype=np.float32).reshape(360, 720)
    path = write_tif(tmp_path / "world.tif", values, transform=from_origin(-180, 90, 0.5, 0.5))
    east = read_geotiff(path, bounds=(10.0, 0.0, 20.0, 10.0))
    assert (east.grid.west_deg, east.grid.north_deg, east.grid.shape) == (10.0, 10.0, (20, 20))
    across = read_geotiff(path, bounds=(170.0, -10.0, -170.0, 10.0))
    assert across.grid.shape == (40, 720) and across.grid.is_global_lon


def test_geotiff_nodata_nan_becomes_zero(tmp_path: Path) -> None:
    values = np.array([[1.5, np.nan], [-1.0, 2.0]], dtype=np.float64)
    raster = read_geotiff(write_tif(tmp_path / "nan.tif", values, nodata=np.nan))
    assert raster.values.dtype == np.float64
    np.testing.assert_array_equal(raster.values, [[1.5, 0.0], [0.0, 2.0]])


def test_geotiff_accepts_ogc_crs84(tmp_path: Path) -> None:
    path = write_tif(tmp_path / "crs84.tif", np.ones((2, 2), np.int32), crs="OGC:CRS84")
    raster = read_geotiff(path)
    assert raster.values.dtype == np.float32
    assert raster.interval_sums(*intervals((1, 0, 2))).tolist() == [2.0]


def test_geotiff_in_a_projected_crs_is_refused(tmp_path: Path) -> None:
    path = write_tif(
        tmp_path / "merc.tif",
        np.ones((4, 4), np.float32),
        crs="EPSG:3857",
        transform=from_origin(2_000_000, 7_000_000, 1000, 1000),
    )
    with pytest.raises(InputError) as err:
        read_geotiff(path)
    assert err.value.field == "population"
    assert "EPSG:3857" in str(err.value) and "gdalwarp -t_srs EPSG:4326" in str(err.value)


def test_geotiff_rotated_or_south_up_is_refused(tmp_path: Path) -> None:
    south_up = Affine(0.5, 0.0, 20.0, 0.0, 0.5, 40.0)
    rotated = Affine(0.5, 0.1, 20.0, 0.1, -0.5, 60.0)
    for name, t in [("south.tif", south_up), ("rot.tif", rotated)]:
        path = write_tif(tmp_path / name, np.ones((4, 4), np.float32), transform=t)
        with pytest.raises(InputError, match="north-up") as err:
            read_geotiff(path)
        assert err.value.field == "population"


def test_missing_or_not_a_raster_names_population(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file") as err:
        read_geotiff(tmp_path / "nope.tif")
    assert err.value.field == "population"
    text = tmp_path / "notes.tif"
    text.write_text("not a raster")
    with pytest.raises(InputError, match="not a raster") as err:
        read_geotiff(text)
    assert err.value.field == "population"
    with pytest.raises(InputError, match="bounds"):
        read_geotiff(write_tif(tmp_path / "ok.tif", np.ones((2, 2))), bounds=(0, 10, 1, 5))


def test_band_by_band_reading_and_rasterizing(synthetic, monkeypatch) -> None:
    """Large rasters are read and rasterized a band of rows at a time: same result."""
    path, _ = synthetic
    whole_file = read_geotiff(path)
    whole_runs = rasterize_countries(whole_file.grid)
    monkeypatch.setattr(grid_module, "_BAND_CELLS", 7 * 60)  # 7 rows of 60 columns
    banded = read_geotiff(path)
    np.testing.assert_array_equal(banded.values, whole_file.values)
    runs = rasterize_countries(banded.grid)
    for name in ("rows", "starts", "stops", "country"):
        np.testing.assert_array_equal(getattr(runs, name), getattr(whole_runs, name))
    assert len(runs) > 10
