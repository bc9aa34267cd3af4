"""The cells of a grid that lie in a polygon: for regions that count part of a country.

A region such as geographic Europe counts Russia west of the Urals; on a population
grid, that is Russia's cells whose centres lie in the part's polygon. The test is
planar in lon/lat degrees (GDAL's rasterisation rule: a cell is in when its centre
is), the same rule the bundled countries are rasterised with
(:func:`reachmap.coverage.grid.rasterize_countries`), so a part's cells and its
country's cells agree along every shared edge. Sums by country then keep only the
country's own cells (a neighbour's cell inside the part's outline is its neighbour's).

rasterio (already used to read GeoTIFFs) burns the polygon into a window the size
of its bounds, and the rows are read back as column intervals. Sets of cells are
intersected and subtracted as sorted keys ``row * width + column`` (one vectorised pass).
"""

from __future__ import annotations

import functools

import numpy as np
from shapely.geometry.base import BaseGeometry

from reachmap.coverage.grid import LatLonGrid
from reachmap.coverage.raster import RowIntervals

__all__ = [
    "empty_intervals",
    "intersect_intervals",
    "merge_intervals",
    "polygon_cells",
    "subtract_intervals",
]


def polygon_cells(grid: LatLonGrid, geometry: BaseGeometry) -> RowIntervals:
    """Cells of ``grid`` whose centres lie inside ``geometry`` (lon/lat degrees).

    Parameters
    ----------
    grid : LatLonGrid
        The grid.
    geometry : shapely geometry
        Polygon or MultiPolygon, lon/lat degrees, within [-180, 180].

    Returns
    -------
    RowIntervals
        The cells, as column intervals per row.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = LatLonGrid(west_deg=-180.0, north_deg=90.0, dx_deg=1.0, dy_deg=1.0,
    ...                nrows=180, ncols=360)
    >>> polygon_cells(g, box(0.0, 0.0, 3.0, 2.0)).cell_count
    6
    """
    key = (grid.west_deg, grid.north_deg, grid.dx_deg, grid.dy_deg, grid.nrows, grid.ncols)
    return _cells(key, geometry)


@functools.lru_cache(maxsize=64)
def _cells(
    key: tuple[float, float, float, float, int, int], geometry: BaseGeometry
) -> RowIntervals:
    from affine import Affine
    from rasterio.features import rasterize

    west, north, dx, dy, nrows, ncols = key
    empty = np.zeros(0, dtype=np.int64)
    if geometry.is_empty:
        return RowIntervals(empty, empty, empty)
    gw, gs, ge, gn = geometry.bounds
    c0 = max(int(np.floor((gw - west) / dx)) - 1, 0)
    c1 = min(int(np.ceil((ge - west) / dx)) + 1, ncols)
    r0 = max(int(np.floor((north - gn) / dy)) - 1, 0)
    r1 = min(int(np.ceil((north - gs) / dy)) + 1, nrows)
    if c1 <= c0 or r1 <= r0:
        return RowIntervals(empty, empty, empty)
    transform = Affine(dx, 0.0, west + c0 * dx, 0.0, -dy, north - r0 * dy)
    mask = rasterize(
        [geometry], out_shape=(r1 - r0, c1 - c0), transform=transform, fill=0,
        default_value=1, dtype="uint8", all_touched=False,
    ).astype(bool)  # fmt: skip
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    edges = np.diff(padded, axis=1)
    rs, starts = np.nonzero(edges == 1)
    _, stops = np.nonzero(edges == -1)
    return RowIntervals(
        (rs + r0).astype(np.int64), (starts + c0).astype(np.int64), (stops + c0).astype(np.int64)
    )


def empty_intervals() -> RowIntervals:
    """No cells."""
    none = np.zeros(0, dtype=np.int64)
    return RowIntervals(none, none, none)


def _width(*parts: RowIntervals) -> int:
    """Return a row pitch for keys ``row * width + column``: more than any stop."""
    return 1 + max((int(np.max(p.stops)) for p in parts if np.size(p.stops)), default=0)


