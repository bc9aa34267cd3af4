"""Population rasters on regular latitude/longitude grids.

A :class:`LatLonGrid` is a regular grid in geographic coordinates (EPSG:4326,
degrees): rows run north to south, columns west to east, and cell ``(r, c)`` has
its centre at latitude ``north_deg - (r + 0.5) * dy_deg`` and longitude
``west_deg + (c + 0.5) * dx_deg``. Cell areas are exact on the WGS84 ellipsoid
(:func:`reachmap.geo.geodesy.cell_area_km2`), in square kilometres.

A population raster (:class:`PopulationRaster`) answers the questions the
coverage engine asks, for a batch of row intervals at a time: how many people
live in columns ``[start, stop)`` of row ``row``, and how do they (and the land
area) split by country. Countries are rows of :func:`reachmap.world.tables.load_countries`;
``-1`` stands for cells in no country (sea). A cell belongs to the country whose
Natural Earth polygon holds its centre (:class:`CountryRuns`).

Two implementations: :class:`reachmap.coverage.geotiff.DenseRaster` (a 2-D array in memory,
e.g. a user's GeoTIFF read by :func:`reachmap.coverage.geotiff.read_geotiff`) and the default
grid derived from the bundled data (:mod:`reachmap.coverage.popgrid`).

Examples
--------
>>> grid = LatLonGrid(west_deg=0.0, north_deg=2.0, dx_deg=1.0, dy_deg=1.0, nrows=2, ncols=3)
>>> grid.lat_centers().tolist(), grid.lon_centers().tolist()
([1.5, 0.5], [0.5, 1.5, 2.5])
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import shapely

from reachmap.errors import InputError
from reachmap.geo.geodesy import cell_area_km2
from reachmap.world.tables import load_countries

__all__ = [
    "CountryRuns",
    "LatLonGrid",
    "PopulationRaster",
    "country_runs",
    "rasterize_countries",
]

_EPS_DEG = 1e-9  # tolerance on grid extents, in degrees
_BAND_CELLS = 1 << 25  # cells rasterized at a time (32 Mi: 32 MiB of uint8)


# --------------------------------------------------------------------------- the grid


@dataclass(frozen=True)
class LatLonGrid:
    """A regular latitude/longitude grid on WGS84 (EPSG:4326).

    Attributes
    ----------
    west_deg : float
        Longitude of the western edge of column 0, in degrees.
    north_deg : float
        Latitude of the northern edge of row 0, in degrees (≤ 90).
    dx_deg, dy_deg : float
        Cell width and height, in degrees, > 0.
    nrows, ncols : int
        Number of rows (north to south) and columns (west to east), ≥ 0.

    Examples
    --------
    >>> g = LatLonGrid.global_grid(150)  # 2.5 arc-minutes
    >>> g.ncols, g.nrows, g.is_global_lon
    (8640, 4320, True)
    >>> g.lat_centers()[0], g.lon_centers()[0]
    (np.float64(89.97916666666667), np.float64(-179.97916666666666))
    """

    west_deg: float
    north_deg: float
    dx_deg: float
    dy_deg: float
    nrows: int
    ncols: int

    def __post_init__(self) -> None:
        for name in ("west_deg", "north_deg", "dx_deg", "dy_deg"):
            value = getattr(self, name)
            if not math.isfinite(value):
                raise InputError(f"grid {name}", value, "a finite number of degrees")
        if not (self.dx_deg > 0 and self.dy_deg > 0):
            raise InputError("grid cell size", (self.dx_deg, self.dy_deg), "degrees > 0")
        if self.nrows < 0 or self.ncols < 0:
            raise InputError("grid shape", (self.nrows, self.ncols), "non-negative counts")
        if self.north_deg > 90 + _EPS_DEG or self.south_deg < -90 - _EPS_DEG:
            raise InputError(
                "grid latitudes",
                (self.south_deg, self.north_deg),
                "rows within -90 to 90 degrees of latitude",
            )

    @property
    def south_deg(self) -> float:
        """Latitude of the southern edge of the last row, in degrees."""
        return self.north_deg - self.nrows * self.dy_deg

    @property
    def east_deg(self) -> float:
        """Longitude of the eastern edge of the last column, in degrees."""
        return self.west_deg + self.ncols * self.dx_deg

    @property
    def shape(self) -> tuple[int, int]:
        """``(nrows, ncols)``."""
        return (self.nrows, self.ncols)

    @property
    def is_global_lon(self) -> bool:
        """Whether the columns go once round the Earth (``ncols * dx_deg`` = 360°)."""
        return abs(self.ncols * self.dx_deg - 360.0) <= _EPS_DEG

    def lat_centers(self) -> np.ndarray:
        """Latitudes of the row centres, in degrees, north to south (float64)."""
        return self.north_deg - (np.arange(self.nrows, dtype=np.float64) + 0.5) * self.dy_deg

    def lon_centers(self) -> np.ndarray:
        """Longitudes of the column centres, in degrees, west to east (float64)."""
        return self.west_deg + (np.arange(self.ncols, dtype=np.float64) + 0.5) * self.dx_deg

    def row_cell_area_km2(self) -> np.ndarray:
        """Area of one cell of each row on the WGS84 ellipsoid, in km² (float64).

        All cells of a row have the same area: the region between the row's two
        parallels and two meridians ``dx_deg`` apart.

        Examples
        --------
        >>> g = LatLonGrid(west_deg=0, north_deg=1, dx_deg=1, dy_deg=1, nrows=1, ncols=1)
        >>> g.row_cell_area_km2().round(6).tolist()
        [12308.463894]
        """
        edges = self.north_deg - np.arange(self.nrows + 1, dtype=np.float64) * self.dy_deg
        edges = np.clip(edges, -90.0, 90.0)
        return np.asarray(cell_area_km2(lat1=edges[:-1], lat2=edges[1:], dlon_deg=self.dx_deg))

    @classmethod
    def global_grid(cls, arcsec: float) -> LatLonGrid:
        """Return a grid of the whole Earth in square cells, from 180° W, 90° N.

        Parameters
        ----------
        arcsec : float
            Cell size in arc-seconds; it must divide 180° (e.g. 30, 150, 3600).

        Returns
        -------
        LatLonGrid

        Examples
        --------
        >>> LatLonGrid.global_grid(30).shape
        (21600, 43200)
        """
        d = float(arcsec) / 3600.0
        n = round(180.0 / d) if d > 0 and math.isfinite(d) else 0
        if n < 1 or abs(n * d - 180.0) > _EPS_DEG:
            raise InputError(
                "grid cell size", arcsec, "arc-seconds that divide 180° (e.g. 30, 150)"
            )
        return cls(west_deg=-180.0, north_deg=90.0, dx_deg=d, dy_deg=d, nrows=n, ncols=2 * n)

    def window(self, row0: int, row1: int, col0: int, col1: int) -> LatLonGrid:
        """Return the sub-grid of rows ``[row0, row1)`` and columns ``[col0, col1)``.

        Examples
        --------
        >>> g = LatLonGrid.global_grid(3600).window(10, 20, 180, 200)
        >>> g.north_deg, g.west_deg, g.shape
        (80.0, 0.0, (10, 20))
        """
        if not (0 <= row0 <= row1 <= self.nrows and 0 <= col0 <= col1 <= self.ncols):
            raise InputError(
                "grid window",
                (row0, row1, col0, col1),
                f"0 <= row0 <= row1 <= {self.nrows} and 0 <= col0 <= col1 <= {self.ncols}",
            )
        return LatLonGrid(
            west_deg=self.west_deg + col0 * self.dx_deg,
            north_deg=self.north_deg - row0 * self.dy_deg,
            dx_deg=self.dx_deg,
            dy_deg=self.dy_deg,
            nrows=row1 - row0,
            ncols=col1 - col0,
        )

    def cell_of(self, *, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of the cells that hold points; ``-1`` outside the grid.

        Longitudes wrap round on a grid that is global in longitude. A point on an
        edge between two cells goes to the southern / eastern one, except on the
        grid's southern or eastern edge.

        Parameters
        ----------
        lat, lon : array_like
            Points, in degrees.

        Returns
        -------
        rows, cols : numpy.ndarray of int64

        Examples
        --------
        >>> g = LatLonGrid.global_grid(3600)
        >>> r, c = g.cell_of(lat=np.array([89.5, -90.0]), lon=np.array([180.0, -179.5]))
        >>> r.tolist(), c.tolist()
        ([0, 179], [0, 0])
        """
        la = np.asarray(lat, dtype=np.float64)
        lo = np.asarray(lon, dtype=np.float64)
        fr = (self.north_deg - la) / self.dy_deg
        rows = np.floor(fr).astype(np.int64)
        rows = np.where((rows == self.nrows) & (la >= self.south_deg - _EPS_DEG), rows - 1, rows)
        if self.is_global_lon:
            cols = np.floor(((lo - self.west_deg) % 360.0) / self.dx_deg).astype(np.int64)
            cols = np.minimum(cols, self.ncols - 1)
        else:
            cols = np.floor((lo - self.west_deg) / self.dx_deg).astype(np.int64)
            cols = np.where((cols == self.ncols) & (lo <= self.east_deg + _EPS_DEG), cols - 1, cols)
        bad = (rows < 0) | (rows >= self.nrows) | (cols < 0) | (cols >= self.ncols)
        bad |= ~(np.isfinite(la) & np.isfinite(lo))
        return np.where(bad, -1, rows), np.where(bad, -1, cols)


