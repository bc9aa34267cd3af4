"""Exact coverage of a lat/lon grid: which cells lie within reach, row by row.

A cell is covered when the geodesic distance (WGS84) from a site to the cell's
centre is within the range, exactly as a brute-force test of every cell would
decide; the brute force stays in the test suite as the oracle.

Why one interval per row
------------------------
On an ellipsoid of revolution the distance from a site to the points of a
parallel is symmetric about the site's meridian, and it never decreases as the
longitude difference grows from 0° to 180°: along a geodesic ``sin(azimuth)``
keeps its sign (Clairaut's relation), so the shortest geodesic to a point east
of the site heads east all the way, and moving that point further east cannot
shorten it. The cells of a row within a disc therefore form one circular interval
of columns centred on the site's longitude (a disc holding a pole fills whole rows).

How an interval is found
------------------------
Per row, the half-width is found by a safeguarded Newton iteration on exact
distances (the derivative comes from the geodesic's azimuth at the cell), started
from the spherical answer. The two cells on each side of each end are then tested
with exact distances and the end is moved until they agree; a row whose ends do
not settle within a few steps is decided cell by cell (a fallback the tests watch).
An annulus is the disc minus the cells *strictly* nearer than the minimum range;
several sites give the union of their intervals, row by row.

Length: about 520 lines, one algorithm (spherical estimate, exact settling, the cell-by-cell
fallback, annuli and unions) whose invariants this docstring states once; splitting it
would part the argument from the code it proves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from reachmap.errors import InputError
from reachmap.geo.geodesy import (
    GEOD,
    SPHERE_RELATIVE_ERROR,
    inverse,
    inverse_with_arrival,
    sphere_distance_km,
)

__all__ = [
    "GridGeometry",
    "RowIntervals",
    "covered_intervals",
    "covered_union",
    "disc_row_bounds",
]

_A_KM = GEOD.a / 1000.0  # WGS84 semi-major axis
_E2 = GEOD.es  # first eccentricity squared
_MEAN_RADIUS_KM = 6371.0088
_MAX_FIX_STEPS = 6  # boundary adjustments per row before falling back to cell tests


class GridGeometry(Protocol):
    """What the engine needs to know of a regular lat/lon grid (EPSG:4326).

    Rows run north to south, columns west to east; cell ``(r, c)`` has its centre
    at latitude ``north_deg - (r + 0.5) * dy_deg`` and longitude
    ``west_deg + (c + 0.5) * dx_deg``, in degrees.
    """

    @property
    def west_deg(self) -> float:
        """Longitude of the grid's west edge, degrees."""

    @property
    def north_deg(self) -> float:
        """Latitude of the grid's north edge, degrees."""

    @property
    def dx_deg(self) -> float:
        """Cell width, degrees of longitude."""

    @property
    def dy_deg(self) -> float:
        """Cell height, degrees of latitude."""

    @property
    def nrows(self) -> int:
        """Number of rows."""

    @property
    def ncols(self) -> int:
        """Number of columns."""


@dataclass(frozen=True)
class RowIntervals:
    """Covered cells as column intervals ``[start, stop)`` per row.

    Attributes
    ----------
    rows, starts, stops : numpy.ndarray of int64
        One entry per interval, sorted by row then start; intervals of a row do
        not overlap or touch.
    fallback_rows : int
        Rows decided cell by cell because their ends did not settle (expected 0).
    """

    rows: np.ndarray
    starts: np.ndarray
    stops: np.ndarray
    fallback_rows: int = 0

    @property
    def cell_count(self) -> int:
        """Number of covered cells."""
        return int((self.stops - self.starts).sum())

    def mask(self, nrows: int, ncols: int) -> np.ndarray:
        """Boolean ``(nrows, ncols)`` mask of the covered cells (for small grids and tests)."""
        out = np.zeros((nrows, ncols), dtype=bool)
        for r, a, b in zip(self.rows, self.starts, self.stops, strict=True):
            out[r, a:b] = True
        return out


def _global_columns(grid: GridGeometry) -> int:
    g = 360.0 / grid.dx_deg
    if abs(g - round(g)) > 1e-6 * g:
        raise InputError(
            "population", f"cell width {grid.dx_deg}°", "a grid whose cell width divides 360°"
        )
    return round(g)


def _row_lats(grid: GridGeometry) -> np.ndarray:
    return grid.north_deg - (np.arange(grid.nrows) + 0.5) * grid.dy_deg


