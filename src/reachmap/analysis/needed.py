"""The range a claim needs: the smallest maximum range that reaches a region from its sites.

"It can cover all of Europe from Belarus" needs a range; this module says which. For a
region (its cells on a population grid, its capitals) and one or more point sites, with
``D(x) = min over sites of the WGS84 geodesic distance to x`` (kilometres):

* **capitals**: ``max over capitals of D``, with the capital that decides it and its
  nearest site (exact: every capital's distance is computed);
* **territory**: ``max over the region's cells of D(cell centre)``, with the deciding
  cell's centre (a map location of the farthest ground, nothing more) and its country;
* **people**: the smallest ``r`` such that the people of the region's cells with
  ``D <= r`` are at least ``q`` times the region's people on the grid (``q`` = 0.99 by
  default); ``r`` is always one of the cells' ``D``;
* **the hole** (a minimum range ``a > 0``): the region's cells with ``D < a``, their
  number, area (km², ellipsoidal cells) and people, and the capitals with ``D < a``.

Algorithm
---------
Distances to every cell of a fine grid are never computed. The engine
(:func:`reachmap.coverage.raster.covered_intervals`) gives, for any ``r``, the cells
with ``D <= r`` as per-row intervals, exactly (each cell centre decided by its geodesic
distance), in milliseconds even at 30″; the region is intersected with them row by
row (:func:`intersect_intervals`). Everything runs on the window of the grid that holds
the region.

*Territory.* Along a parallel, the distance from one site never decreases as the
longitude difference grows from 0° to 180° (the property the engine rests on, see
:mod:`reachmap.coverage.raster`), so over an interval of cells one site's distance is
largest at an end of the interval, or at the cell next to the site's opposite meridian
when the interval holds it. Those candidate cells give, exactly, each site's farthest
region cell (``U_s``), hence an upper bound ``hi = min_s U_s`` of the answer, and their
``D`` gives a lower bound ``lo`` that some cell attains. With one site ``lo = hi`` and
that is the answer. Otherwise the region's cells with ``D > r`` (the region minus the
covered cells) are found for ``r = lo``: none means ``lo`` is the answer (the common
case: an interval end decides); else bisection on ``r`` in ``(lo, hi)``, where none
means the answer is at most ``r``; once at most ``_EXACT_CELLS`` (250,000) remain,
their exact ``D`` is computed and the largest is the answer (every cell farther than
``r`` is among them).

*People.* Bisection on ``r`` from ``(0, territory]`` keeps ``g(lo) < target <= g(hi)``,
with ``g(r)`` the people of the covered region cells (interval sums), until at most
``_EXACT_CELLS`` cells lie between the two covered sets. Those cells' exact ``D`` and
people (single-cell interval sums) are sorted by ``D`` and accumulated on top of
``g(lo)``; the first ``D`` at which the sum reaches the target is the answer, which is
the smallest ``r`` with ``g(r) >= target``: ``g`` only steps at the cells' ``D``.

*Hole.* For each site the engine's annulus ``a <= d <= 20,040 km`` holds the cells not
strictly nearer than ``a`` to that site; their intersection over the sites is the cells
with ``D >= a``, and the region minus it is the hole, exactly (strict inequality).

Exactness and its limits
------------------------
Every answer is a distance computed by :func:`reachmap.geo.geodesy.distance_km` (GeographicLib's
algorithm) to a capital or to a cell centre, so it equals the brute-force answer over
every cell. Two floating-point caveats. The engine evaluates a cell's longitude
unwrapped (e.g. 181.5° for -178.5°), which can move a distance by an ulp. And people are
float64 sums (interval sums of prefix sums, in a different order than a brute force
would add them), so a share counts as reached when the people covered fall short of
``q`` times the region's people by at most ``1e-12`` of the region's people: without
that slack ``q = 1`` could miss by rounding; with it, an answer moves only where the
exact share lies within 1e-12 of ``q``. (On the 30″ default grid a single sparse cell
holds ~1e-9 of Europe's people, so a slack as large as 1e-9 would already change
answers.) Bisection stops after 64 steps; if by then more than ``_EXACT_CELLS`` cells
are still undecided (many cells at one distance, e.g. whole rows seen from a pole),
their distances are all computed, which is slower but as exact.

Length: about 680 lines, a third of them this docstring and the results' attributes. The
row-interval set operations (:func:`intersect_intervals` and the private difference) are
engine-level and would sit better in :mod:`reachmap.coverage`; they are here until moved.

Examples
--------
A 1° grid with one person per cell; the region is the 20 × 10 cells from 10° W to
10° E, 50° N to 60° N; one site at 55° N, 0° E, and a minimum range of 100 km. The two
southern corner cells tie for the farthest; the first in grid order is reported (it is
sea: country ``-1``):

>>> from reachmap.coverage.geotiff import DenseRaster
>>> from reachmap.coverage.grid import LatLonGrid
>>> grid = LatLonGrid.global_grid(3600)
>>> raster = DenseRaster(grid, np.ones(grid.shape), "one person per cell")
>>> rows = np.arange(30, 40)
>>> region = RowIntervals(rows, np.full(10, 170), np.full(10, 190))
>>> need = range_needed(raster=raster, sites=[(55.0, 0.0)], site_labels=["A"],
...                     region_cells=region, capitals=[("Oslo", 59.91, 10.75)],
...                     min_km=100.0)
>>> round(need.capitals_km, 1), need.capital, need.capital_site
(844.1, 'Oslo', 'A')
>>> round(need.territory_km, 1), need.territory_at, need.territory_country
(812.6, (50.5, -9.5), -1)
>>> round(need.people_km, 1), need.hole.cells, need.hole.people
(760.8, 4, 4.0)
>>> need.grid
'one person per cell (1° cells)'
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from reachmap.coverage.cells import empty_intervals as _empty
from reachmap.coverage.cells import intersect_intervals, merge_intervals
from reachmap.coverage.cells import subtract_intervals as _difference
from reachmap.coverage.grid import LatLonGrid, PopulationRaster
from reachmap.coverage.raster import RowIntervals, covered_intervals
from reachmap.errors import InputError
from reachmap.geo.geodesy import MAX_RADIUS_KM, distance_km, normalize_lon, validate_lat_lon

__all__ = [
    "HoleContents",
    "RangeNeeded",
    "capitals_needed",
    "range_needed",
]

_EXACT_CELLS = 250_000  # undecided cells whose exact distances end a bisection
_MAX_STEPS = 64  # bisection steps before the remaining cells are all computed
_SHARE_TOL = 1e-12  # relative slack on the people target (float64 interval sums)
_CHUNK = 1 << 20  # cells per batch of exact distances


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class HoleContents:
    """What of a region lies nearer than the minimum range to every site.

    Attributes
    ----------
    min_km : float
        The minimum range, in kilometres.
    cells : int
        Region cells whose centres are nearer than ``min_km`` to some site.
    area_km2 : float
        Their area on the WGS84 ellipsoid, in square kilometres.
    people : float
        Their people on the grid.
    capitals : tuple of (str, float)
        Capitals nearer than ``min_km`` to some site: name and distance to the nearest
        site in kilometres, nearest first.
    """

    min_km: float
    cells: int
    area_km2: float
    people: float
    capitals: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class RangeNeeded:
    """The smallest maximum range that reaches a region's capitals, territory and people.

    Attributes
    ----------
    capitals_km : float or None
        Largest distance from a capital to its nearest site, in km; None without capitals.
    capital : str or None
        The capital that decides it.
    capital_site : str or None
        Label of that capital's nearest site.
    territory_km : float or None
        Largest distance from a region cell's centre to its nearest site, in km; None
        if the region has no cell.
    territory_at : (float, float) or None
        ``(lat, lon)`` in degrees of the centre of the cell that decides it: a map
        location of the farthest ground, not the position of anything.
    territory_country : int or None
        Country of that cell (a row of :func:`reachmap.world.tables.load_countries`;
        ``-1``: no country), as the raster assigns it.
    people_km : float or None
        Smallest range whose covered region cells hold ``people_share`` of the region's
        people on the grid, in km; None if the region has no people on the grid.
    people_share : float
        The share asked for.
    hole : HoleContents or None
        What lies inside the minimum range; None when the minimum range is 0.
    grid : str
        The grid used (the raster's description and its cell size).
    """

    capitals_km: float | None
    capital: str | None
    capital_site: str | None
    territory_km: float | None
    territory_at: tuple[float, float] | None
    people_km: float | None
    people_share: float
    hole: HoleContents | None
    grid: str
    territory_country: int | None = None


def _cell_arrays(iv: RowIntervals) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of every cell of ``iv``."""
    rows = np.asarray(iv.rows, dtype=np.int64)
    starts = np.asarray(iv.starts, dtype=np.int64)
    n = np.asarray(iv.stops, dtype=np.int64) - starts
    first = np.cumsum(n) - n
    cols = np.repeat(starts - first, n) + np.arange(int(n.sum()), dtype=np.int64)
    return np.repeat(rows, n), cols


def _chunks(iv: RowIntervals, size: int = _CHUNK) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Rows and columns of the cells of ``iv``, about ``size`` cells at a time."""
    n = np.asarray(iv.stops) - np.asarray(iv.starts)
    group = np.cumsum(n) // max(size, 1)
    edges = np.flatnonzero(np.diff(group)) + 1
    for idx in np.split(np.arange(n.size), edges):
        if idx.size:
            yield _cell_arrays(RowIntervals(iv.rows[idx], iv.starts[idx], iv.stops[idx]))


# --------------------------------------------------------------------------- distances


def _site_distances(
    lat: np.ndarray, lon: np.ndarray, sites: Sequence[tuple[float, float]]
) -> np.ndarray:
    """Distances in km, shape ``(len(sites), len(lat))``."""
    return np.stack(
        [
            np.asarray(distance_km(lat1=s_lat, lon1=s_lon, lat2=lat, lon2=lon), dtype=np.float64)
            for s_lat, s_lon in sites
        ]
    ).reshape(len(sites), np.size(lat))


class _Frame:
    """A region on the window of a grid that holds it, and its sites."""

    def __init__(
        self, grid: LatLonGrid, region: RowIntervals, sites: Sequence[tuple[float, float]]
    ) -> None:
        self.grid = grid
        self.region = region
        self.sites = list(sites)
        self.row0 = int(region.rows.min())
        self.col0 = int(region.starts.min())
        self.window = grid.window(
            self.row0, int(region.rows.max()) + 1, self.col0, int(region.stops.max())
        )

    def centres(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g = self.grid
        return g.north_deg - (rows + 0.5) * g.dy_deg, g.west_deg + (cols + 0.5) * g.dx_deg

    def distances(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        lat, lon = self.centres(rows, cols)
        return _site_distances(lat, lon, self.sites)

    def _shift(self, iv: RowIntervals) -> RowIntervals:
        return RowIntervals(iv.rows + self.row0, iv.starts + self.col0, iv.stops + self.col0)

    def within(self, max_km: float) -> RowIntervals:
        """Region cells with ``D <= max_km``."""
        iv = covered_intervals(self.window, self.sites, min_km=0.0, max_km=max_km)
        return intersect_intervals(self.region, self._shift(iv))

    def not_in_hole(self, min_km: float) -> RowIntervals:
        """Region cells with ``D >= min_km``: in every site's annulus ``min_km..∞``."""
        out = self.region
        for site in self.sites:
            iv = covered_intervals(
                self.window, [site], min_km=min_km, max_km=max(MAX_RADIUS_KM, min_km)
            )
            out = intersect_intervals(out, self._shift(iv))
        return out

    def farthest(self, cells: RowIntervals) -> tuple[float, int, int]:
        """Return the cell of ``cells`` with the largest ``D``: ``(km, row, col)``."""
        best = (-math.inf, -1, -1)
        for rows, cols in _chunks(cells):
            d = self.distances(rows, cols).min(axis=0)
            k = int(np.argmax(d))
            if d[k] > best[0]:
                best = (float(d[k]), int(rows[k]), int(cols[k]))
        return best


def _candidates(frame: _Frame) -> tuple[np.ndarray, np.ndarray]:
    """Cells where some site's distance is largest over a region interval.

    Both ends of every interval, and for each site the two columns either side of its
    opposite meridian where an interval holds them.
    """
    reg = frame.region
    rows = [reg.rows, reg.rows]
    cols = [reg.starts, reg.stops - 1]
    g = frame.grid
    n_global = round(360.0 / g.dx_deg)
    for _lat, lon in frame.sites:
        u = (lon + 180.0 - g.west_deg) / g.dx_deg - 0.5  # fractional column of the meridian
        for c in {math.floor(u) % n_global, math.ceil(u) % n_global}:
            hold = (reg.starts <= c) & (c < reg.stops)
            rows.append(reg.rows[hold])
            cols.append(np.full(int(hold.sum()), c, dtype=np.int64))
    return np.concatenate(rows).astype(np.int64), np.concatenate(cols).astype(np.int64)


def _territory(frame: _Frame) -> tuple[float, int, int]:
    """``max over region cells of D``, and the deciding cell: ``(km, row, col)``."""
    rows, cols = _candidates(frame)
    d = frame.distances(rows, cols)
    dmin = d.min(axis=0)
    k = int(np.argmax(dmin))
    best = (float(dmin[k]), int(rows[k]), int(cols[k]))
    lo, hi = best[0], float(d.max(axis=1).min())  # attained by a cell; each site's farthest
    if hi <= lo:
        return best
    far = _difference(frame.region, frame.within(lo))  # often none: an interval end decides
    if far.cell_count == 0:
        return best
    if far.cell_count <= _EXACT_CELLS:
        return frame.farthest(far)
    for _ in range(_MAX_STEPS):
        r = 0.5 * (lo + hi)
        if not lo < r < hi:
            break
        far = _difference(frame.region, frame.within(r))
        n = far.cell_count
        if n == 0:
            hi = r
        elif n <= _EXACT_CELLS:
            return frame.farthest(far)
        else:
            lo = r
    far = _difference(frame.region, frame.within(lo))
    return best if far.cell_count == 0 else frame.farthest(far)


def _people_sum(raster: PopulationRaster, cells: RowIntervals) -> float:
    if cells.rows.size == 0:
        return 0.0
    return float(np.sum(raster.interval_sums(cells.rows, cells.starts, cells.stops)))


def _people_range(
    frame: _Frame, raster: PopulationRaster, target: float, tol: float, territory_km: float
) -> float:
    """Smallest cell ``D`` at which the covered region people reach ``target - tol``."""
    hi, hi_cells = territory_km, frame.region
    lo, lo_cells, lo_people = 0.0, _empty(), 0.0  # lo_cells: below every cell
    for _ in range(_MAX_STEPS):
        if hi_cells.cell_count - lo_cells.cell_count <= _EXACT_CELLS:
            break
        r = 0.5 * (lo + hi)
        if not lo < r < hi:
            break
        cells = frame.within(r)
        people = _people_sum(raster, cells)
        if people >= target - tol:
            hi, hi_cells = r, cells
        else:
            lo, lo_cells, lo_people = r, cells, people
    band = _difference(hi_cells, lo_cells)
    if band.cell_count == 0:  # pragma: no cover - g(lo) < g(hi) leaves cells between
        return hi
    rows, cols = _cell_arrays(band)
    d = frame.distances(rows, cols).min(axis=0)
    p = np.asarray(raster.interval_sums(rows, cols, cols + 1), dtype=np.float64)
    order = np.argsort(d, kind="stable")
    reached = np.flatnonzero(lo_people + np.cumsum(p[order]) >= target - tol)
    k = int(reached[0]) if reached.size else order.size - 1
    return float(d[order[k]])


# --------------------------------------------------------------------------- inputs


def _check_sites(
    sites: Sequence[tuple[float, float]], site_labels: Sequence[str]
) -> list[tuple[float, float]]:
    if len(sites) == 0:
        raise InputError("site", "", "at least one site (a place name or 'lat,lon')")
    if len(site_labels) != len(sites):
        raise InputError(
            "site_labels", f"{len(site_labels)} labels", f"one label per site ({len(sites)})"
        )
    return [validate_lat_lon(lat, lon, field="site") for lat, lon in sites]


def _capital_distances(
    sites: Sequence[tuple[float, float]], capitals: Sequence[tuple[str, float, float]]
) -> tuple[np.ndarray, np.ndarray]:
    """Per capital: distance to the nearest site (km) and that site's index."""
    points = [validate_lat_lon(lat, lon, field="capital") for _name, lat, lon in capitals]
    lat = np.array([p[0] for p in points], dtype=np.float64)
    lon = np.array([p[1] for p in points], dtype=np.float64)
    d = _site_distances(lat, lon, sites)
    return d.min(axis=0), d.argmin(axis=0)


def capitals_needed(
    sites: Sequence[tuple[float, float]],
    site_labels: Sequence[str],
    capitals: Sequence[tuple[str, float, float]],
) -> tuple[float, str, str]:
    """Return the range that reaches every capital: the farthest capital's nearest site.

    Needs no grid (places mode).

    Parameters
    ----------
    sites : sequence of (lat, lon)
        Sites, in degrees.
    site_labels : sequence of str
        One label per site.
    capitals : sequence of (name, lat, lon)
        Capitals, in degrees; at least one.

    Returns
    -------
    km : float
        ``max over capitals of min over sites`` of the WGS84 geodesic distance, in km.
    name : str
        The capital that decides it (the first listed, on a tie).
    site_label : str
        Its nearest site.

    Raises
    ------
    reachmap.errors.InputError
        No site, a label count that differs from the sites, no capital, or a latitude or
        longitude out of range.

    Examples
    --------
    >>> km, name, site = capitals_needed(
    ...     [(53.9, 27.57), (54.71, 20.51)], ["Minsk", "Kaliningrad"],
    ...     [("Warsaw", 52.23, 21.01), ("Paris", 48.85, 2.35), ("Kyiv", 50.45, 30.52)])
    >>> round(km, 1), name, site
    (1407.0, 'Paris', 'Kaliningrad')
    """
    checked = _check_sites(sites, site_labels)
    if len(capitals) == 0:
        raise InputError("capitals", "", "at least one capital (name, lat, lon)")
    dist, nearest = _capital_distances(checked, capitals)
    k = int(np.argmax(dist))
    return float(dist[k]), str(capitals[k][0]), str(site_labels[int(nearest[k])])


def _check_region(grid: LatLonGrid, region: RowIntervals) -> RowIntervals:
    r = np.asarray(region.rows, dtype=np.int64).ravel()
    a = np.asarray(region.starts, dtype=np.int64).ravel()
    b = np.asarray(region.stops, dtype=np.int64).ravel()
    ok = r.shape == a.shape == b.shape
    if ok and r.size:
        ok = bool(r.min() >= 0 and r.max() < grid.nrows and a.min() >= 0)
        ok = ok and bool((b >= a).all() and b.max() <= grid.ncols)
    if not ok:
        raise InputError(
            "region_cells",
            f"{r.size} intervals",
            f"intervals with 0 <= row < {grid.nrows} and 0 <= start <= stop <= {grid.ncols}",
        )
    return merge_intervals(RowIntervals(r, a, b))


def _cell_text(grid: LatLonGrid) -> str:
    def one(deg: float) -> str:
        if deg * 60.0 < 1.0 - 1e-9:
            return f"{deg * 3600.0:.6g}″"
        if deg < 1.0 - 1e-9:
            return f"{deg * 60.0:.6g}′"
        return f"{deg:.6g}°"

    x, y = one(grid.dx_deg), one(grid.dy_deg)
    return x if x == y else f"{x} × {y}"


def _hole(
    frame: _Frame | None,
    raster: PopulationRaster,
    min_km: float,
    capitals: Sequence[tuple[str, float, float]],
    cap_dist: np.ndarray,
) -> HoleContents:
    near = [
        (str(capitals[int(i)][0]), float(cap_dist[i])) for i in np.flatnonzero(cap_dist < min_km)
    ]
    near.sort(key=lambda item: item[1])
    if frame is None:
        return HoleContents(min_km, 0, 0.0, 0.0, tuple(near))
    hole = _difference(frame.region, frame.not_in_hole(min_km))
    n = hole.stops - hole.starts
    area = float(np.sum(raster.grid.row_cell_area_km2()[hole.rows] * n)) if n.size else 0.0
    return HoleContents(min_km, int(n.sum()), area, _people_sum(raster, hole), tuple(near))


def range_needed(
    *,
    raster: PopulationRaster,
    sites: Sequence[tuple[float, float]],
    site_labels: Sequence[str],
    region_cells: RowIntervals,
    capitals: Sequence[tuple[str, float, float]] = (),
    min_km: float = 0.0,
    people_share: float = 0.99,
) -> RangeNeeded:
    """Find the smallest maximum range that reaches a region's capitals, territory, people.

    The algorithm and why it is exact are in the module docstring.

    Parameters
    ----------
    raster : PopulationRaster
        The population grid; its cell width must divide 360°.
    sites : sequence of (lat, lon)
        Sites, in degrees.
    site_labels : sequence of str
        One label per site.
    region_cells : RowIntervals
        The region's cells on ``raster.grid`` (column intervals per row).
    capitals : sequence of (name, lat, lon)
        The region's capitals, in degrees; may be empty.
    min_km : float
        Minimum range in kilometres, ≥ 0; above 0, what lies nearer is reported.
    people_share : float
        Share of the region's people to reach, in (0, 1].

    Returns
    -------
    RangeNeeded

    Raises
    ------
    reachmap.errors.InputError
        No site, labels that do not match the sites, a latitude or longitude out of
        range, ``people_share`` outside (0, 1], ``min_km`` negative or not finite, or
        region cells outside the grid.
    """
    checked = _check_sites(sites, site_labels)
    if not (isinstance(people_share, (int, float)) and 0.0 < people_share <= 1.0):
        raise InputError("people_share", people_share, "a share greater than 0 and at most 1")
    if not (math.isfinite(min_km) and min_km >= 0.0):
        raise InputError("min_km", min_km, "a distance in km, 0 or more")
    grid = raster.grid
    region = _check_region(grid, region_cells)

    cap_km = cap_name = cap_site = None
    cap_dist = np.zeros(0)
    if len(capitals):
        cap_dist, nearest = _capital_distances(checked, capitals)
        k = int(np.argmax(cap_dist))
        cap_km, cap_name = float(cap_dist[k]), str(capitals[k][0])
        cap_site = str(site_labels[int(nearest[k])])

    frame = _Frame(grid, region, checked) if region.rows.size else None
    terr_km = people_km = None
    terr_at: tuple[float, float] | None = None
    terr_country: int | None = None
    if frame is not None:
        terr_km, row, col = _territory(frame)
        lat, lon = frame.centres(np.array([row]), np.array([col]))
        terr_at = (float(lat[0]), float(normalize_lon(float(lon[0]))))
        one = np.array([row]), np.array([col]), np.array([col + 1])
        country, _area = raster.interval_areas_by_country(*one)
        terr_country = int(country[0]) if country.size else -1
        total = _people_sum(raster, region)
        if total > 0.0:
            people_km = _people_range(
                frame, raster, people_share * total, _SHARE_TOL * total, terr_km
            )
    hole = _hole(frame, raster, float(min_km), capitals, cap_dist) if min_km > 0.0 else None
    return RangeNeeded(
        capitals_km=cap_km,
        capital=cap_name,
        capital_site=cap_site,
        territory_km=terr_km,
        territory_at=terr_at,
        people_km=people_km,
        people_share=float(people_share),
        hole=hole,
        grid=f"{raster.description} ({_cell_text(grid)} cells)",
        territory_country=terr_country,
    )
