"""Population rasters held in memory, and the reader of users' GeoTIFFs.

A :class:`DenseRaster` keeps a 2-D array of people per cell with block prefix sums,
so that the engine's interval sums cost two lookups and a short partial sum.
:func:`read_geotiff` opens GHS-POP, WorldPop, GPW or LandScan files in geographic
lat/lon coordinates, reading only the window a query needs.

Examples
--------
>>> from reachmap.coverage.grid import LatLonGrid
>>> grid = LatLonGrid(west_deg=0.0, north_deg=2.0, dx_deg=1.0, dy_deg=1.0, nrows=2, ncols=3)
>>> raster = DenseRaster(grid, np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), "a test grid")
>>> raster.interval_sums(np.array([0, 1]), np.array([1, 0]), np.array([3, 2])).tolist()
[5.0, 9.0]
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from reachmap.coverage.grid import (
    _BAND_CELLS,
    _EPS_DEG,
    CountryRuns,
    LatLonGrid,
    _by_country,
    _intervals,
    country_runs,
)
from reachmap.errors import InputError

__all__ = [
    "DenseRaster",
    "read_geotiff",
]

_BLOCK = 64  # columns per block of the prefix sums of a DenseRaster


# --------------------------------------------------------------------------- dense rasters


class DenseRaster:
    """A population raster held in memory as a 2-D array.

    Interval sums use per-row prefix sums every 64 columns (float64) plus the
    cell values within the last block: memory is the array plus 1/8 byte per cell,
    and each sum reads at most 63 cells per interval end.

    Parameters
    ----------
    grid : LatLonGrid
        The grid of ``values``.
    values : numpy.ndarray
        People per cell, shape ``(grid.nrows, grid.ncols)``, finite and ≥ 0.
        float32 and float64 are kept as they are; other types become float64.
    description : str
        What the numbers are (the source), for outputs.
    country_runs : CountryRuns, optional
        Countries of the cells; by default the bundled polygons are rasterized on
        ``grid`` the first time a breakdown by country is asked for.

    Examples
    --------
    >>> g = LatLonGrid(west_deg=0, north_deg=1, dx_deg=1, dy_deg=1, nrows=1, ncols=4)
    >>> r = DenseRaster(g, np.arange(4.0).reshape(1, 4), "test")
    >>> one = np.array([0])
    >>> r.interval_sums(one, np.array([1]), np.array([4])).tolist()
    [6.0]
    """

    def __init__(
        self,
        grid: LatLonGrid,
        values: np.ndarray,
        description: str,
        country_runs: CountryRuns | None = None,
    ) -> None:
        v = np.asarray(values)
        if v.dtype not in (np.float32, np.float64):
            v = v.astype(np.float64)
        if v.shape != grid.shape:
            raise ValueError(f"values have shape {v.shape}; the grid is {grid.shape}")
        self.grid = grid
        self.description = description
        self.values = v
        self._runs = country_runs
        self._row_area: np.ndarray | None = None
        self._run_total: np.ndarray | None = None
        self._prefix = self._block_prefix(v)
        if not np.isfinite(self._prefix[:, -1]).all():
            raise ValueError("population values must be finite")

    @staticmethod
    def _block_prefix(v: np.ndarray) -> np.ndarray:
        nrows, ncols = v.shape
        nfull = ncols // _BLOCK
        nblocks = -(-ncols // _BLOCK)
        prefix = np.zeros((nrows, nblocks + 1), dtype=np.float64)
        step = max(1, (1 << 22) // max(ncols, 1))
        for r0 in range(0, nrows, step):
            chunk = v[r0 : r0 + step]
            full = chunk[:, : nfull * _BLOCK].reshape(chunk.shape[0], nfull, _BLOCK)
            prefix[r0 : r0 + step, 1 : nfull + 1] = full.sum(axis=2, dtype=np.float64)
            if nblocks > nfull:
                prefix[r0 : r0 + step, -1] = chunk[:, nfull * _BLOCK :].sum(
                    axis=1, dtype=np.float64
                )
        return np.cumsum(prefix, axis=1, out=prefix)

    def _prefix_at(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Sum of the cells ``[0, col)`` of each row (float64)."""
        k = cols // _BLOCK
        base = k * _BLOCK
        off = cols - base
        out = self._prefix[rows, k]
        part = np.flatnonzero(off)
        if part.size:
            t = np.arange(_BLOCK - 1, dtype=np.int64)
            idx = np.minimum(base[part, None] + t, self.grid.ncols - 1)
            cells = self.values[rows[part, None], idx]
            out[part] += np.where(t < off[part, None], cells, 0).sum(axis=1, dtype=np.float64)
        return out

    def _run_sums(self) -> np.ndarray:
        """People in each whole country run (float64), computed once."""
        if self._run_total is None:
            runs = self.country_runs
            r = runs.rows.astype(np.int64)
            self._run_total = self._prefix_at(r, runs.stops.astype(np.int64)) - self._prefix_at(
                r, runs.starts.astype(np.int64)
            )
        return self._run_total

    @property
    def country_runs(self) -> CountryRuns:
        """Countries of the cells (rasterized on first use)."""
        if self._runs is None:
            self._runs = country_runs(self.grid)
        return self._runs

    def interval_sums(self, rows: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
        """Return the population in each interval; see :class:`PopulationRaster`."""
        r, a, b = _intervals(self.grid, rows, starts, stops)
        return self._prefix_at(r, b) - self._prefix_at(r, a)

    def interval_sums_by_country(
        self, rows: np.ndarray, starts: np.ndarray, stops: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the population of all intervals by country; see :class:`PopulationRaster`."""
        r, a, b = _intervals(self.grid, rows, starts, stops)
        runs = self.country_runs
        interval, run, lo, hi = runs.overlaps(r, a, b)
        land = self._run_sums()[run]
        part = np.flatnonzero((lo != runs.starts[run]) | (hi != runs.stops[run]))
        rr = r[interval[part]]
        land[part] = self._prefix_at(rr, hi[part]) - self._prefix_at(rr, lo[part])
        total = self._prefix_at(r, b) - self._prefix_at(r, a)
        land_cells = np.bincount(interval, weights=hi - lo, minlength=r.size)
        sea_cells = (b - a) - land_cells
        sea = np.maximum(total - np.bincount(interval, weights=land, minlength=r.size), 0.0)
        country = np.concatenate([runs.country[run].astype(np.int64), np.full(r.size, -1)])
        people = np.concatenate([land, sea])
        keep = np.concatenate([hi > lo, sea_cells > 0])
        return _by_country(country[keep], people[keep])

    def interval_areas_by_country(
        self, rows: np.ndarray, starts: np.ndarray, stops: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the area of all intervals by country, in km²; see :class:`PopulationRaster`."""
        r, a, b = _intervals(self.grid, rows, starts, stops)
        if self._row_area is None:
            self._row_area = self.grid.row_cell_area_km2()
        return self.country_runs.areas_by_country(self._row_area, r, a, b)

    def read_rows(self, row0: int, row1: int) -> np.ndarray:
        """People per cell of rows ``[row0, row1)``, float64 (a copy)."""
        return np.array(self.values[row0:row1], dtype=np.float64)


# --------------------------------------------------------------------------- GeoTIFF


_GEOTIFF = "a GeoTIFF in geographic lat/lon coordinates (EPSG:4326)"
_WARP = "gdalwarp -t_srs EPSG:4326"


def _is_wgs84_geographic(crs: object) -> bool:
    from rasterio.crs import CRS

    if not isinstance(crs, CRS) or not crs.is_geographic:
        return False
    if crs.to_epsg() == 4326:
        return True
    return bool(crs == CRS.from_user_input("OGC:CRS84"))


def _window_of(
    grid: LatLonGrid, bounds: tuple[float, float, float, float]
) -> tuple[int, int, int, int]:
    """Rows and columns ``(row0, row1, col0, col1)`` of the cells that meet ``bounds``."""
    west, south, east, north = (float(x) for x in bounds)
    ok = all(math.isfinite(x) for x in (west, south, east, north))
    if not ok or not (-90.0 <= south <= north <= 90.0):
        raise InputError(
            "bounds",
            bounds,
            "(west, south, east, north) in degrees with -90 <= south <= north <= 90",
        )
    row0 = max(0, math.floor((grid.north_deg - north) / grid.dy_deg))
    row1 = min(grid.nrows, math.ceil((grid.north_deg - south) / grid.dy_deg))
    span = (east - west) % 360.0 if east != west + 360.0 else 360.0
    if grid.is_global_lon:
        w = grid.west_deg + (west - grid.west_deg) % 360.0
        e = w + span
        if e > grid.east_deg + _EPS_DEG:  # crosses the raster's own seam: read it all
            col0, col1 = 0, grid.ncols
        else:
            col0 = math.floor((w - grid.west_deg) / grid.dx_deg)
            col1 = min(grid.ncols, math.ceil((e - grid.west_deg) / grid.dx_deg))
    elif west > east:  # crosses the antimeridian: both ends of a regional raster
        col0, col1 = 0, grid.ncols
    else:
        col0 = max(0, math.floor((west - grid.west_deg) / grid.dx_deg))
        col1 = min(grid.ncols, math.ceil((east - grid.west_deg) / grid.dx_deg))
    if row1 <= row0 or col1 <= col0:
        return 0, 0, 0, 0
    return row0, row1, col0, col1


def read_geotiff(
    path: str | Path, *, bounds: tuple[float, float, float, float] | None = None
) -> DenseRaster:
    """Read a population GeoTIFF (people per cell) in geographic coordinates.

    Suits GHS-POP, WorldPop, GPW and LandScan in their EPSG:4326 editions. Band 1
    is read; nodata, NaN and negative values become 0.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.
    bounds : tuple of float, optional
        ``(west, south, east, north)`` in degrees: read only the cells that meet
        this box (``west > east`` crosses the antimeridian). The returned raster's
        grid is then that window of the file's grid. If the box misses the file,
        the raster has no cells.

    Returns
    -------
    DenseRaster

    Raises
    ------
    reachmap.errors.InputError
        Field ``"population"``: the file is missing, is not a raster, is not in
        EPSG:4326 / OGC:CRS84, or is rotated or south-up.
    """
    import rasterio
    from rasterio.errors import RasterioError
    from rasterio.windows import Window

    p = Path(path)
    if not p.is_file():
        raise InputError("population", str(path), f"{_GEOTIFF}; no such file")
    try:
        src = rasterio.open(p)
    except RasterioError as err:
        raise InputError("population", str(path), f"{_GEOTIFF}; this file is not a raster") from err
    with src:
        if not _is_wgs84_geographic(src.crs):
            what = src.crs.to_string() if src.crs else "without a CRS"
            raise InputError(
                "population",
                str(path),
                f"{_GEOTIFF}; this one is {what}; reproject it first, e.g. {_WARP}",
            )
        t = src.transform
        if t.b != 0 or t.d != 0 or t.a <= 0 or t.e >= 0:
            raise InputError(
                "population",
                str(path),
                f"{_GEOTIFF}, north-up and without rotation; this one has the transform "
                f"{tuple(t)[:6]}; warp it first, e.g. gdalwarp -t_srs EPSG:4326",
            )
        try:
            file_grid = LatLonGrid(
                west_deg=t.c,
                north_deg=t.f,
                dx_deg=t.a,
                dy_deg=-t.e,
                nrows=src.height,
                ncols=src.width,
            )
        except InputError as err:
            raise InputError("population", str(path), f"{_GEOTIFF}; {err}") from err
        if bounds is None:
            row0, row1, col0, col1 = 0, file_grid.nrows, 0, file_grid.ncols
        else:
            row0, row1, col0, col1 = _window_of(file_grid, bounds)
        grid = file_grid.window(row0, row1, col0, col1)
        dtype = np.float64 if np.dtype(src.dtypes[0]) == np.float64 else np.float32
        values = np.zeros(grid.shape, dtype=dtype)
        step = max(1, _BAND_CELLS // max(grid.ncols, 1))
        for r in range(0, grid.nrows if grid.ncols else 0, step):  # a band at a time
            n = min(step, grid.nrows - r)
            window = Window(col0, row0 + r, grid.ncols, n)
            band = np.ma.filled(src.read(1, window=window, masked=True).astype(dtype), 0)
            band[~np.isfinite(band) | (band < 0)] = 0
            values[r : r + n] = band
    arcsec = grid.dx_deg * 3600.0
    description = f"population GeoTIFF {p.name} ({arcsec:.4g}″ cells, as supplied)"
    return DenseRaster(grid, values, description)