def _cell_lon(grid: GridGeometry, j: np.ndarray) -> np.ndarray:
    return grid.west_deg + (j + 0.5) * grid.dx_deg


def _inside(d: np.ndarray, radius_km: float, strict: bool) -> np.ndarray:
    return d < radius_km if strict else d <= radius_km


def disc_row_bounds(
    grid: GridGeometry, *, lat: float, lon: float, radius_km: float, strict: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row, the unwrapped column interval of cells within a geodesic disc.

    Parameters
    ----------
    grid : GridGeometry
        The grid (its cell width must divide 360°).
    lat, lon : float
        Site, in degrees.
    radius_km : float
        Radius in kilometres.
    strict : bool
        Count cells at distance ``< radius_km`` instead of ``<= radius_km`` (for
        the hole of an annulus).

    Returns
    -------
    first, last : numpy.ndarray of int64
        Per row, the first and last covered column in *unwrapped* column numbers
        (column ``j`` is column ``j mod G`` of a global grid of ``G`` columns
        aligned with this one); ``last < first`` means the row has no covered cell.
    full : numpy.ndarray of bool
        Rows where every cell is covered.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> g = SimpleNamespace(west_deg=-180.0, north_deg=90.0, dx_deg=1.0, dy_deg=1.0,
    ...                     nrows=180, ncols=360)
    >>> first, last, full = disc_row_bounds(g, lat=0.0, lon=0.0, radius_km=200.0)
    >>> int(first[89]), int(last[89]), bool(full.any())   # row 89: centre 0.5° N
    (178, 181, False)
    """
    first, last, full, _ = _disc_bounds(grid, lat, lon, radius_km, strict)
    return first, last, full


def _disc_bounds(
    grid: GridGeometry, lat: float, lon: float, radius_km: float, strict: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """:func:`disc_row_bounds`, plus the number of rows decided cell by cell."""
    G = _global_columns(grid)
    phi = _row_lats(grid)
    n = grid.nrows
    u = (lon - grid.west_deg) / grid.dx_deg - 0.5  # the site's fractional column
    # The nearest (same meridian) and farthest (opposite meridian) points of each
    # row decide empty and full rows; the spherical bound settles most rows, exact
    # distances the rest.
    s0 = sphere_distance_km(lat, lon, phi, lon)
    s180 = sphere_distance_km(lat, lon, phi, lon + 180.0)
    empty = s0 - (SPHERE_RELATIVE_ERROR * s0 + 1.0) > radius_km
    full = s180 + (SPHERE_RELATIVE_ERROR * s180 + 1.0) < radius_km
    unsure = np.flatnonzero(~empty & ~full)
    if unsure.size:
        lat_u, lon_u = np.full(unsure.size, float(lat)), np.full(unsure.size, float(lon))
        d0, _ = inverse(lat1=lat_u, lon1=lon_u, lat2=phi[unsure], lon2=lon_u)
        d180, _ = inverse(lat1=lat_u, lon1=lon_u, lat2=phi[unsure], lon2=lon_u + 180.0)
        empty[unsure] = ~_inside(d0, radius_km, strict)
        full[unsure] = _inside(d180, radius_km, strict)
    first = np.zeros(n, dtype=np.int64)
    last = np.full(n, -1, dtype=np.int64)
    part = ~empty & ~full
    fallback = np.zeros(n, dtype=bool)
    if part.any():
        rows = np.flatnonzero(part)
        w = _interpolated_half_width(lat, lon, phi, rows, radius_km, 1e-3 * grid.dx_deg)
        f_r, l_r, bad = _settle(grid, lat, lon, phi[rows], u, w, radius_km, strict, rounds=2)
        if bad.any():  # interpolation was too rough there: solve those rows on their own
            redo = np.flatnonzero(bad)
            w_r = _half_width(lat, lon, phi[rows[redo]], radius_km, 1e-3 * grid.dx_deg)
            f_r[redo], l_r[redo], bad[redo] = _settle(
                grid, lat, lon, phi[rows[redo]], u, w_r, radius_km, strict
            )
        first[rows], last[rows] = f_r, l_r
        fallback[rows] = bad
    if fallback.any():  # pragma: no cover - not seen; the tests would flag it
        for r in np.flatnonzero(fallback):
            first[r], last[r], full[r] = _row_by_cells(
                grid, G, lat, lon, phi[r], u, radius_km, strict
            )
    full_rows = full.copy()
    first[full_rows] = np.ceil(u - G / 2.0).astype(np.int64)
    last[full_rows] = first[full_rows] + G - 1
    wide = ~full_rows & (last - first + 1 >= G)
    full_rows |= wide
    first[wide] = np.ceil(u - G / 2.0).astype(np.int64)
    last[wide] = first[wide] + G - 1
    return first, last, full_rows, int(fallback.sum())


_SAMPLE_EVERY = 8  # rows between Newton solves; the rows between are interpolated


def _interpolated_half_width(
    lat: float, lon: float, phi: np.ndarray, rows: np.ndarray, radius_km: float, tol_deg: float
) -> np.ndarray:
    """Solve half-widths on every few rows, and interpolate the rows between.

    Solved rows are every ``_SAMPLE_EVERY``-th and both ends of each run of
    consecutive rows; the ends of every row are settled by exact tests afterwards,
    so a rough value costs only an extra test.
    """
    run_edge = np.ones(rows.size, dtype=bool)
    run_edge[1:-1] = (np.diff(rows)[1:] != 1) | (np.diff(rows)[:-1] != 1)
    solve = run_edge | (np.arange(rows.size) % _SAMPLE_EVERY == 0)
    w_solved = _half_width(lat, lon, phi[rows[solve]], radius_km, tol_deg)
    return np.interp(rows, rows[solve], w_solved)


def _half_width(
    lat: float, lon: float, phi: np.ndarray, radius_km: float, tol_deg: float
) -> np.ndarray:
    """Longitude half-width (degrees) where the distance to the parallel equals the radius.

    Found to ``tol_deg`` (a small share of a cell): the cells at the ends are then
    settled by exact tests, so this need not be finer.
    """
    # spherical start
    p1, p2 = np.radians(lat), np.radians(phi)
    sigma = min(radius_km / _MEAN_RADIUS_KM, np.pi)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = (np.cos(sigma) - np.sin(p1) * np.sin(p2)) / (np.cos(p1) * np.cos(p2))
    x = np.degrees(np.arccos(np.clip(np.nan_to_num(c, nan=1.0), -1.0, 1.0)))
    lo = np.zeros_like(phi)
    hi = np.full_like(phi, 180.0)
    x = np.clip(x, 1e-9, 180.0 - 1e-9)
    n_cos = _A_KM / np.sqrt(1.0 - _E2 * np.sin(p2) ** 2) * np.cos(p2)  # km per radian of lon
    active = np.ones(phi.size, dtype=bool)
    s_lat = np.full(phi.size, float(lat))
    for _ in range(60):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        d, arrival = inverse_with_arrival(
            lat1=s_lat[idx], lon1=np.full(idx.size, lon), lat2=phi[idx], lon2=lon + x[idx]
        )
        f = d - radius_km
        below = f <= 0
        lo[idx] = np.where(below, x[idx], lo[idx])
        hi[idx] = np.where(below, hi[idx], x[idx])
        slope = n_cos[idx] * np.sin(np.radians(arrival)) * np.pi / 180.0  # km per degree
        with np.errstate(divide="ignore", invalid="ignore"):
            step = x[idx] - f / slope
        ok = np.isfinite(step) & (step > lo[idx]) & (step < hi[idx]) & (slope > 0)
        new = np.where(ok, step, 0.5 * (lo[idx] + hi[idx]))
        done = (np.abs(new - x[idx]) < tol_deg) | (np.abs(f) < 1e-9) | (hi[idx] - lo[idx] < tol_deg)
        x[idx] = np.where(done, x[idx], new)
        active[idx[done]] = False
    return x


def _settle(
    grid: GridGeometry,
    lat: float,
    lon: float,
    phi: np.ndarray,
    u: float,
    w: np.ndarray,
    radius_km: float,
    strict: bool,
    rounds: int = _MAX_FIX_STEPS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn half-widths into exact first/last columns by testing the cells at each end.

    Returns the first and last covered columns and, per row, whether its ends did
    not settle within ``rounds`` rounds of tests.
    """
    dx = grid.dx_deg
    last = np.floor(u + w / dx).astype(np.int64)
    first = np.ceil(u - w / dx).astype(np.int64)
    s_lat = np.full(phi.size, float(lat))
    s_lon = np.full(phi.size, float(lon))

    def inside(idx: np.ndarray, j: np.ndarray) -> np.ndarray:
        d, _ = inverse(lat1=s_lat[idx], lon1=s_lon[idx], lat2=phi[idx], lon2=_cell_lon(grid, j))
        return _inside(d, radius_km, strict)

    # Cells right of the site (column >= c) are covered up to `last`, those left of it
    # from `first`; either side may be empty (last = c - 1, first = c). Since the
    # covered cells are those with |lon - site lon| up to some half-width, only two
    # cells need testing per round: the farthest covered one and the nearest
    # uncovered one, whichever side each is on. Settled rows drop out.
    c = int(np.ceil(u))
    last = np.maximum(last, c - 1)
    first = np.minimum(first, c)
    settled = np.zeros(phi.size, dtype=bool)
    active = np.arange(phi.size)
    for _ in range(rounds):
        la, fi = last[active], first[active]
        off_last = np.where(la >= c, la - u, -1.0)  # offset of the outermost covered cell
        off_first = np.where(fi <= c - 1, u - fi, -1.0)
        has_in = (off_last >= 0) | (off_first >= 0)
        far_in = np.where(off_last >= off_first, la, fi)
        near_out = np.where((la + 1 - u) <= (u - (fi - 1)), la + 1, fi - 1)
        ok_in = ~has_in | inside(active, far_in)
        ok_out = ~inside(active, near_out)
        done = ok_in & ok_out
        settled[active[done]] = True
        # shrink past the outermost covered cell, or grow to the nearest uncovered one
        grow = ok_in & ~ok_out
        last[active] = np.where(
            ~ok_in & (far_in == la) & (off_last >= 0), la - 1,
            np.where(grow & (near_out == la + 1), la + 1, la),
        )  # fmt: skip
        first[active] = np.where(
            ~ok_in & (far_in == fi) & (off_first >= 0), fi + 1,
            np.where(grow & (near_out == fi - 1), fi - 1, fi),
        )  # fmt: skip
        active = active[~done]
        if active.size == 0:
            break
    return first, last, ~settled


def _row_by_cells(
    grid: GridGeometry,
    G: int,
    lat: float,
    lon: float,
    phi: float,
    u: float,
    radius_km: float,
    strict: bool,
) -> tuple[int, int, bool]:  # pragma: no cover - fallback
    """Decide one row cell by cell (exact distance to every cell of a global row)."""
    j = np.arange(int(np.ceil(u - G / 2.0)), int(np.ceil(u - G / 2.0)) + G)
    d, _ = inverse(
        lat1=np.full(G, lat), lon1=np.full(G, lon), lat2=np.full(G, phi), lon2=_cell_lon(grid, j)
    )
    inside = _inside(d, radius_km, strict)
    if inside.all():
        return int(j[0]), int(j[-1]), True
    if not inside.any():
        return 0, -1, False
    hit = np.flatnonzero(inside)
    return int(j[hit[0]]), int(j[hit[-1]]), False


def _to_columns(
    rows: np.ndarray, first: np.ndarray, last: np.ndarray, G: int, ncols: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Map unwrapped closed intervals [first, last] onto the grid's columns [0, ncols)."""
    keep = last >= first
    rows, first, last = rows[keep], first[keep], last[keep]
    out_r, out_a, out_b = [], [], []
    base = np.floor_divide(first, G) * G  # bring each interval's start into [0, G)
    first, last = first - base, last - base
    for k in (0, 1):  # an interval of at most G columns starting in [0, G) spans two copies
        a = np.maximum(first - k * G, 0)
        b = np.minimum(last - k * G, ncols - 1)
        ok = b >= a
        out_r.append(rows[ok])
        out_a.append(a[ok])
        out_b.append(b[ok] + 1)
    return np.concatenate(out_r), np.concatenate(out_a), np.concatenate(out_b)


def _merge(rows: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> RowIntervals:
    """Union of intervals per row: sort, then merge those that overlap or touch."""
    if rows.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return RowIntervals(empty, empty, empty)
    order = np.lexsort((starts, rows))
    rows, starts, stops = rows[order], starts[order], stops[order]
    # running maximum of stops within each row
    key = rows.astype(np.float64) * (1 << 32)
    run_max = np.maximum.accumulate(key + stops) - key
    new_group = np.ones(rows.size, dtype=bool)
    new_group[1:] = (rows[1:] != rows[:-1]) | (starts[1:] > run_max[:-1])
    group = np.cumsum(new_group) - 1
    g_rows = rows[new_group]
    g_starts = starts[new_group]
    g_stops = np.zeros(g_rows.size, dtype=np.int64)
    np.maximum.at(g_stops, group, stops)
    return RowIntervals(g_rows, g_starts, g_stops)


def covered_intervals(
    grid: GridGeometry, sites: Sequence[tuple[float, float]], *, min_km: float, max_km: float
) -> RowIntervals:
    """Cells whose centres are within ``min_km..max_km`` of at least one site.

    Parameters
    ----------
    grid : GridGeometry
        A regular lat/lon grid whose cell width divides 360°.
    sites : sequence of (lat, lon)
        Sites in degrees, latitude first.
    min_km, max_km : float
        Range interval in kilometres; a cell is covered when
        ``min_km <= distance <= max_km`` for some site.

    Returns
    -------
    RowIntervals
        Covered cells as merged column intervals per row.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> g = SimpleNamespace(west_deg=-180.0, north_deg=90.0, dx_deg=1.0, dy_deg=1.0,
    ...                     nrows=180, ncols=360)
    >>> covered_intervals(g, [(0.0, 0.0)], min_km=0.0, max_km=200.0).cell_count
    12
    """
    if not sites:
        raise InputError("site", "", "at least one site (a place name or 'lat,lon')")
    if not 0.0 <= min_km <= max_km:
        raise InputError("min_km", min_km, f"a distance from 0 to max_km ({max_km} km)")
    G = _global_columns(grid)
    all_r, all_a, all_b = [], [], []
    fallback = 0
    rows = np.arange(grid.nrows, dtype=np.int64)
    for s_lat, s_lon in sites:
        f_out, l_out, _, n_fb = _disc_bounds(grid, s_lat, s_lon, max_km, False)
        fallback += n_fb
        if min_km > 0.0:
            f_in, l_in, _, n_fb = _disc_bounds(grid, s_lat, s_lon, min_km, True)
            fallback += n_fb
            # Both intervals are centred on the site in the same unwrapped numbering and
            # the hole lies inside the disc: the annulus is what is left on either side.
            has_hole = l_in >= f_in
            pieces = [
                (f_out, np.where(has_hole, f_in - 1, l_out)),
                (np.where(has_hole, l_in + 1, 0), np.where(has_hole, l_out, -1)),
            ]
        else:
            pieces = [(f_out, l_out)]
        for first, last in pieces:
            r, a, b = _to_columns(rows, first, last, G, grid.ncols)
            all_r.append(r)
            all_a.append(a)
            all_b.append(b)
    merged = _merge(np.concatenate(all_r), np.concatenate(all_a), np.concatenate(all_b))
    return RowIntervals(merged.rows, merged.starts, merged.stops, fallback_rows=fallback)


def covered_union(
    grid: GridGeometry, annuli: Sequence[tuple[float, float, float, float]]
) -> RowIntervals:
    """Cells whose centres lie in at least one of several annuli, each with its own radii.

    Parameters
    ----------
    grid : GridGeometry
        As for :func:`covered_intervals`.
    annuli : sequence of (lat, lon, min_km, max_km)
        Site in degrees and range interval in kilometres, per annulus; annuli whose
        ``max_km`` is below ``min_km`` are empty and skipped.

    Returns
    -------
    RowIntervals
        Covered cells as merged column intervals per row (none if every annulus is empty).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> g = SimpleNamespace(west_deg=-180.0, north_deg=90.0, dx_deg=1.0, dy_deg=1.0,
    ...                     nrows=180, ncols=360)
    >>> covered_union(g, [(0.0, 0.0, 0.0, 200.0), (0.0, 0.0, 5.0, 1.0)]).cell_count
    12
    """
    parts = [
        covered_intervals(grid, [(la, lo)], min_km=a, max_km=b) for la, lo, a, b in annuli if b >= a
    ]
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return RowIntervals(empty, empty, empty)
    if len(parts) == 1:
        return parts[0]
    merged = _merge(
        np.concatenate([p.rows for p in parts]),
        np.concatenate([p.starts for p in parts]),
        np.concatenate([p.stops for p in parts]),
    )
    return RowIntervals(
        merged.rows, merged.starts, merged.stops, fallback_rows=sum(p.fallback_rows for p in parts)
    )