def _keys(iv: RowIntervals, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Intervals as sorted, merged ``[k0, k1)`` keys ``row * width + column``."""
    r = np.asarray(iv.rows, dtype=np.int64)
    a = np.asarray(iv.starts, dtype=np.int64)
    b = np.asarray(iv.stops, dtype=np.int64)
    keep = b > a
    base = r[keep] * width
    k0, k1 = base + a[keep], base + b[keep]
    if k0.size == 0:
        return k0, k1
    order = np.argsort(k0, kind="stable")
    k0, k1 = k0[order], k1[order]
    reach = np.maximum.accumulate(k1)
    new = np.ones(k0.size, dtype=bool)
    new[1:] = k0[1:] > reach[:-1]  # touching intervals merge; rows never touch (width)
    first = np.flatnonzero(new)
    last = np.append(first[1:] - 1, k0.size - 1)
    return k0[first], reach[last]


def _from_keys(k0: np.ndarray, k1: np.ndarray, width: int, fallback: int = 0) -> RowIntervals:
    rows = k0 // width
    return RowIntervals(rows, k0 - rows * width, k1 - rows * width, fallback_rows=fallback)


def _intersect_keys(
    a0: np.ndarray, a1: np.ndarray, b0: np.ndarray, b1: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Intersection of two sorted lists of disjoint, non-touching ``[k0, k1)`` intervals."""
    j0 = np.searchsorted(b1, a0, side="right")  # first b ending after a starts
    j1 = np.searchsorted(b0, a1, side="left")  # b starting before a stops
    count = np.maximum(j1 - j0, 0)
    ia = np.repeat(np.arange(a0.size, dtype=np.int64), count)
    first = np.cumsum(count) - count
    jb = j0[ia] + (np.arange(ia.size, dtype=np.int64) - first[ia])
    lo = np.maximum(a0[ia], b0[jb])
    hi = np.minimum(a1[ia], b1[jb])
    keep = hi > lo
    return lo[keep], hi[keep]


def intersect_intervals(a: RowIntervals, b: RowIntervals) -> RowIntervals:
    """Cells in both of two sets of per-row column intervals.

    Parameters
    ----------
    a, b : RowIntervals
        Cells as column intervals ``[start, stop)`` per row, on one grid; they need not
        be sorted or merged (empty intervals are ignored).

    Returns
    -------
    RowIntervals
        The common cells, sorted by row then start, merged (no two intervals of a row
        overlap or touch); ``fallback_rows`` is the sum of the inputs'.

    Examples
    --------
    >>> a = RowIntervals(np.array([0, 0, 2]), np.array([0, 5, 1]), np.array([3, 9, 4]))
    >>> b = RowIntervals(np.array([0, 2]), np.array([2, 0]), np.array([6, 2]))
    >>> c = intersect_intervals(a, b)
    >>> c.rows.tolist(), c.starts.tolist(), c.stops.tolist()
    ([0, 0, 2], [2, 5, 1], [3, 6, 2])
    """
    width = _width(a, b)
    a0, a1 = _keys(a, width)
    b0, b1 = _keys(b, width)
    k0, k1 = _intersect_keys(a0, a1, b0, b1)
    return _from_keys(k0, k1, width, a.fallback_rows + b.fallback_rows)


def subtract_intervals(a: RowIntervals, b: RowIntervals) -> RowIntervals:
    """Cells of ``a`` not in ``b`` (neither need be sorted or merged).

    Examples
    --------
    >>> i = lambda *v: np.array(v, dtype=np.int64)
    >>> out = subtract_intervals(RowIntervals(i(0, 1), i(0, 0), i(10, 4)),
    ...                          RowIntervals(i(0), i(3), i(5)))
    >>> out.rows.tolist(), out.starts.tolist(), out.stops.tolist()
    ([0, 0, 1], [0, 5, 0], [3, 10, 4])
    """
    width = _width(a, b)
    a0, a1 = _keys(a, width)
    if a0.size == 0:
        return empty_intervals()
    b0, b1 = _keys(b, width)
    c0 = np.concatenate([[0], b1])  # the gaps of b along the keys (they may span rows;
    c1 = np.concatenate([b0, [a1[-1]]])  # cut by a's intervals, which do not)
    keep = c1 > c0
    k0, k1 = _intersect_keys(a0, a1, c0[keep], c1[keep])
    return _from_keys(k0, k1, width)


def merge_intervals(iv: RowIntervals) -> RowIntervals:
    """Return the same cells sorted by row then start, overlapping or touching ones merged.

    Examples
    --------
    >>> i = lambda *v: np.array(v, dtype=np.int64)
    >>> out = merge_intervals(RowIntervals(i(1, 0, 0), i(0, 4, 0), i(2, 9, 5)))
    >>> out.rows.tolist(), out.starts.tolist(), out.stops.tolist()
    ([0, 1], [0, 0], [9, 2])
    """
    width = _width(iv)
    return _from_keys(*_keys(iv, width), width, iv.fallback_rows)