# --------------------------------------------------------------------------- the interface


@runtime_checkable
class PopulationRaster(Protocol):
    """What the coverage engine needs from a population grid.

    Intervals are given as three int64 arrays of one length: for each ``i``, the
    columns ``[starts[i], stops[i])`` of row ``rows[i]`` of ``grid``
    (``0 <= start <= stop <= ncols``; intervals do not wrap round).

    Attributes
    ----------
    grid : LatLonGrid
        The grid of the raster.
    description : str
        What the numbers are, for every output that uses them (says so when the
        grid is an approximation).
    """

    grid: LatLonGrid
    description: str

    def interval_sums(self, rows: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
        """Return the population in each interval (people, float64)."""
        ...

    def interval_sums_by_country(
        self, rows: np.ndarray, starts: np.ndarray, stops: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the population in all intervals together, by country.

        Returns ``(country_index, people)``: rows of ``load_countries()`` (``-1``:
        no country), ascending, each once, and float64 sums.
        """
        ...

    def interval_areas_by_country(
        self, rows: np.ndarray, starts: np.ndarray, stops: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the area of all intervals together, by country: ``(country_index, km²)``."""
        ...


def _intervals(
    grid: LatLonGrid, rows: np.ndarray, starts: np.ndarray, stops: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check intervals and return them as int64 arrays."""
    r = np.asarray(rows, dtype=np.int64).ravel()
    a = np.asarray(starts, dtype=np.int64).ravel()
    b = np.asarray(stops, dtype=np.int64).ravel()
    if not (r.shape == a.shape == b.shape):
        raise ValueError("rows, starts and stops must have the same length")
    if r.size and (
        r.min() < 0 or r.max() >= grid.nrows or a.min() < 0 or (b < a).any() or b.max() > grid.ncols
    ):
        raise ValueError(
            f"intervals must satisfy 0 <= row < {grid.nrows}, 0 <= start <= stop <= {grid.ncols}"
        )
    return r, a, b


def _by_country(country: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum ``weights`` by country index (``-1`` allowed); only indices that occur."""
    if country.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    shifted = country.astype(np.int64) + 1
    sums = np.bincount(shifted, weights=weights)
    seen = np.bincount(shifted) > 0
    idx = np.flatnonzero(seen)
    return idx - 1, sums[idx]


# --------------------------------------------------------------------------- country runs


@dataclass(frozen=True, eq=False)
class CountryRuns:
    """Which country each cell of a grid lies in, as runs along the rows.

    Run ``j`` is the cells ``[starts[j], stops[j])`` of row ``rows[j]``, whose
    centres lie in the polygon of country ``country[j]`` (a row of
    :func:`reachmap.world.tables.load_countries`). Cells in no run are in no country.
    Runs are sorted by row, then column, and do not overlap.

    Attributes
    ----------
    ncols : int
        Columns of the grid.
    rows, starts, stops : numpy.ndarray of int32
        The runs.
    country : numpy.ndarray of int16
        Country row of each run.
    start_keys, stop_keys : numpy.ndarray of int64
        ``row * ncols + start`` and ``row * ncols + stop`` of each run (ascending),
        derived.
    """

    ncols: int
    rows: np.ndarray
    starts: np.ndarray
    stops: np.ndarray
    country: np.ndarray
    start_keys: np.ndarray = field(init=False, repr=False)
    stop_keys: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        base = self.rows.astype(np.int64) * self.ncols
        object.__setattr__(self, "start_keys", base + self.starts)
        object.__setattr__(self, "stop_keys", base + self.stops)

    def __len__(self) -> int:
        return int(self.rows.shape[0])

    def country_at(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Country row of cells (int64; ``-1`` for no country or a negative row/column)."""
        r = np.asarray(rows, dtype=np.int64)
        c = np.asarray(cols, dtype=np.int64)
        keys = r * self.ncols + c
        if len(self) == 0:
            return np.full(keys.shape, -1, dtype=np.int64)
        j = np.searchsorted(self.start_keys, keys, side="right") - 1
        jj = np.maximum(j, 0)
        inside = (j >= 0) & (r >= 0) & (c >= 0) & (keys < self.stop_keys[jj])
        return np.where(inside, self.country[jj].astype(np.int64), -1)

    def overlaps(
        self, rows: np.ndarray, starts: np.ndarray, stops: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Pairs of (interval, run) that share cells.

        Returns
        -------
        interval, run : numpy.ndarray of int64
            Indices of the interval and of the run of each pair.
        lo, hi : numpy.ndarray of int64
            The shared columns ``[lo, hi)``.
        """
        base = rows * self.ncols
        ka, kb = base + starts, base + stops
        j0 = np.searchsorted(self.stop_keys, ka, side="right")  # first run ending after ka
        j1 = np.searchsorted(self.start_keys, kb, side="left")  # runs starting before kb
        count = np.maximum(j1 - j0, 0)
        interval = np.repeat(np.arange(rows.size, dtype=np.int64), count)
        first = np.cumsum(count) - count
        run = j0[interval] + (np.arange(interval.size, dtype=np.int64) - first[interval])
        lo = np.maximum(self.start_keys[run], ka[interval]) - base[interval]
        hi = np.minimum(self.stop_keys[run], kb[interval]) - base[interval]
        return interval, run, lo, hi

    def areas_by_country(
        self, row_area_km2: np.ndarray, rows: np.ndarray, starts: np.ndarray, stops: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Area of checked intervals by country (``-1``: no country), in km²."""
        interval, run, lo, hi = self.overlaps(rows, starts, stops)
        land = np.bincount(interval, weights=hi - lo, minlength=rows.size)
        sea = (stops - starts) - land
        country = np.concatenate([self.country[run].astype(np.int64), np.full(rows.size, -1)])
        cells = np.concatenate([hi - lo, sea]).astype(np.float64)
        area = cells * np.concatenate([row_area_km2[rows[interval]], row_area_km2[rows]])
        keep = cells > 0
        return _by_country(country[keep], area[keep])


def _runs_of_band(band: np.ndarray, row0: int, fill: int) -> tuple[np.ndarray, ...]:
    """Find the runs of equal values along the rows of a 2-D array, except ``fill``."""
    nb, ncols = band.shape
    is_start = np.empty(band.shape, dtype=bool)
    is_start[:, 0] = True
    np.not_equal(band[:, 1:], band[:, :-1], out=is_start[:, 1:])
    flat = np.flatnonzero(is_start)
    del is_start
    stop_flat = np.append(flat[1:], nb * ncols)
    value = band.ravel()[flat]
    keep = value != fill
    flat, stop_flat, value = flat[keep], stop_flat[keep], value[keep]
    rows = flat // ncols
    starts = flat - rows * ncols
    return (
        (rows + row0).astype(np.int32),
        starts.astype(np.int32),
        (starts + (stop_flat - flat)).astype(np.int32),
        value.astype(np.int16),
    )


def rasterize_countries(
    grid: LatLonGrid, *, progress: Callable[[int, int], None] | None = None
) -> CountryRuns:
    """Rasterize the bundled country polygons on a grid, by cell centre.

    A cell belongs to the country whose polygon holds its centre (GDAL's
    rasterization with ``all_touched=False``). Polygons are burnt a band of rows at
    a time, so memory stays near ``_BAND_CELLS`` bytes whatever the grid's size.

    Parameters
    ----------
    grid : LatLonGrid
        The grid; longitudes outside [-180, 180] are handled (polygons are repeated
        360° east and west as needed).
    progress : callable, optional
        Called as ``progress(done_rows, total_rows)`` after each band.

    Returns
    -------
    CountryRuns
    """
    from rasterio.features import rasterize
    from rasterio.transform import Affine

    countries = load_countries()
    fill = 255 if len(countries) < 255 else 65535
    dtype = np.uint8 if fill == 255 else np.uint16
    parts, index = shapely.get_parts(countries.geometry, return_index=True)
    shifts = [
        k * 360.0
        for k in (-1, 0, 1)
        if grid.west_deg < 180.0 + k * 360.0 and grid.east_deg > -180.0 + k * 360.0
    ]
    if len(shifts) > 1 or shifts[0] != 0.0:
        moved = [shapely.transform(parts, lambda xy, s=s: xy + np.array([s, 0.0])) for s in shifts]
        parts = np.concatenate(moved)
        index = np.tile(index, len(shifts))
    bounds = shapely.bounds(parts)
    band_rows = max(1, _BAND_CELLS // max(grid.ncols, 1))
    out: list[tuple[np.ndarray, ...]] = []
    for row0 in range(0, grid.nrows, band_rows):
        nb = min(band_rows, grid.nrows - row0)
        north = grid.north_deg - row0 * grid.dy_deg
        south = north - nb * grid.dy_deg
        sel = np.flatnonzero(
            (bounds[:, 1] <= north)
            & (bounds[:, 3] >= south)
            & (bounds[:, 0] <= grid.east_deg)
            & (bounds[:, 2] >= grid.west_deg)
        )
        if sel.size and grid.ncols:
            band = rasterize(
                zip(parts[sel], index[sel].tolist(), strict=True),
                out_shape=(nb, grid.ncols),
                transform=Affine(grid.dx_deg, 0.0, grid.west_deg, 0.0, -grid.dy_deg, north),
                fill=fill,
                all_touched=False,
                dtype=dtype,
            )
            out.append(_runs_of_band(band, row0, fill))
            del band
        if progress is not None:
            progress(row0 + nb, grid.nrows)
    if not out:
        empty = np.empty(0, dtype=np.int32)
        return CountryRuns(grid.ncols, empty, empty, empty, np.empty(0, dtype=np.int16))
    cols = [np.concatenate(c) for c in zip(*out, strict=True)]
    return CountryRuns(grid.ncols, *cols)


@functools.lru_cache(maxsize=4)
def country_runs(grid: LatLonGrid) -> CountryRuns:
    """Country runs of a grid (:func:`rasterize_countries`, cached for 4 grids)."""
    return rasterize_countries(grid)
