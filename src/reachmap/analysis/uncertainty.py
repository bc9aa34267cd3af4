"""Uncertain sites and ranges: exact reach tiers and seeded Monte Carlo probabilities.

A site is often only "assessed near Krychaw" and a range only "up to 5,500 km" or
"4,500-5,000 km". This module takes a site as a *disc* (centre and radius in
kilometres) or a *polygon*, and each end of the range as an *interval* (optionally
with a most likely value), and says of every place:

* **certain**: reached for every admissible site position and range;
* **possible**: reached for some of them;
* **unreachable**: reached for none.

For a disc of radius ``u`` around a centre at distance ``d`` from a place, the
nearest point of the disc is exactly ``max(d - u, 0)`` away (it lies on the shortest
geodesic from the centre, and a part of a shortest geodesic is shortest), and no
point is more than ``d + u`` away (triangle inequality; equal except near the
antipode, where it is a bound). So, for a range whose minimum lies in
``[min_lo, min_hi]`` and whose maximum lies in ``[max_lo, max_hi]``:

* certain  <=>  some site has ``d + u <= max_lo`` and ``d - u >= min_hi``;
* possible <=>  some site has ``d - u <= max_hi`` and ``d + u >= min_lo``.

(With several sites placed independently, the worst case of the range is one corner
of the box of ranges for every site at once, so "some site is certain" is exact.)
Boundaries are closed and compared to :data:`TIER_TOLERANCE_KM` (1 mm, the accuracy
of the distances). Where ``d + u`` is only a bound, "certain" and "unreachable" stay
true; only "possible" may hold a place that is really certain.

A polygon's distances are bounded from its boundary, densified along geodesics to at
most :data:`POLYGON_STEP_KM`: the bounds are off by at most half a step, again
in the direction that keeps "certain" and "unreachable" true. Population tiers on a
grid treat a polygon as the smallest disc about its centroid that holds it (sound,
and looser).

The range's intervals (:class:`Interval`, :class:`UncertainRange`) live in
:mod:`reachmap.analysis.ranges` and are re-exported here.

The Monte Carlo draws each site uniformly by area in its disc or polygon, and each
range end uniformly (or triangularly, with a mode) in its interval, from a seeded
:class:`numpy.random.Generator`; the same seed gives the same numbers. A place that
is certain has probability 1 and an unreachable one 0 by construction: only the
possible places and the grid cells are sampled.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import shapely
from shapely.geometry import Polygon

from reachmap.analysis.ranges import Interval, UncertainRange, parse_interval
from reachmap.analysis.reach import Site
from reachmap.errors import InputError
from reachmap.geo.geodesy import GEOD, destination, distance_km, validate_lat_lon
from reachmap.geo.units import MAX_KM

__all__ = [
    "CERTAIN",
    "POSSIBLE",
    "TIERS",
    "UNREACHABLE",
    "Interval",
    "UncertainRange",
    "UncertainSite",
    "distance_bounds",
    "parse_interval",
    "point_tiers",
    "tier_annuli",
    "tiers_from_bounds",
    "uncertain_sites",
]

CERTAIN: Final = "certain"
POSSIBLE: Final = "possible"
UNREACHABLE: Final = "unreachable"
#: The tiers, surest first.
TIERS: Final = (CERTAIN, POSSIBLE, UNREACHABLE)

#: Boundaries are closed, to this tolerance in kilometres (1 mm).
TIER_TOLERANCE_KM: Final = 1e-6
#: Longest step, in kilometres, between the boundary points of a densified polygon.
POLYGON_STEP_KM: Final = 1.0
#: Largest site radius accepted, in kilometres (as the catalog's ``uncertainty_km``).
MAX_SITE_RADIUS_KM: Final = 1000.0
#: Most Monte Carlo draws accepted.
MAX_DRAWS: Final = 100_000
_AUTHALIC_KM: Final = 6371.0072  # radius of the sphere of WGS84's area


# ------------------------------------------------------------------ sites


@dataclass(frozen=True)
class UncertainSite:
    """A site known to lie in a disc (centre and radius) or in a polygon.

    Attributes
    ----------
    site : Site
        The centre (for a polygon: its centroid, or the place it was given as).
    radius_km : float
        Radius of the disc, in kilometres (0: the site is exact). For a polygon, the
        radius of the smallest disc about ``site`` that holds it (computed).
    polygon : tuple of (lat, lon), optional
        Vertices in degrees, latitude first; edges are geodesics.

    Examples
    --------
    >>> s = UncertainSite(Site("Krychaw", 53.71924, 31.71356, "BY"), radius_km=30.0)
    >>> s.label
    'Krychaw (BY) ± 30 km'
    """

    site: Site
    radius_km: float = 0.0
    polygon: tuple[tuple[float, float], ...] | None = None
    _boundary: np.ndarray | None = field(default=None, repr=False, compare=False)
    _shape: Polygon | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        validate_lat_lon(self.site.lat, self.site.lon, field="site")
        if self.polygon is None:
            r = self.radius_km
            if not (isinstance(r, int | float) and math.isfinite(r)) or not (
                0.0 <= r <= MAX_SITE_RADIUS_KM
            ):
                raise InputError(
                    "site_uncertainty_km", r, f"a radius from 0 to {MAX_SITE_RADIUS_KM:,.0f} km"
                )
            return
        boundary, shape = _densify(self.polygon)
        object.__setattr__(self, "_boundary", boundary)
        object.__setattr__(self, "_shape", shape)
        reach = distance_km(
            lat1=self.site.lat, lon1=self.site.lon, lat2=boundary[:, 0], lon2=boundary[:, 1]
        )
        object.__setattr__(self, "radius_km", float(np.max(reach)) + POLYGON_STEP_KM / 2)

    @classmethod
    def from_polygon(
        cls, vertices: Sequence[tuple[float, float]], *, name: str = "polygon", country: str = ""
    ) -> UncertainSite:
        """Make a site that lies somewhere in a polygon, centred on its centroid.

        Parameters
        ----------
        vertices : sequence of (lat, lon)
            At least three vertices in degrees, latitude first; not crossing ±180°.
        """
        _, shape = _densify(tuple((float(a), float(b)) for a, b in vertices))
        c = shape.centroid
        return cls(Site(name, float(c.y), float(c.x), country), polygon=tuple(vertices))

    @property
    def label(self) -> str:
        """The site's label with its uncertainty."""
        if self.polygon is not None:
            return f"{self.site.label} (in a polygon of {len(self.polygon)} vertices)"
        if self.radius_km > 0:
            return f"{self.site.label} ± {self.radius_km:g} km"
        return self.site.label

    def distance_bounds(
        self, lat: np.ndarray, lon: np.ndarray, *, thresholds_km: Sequence[float] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Least and greatest distance from the site's area to points, in kilometres.

        The least is exact for a disc; the greatest is ``d + u`` (exact except near the
        antipode, where it is an upper bound). For a polygon both are bounds, within
        half of :data:`POLYGON_STEP_KM`.

        Parameters
        ----------
        lat, lon : numpy.ndarray
            Points, in degrees.
        thresholds_km : sequence of float, optional
            For a polygon: refine only the points whose enclosing-disc bounds hold one
            of these distances (elsewhere the disc's looser bounds decide the same
            comparisons). Default: refine every point.
        """
        la = np.asarray(lat, dtype=np.float64).ravel()
        lo = np.asarray(lon, dtype=np.float64).ravel()
        d = distance_km(lat1=self.site.lat, lon1=self.site.lon, lat2=la, lon2=lo)
        d = np.atleast_1d(np.asarray(d, dtype=np.float64))
        u = self.radius_km
        dmin, dmax = np.maximum(d - u, 0.0), d + u
        if self.polygon is None or la.size == 0:
            return dmin, dmax
        if thresholds_km is None:
            todo = np.arange(la.size)
        else:
            t = np.asarray(thresholds_km, dtype=np.float64)[:, None]
            slack = POLYGON_STEP_KM + TIER_TOLERANCE_KM
            todo = np.flatnonzero(((t >= dmin - slack) & (t <= dmax + slack)).any(axis=0))
        return self._polygon_bounds(la, lo, dmin, dmax, todo)

    def _polygon_bounds(
        self, la: np.ndarray, lo: np.ndarray, dmin: np.ndarray, dmax: np.ndarray, todo: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Bounds from the densified boundary, for the points ``todo``, in chunks."""
        assert self._boundary is not None and self._shape is not None
        b = self._boundary
        half = POLYGON_STEP_KM / 2
        dmin = dmin.copy()
        dmax = dmax.copy()
        step = max(1, 2_000_000 // len(b))
        for start in range(0, todo.size, step):
            idx = todo[start : start + step]
            d = distance_km(
                lat1=np.repeat(la[idx], len(b)), lon1=np.repeat(lo[idx], len(b)),
                lat2=np.tile(b[:, 0], idx.size), lon2=np.tile(b[:, 1], idx.size),
            ).reshape(idx.size, len(b))  # fmt: skip
            inside = shapely.contains_xy(self._shape, lo[idx], la[idx])
            dmin[idx] = np.where(inside, 0.0, np.maximum(d.min(axis=1) - half, 0.0))
            dmax[idx] = np.minimum(d.max(axis=1) + half, dmax[idx])
        return dmin, dmax

    def sample(self, gen: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``n`` positions uniformly by area; returns ``(lat, lon)`` in degrees."""
        if self.polygon is not None:
            return self._sample_polygon(gen, n)
        if self.radius_km == 0:
            return np.full(n, self.site.lat), np.full(n, self.site.lon)
        # uniform by area on the authalic sphere: 1 - cos(r/R) is uniform
        theta = self.radius_km / _AUTHALIC_KM
        r = _AUTHALIC_KM * np.arccos(1.0 - gen.uniform(0.0, 1.0, n) * (1.0 - math.cos(theta)))
        az = gen.uniform(0.0, 360.0, n)
        la, lo = destination(lat=np.full(n, self.site.lat), lon=np.full(n, self.site.lon),
                             azimuth_deg=az, distance_km=r)  # fmt: skip
        return np.asarray(la), np.asarray(lo)

    def _sample_polygon(self, gen: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        assert self._shape is not None
        west, south, east, north = self._shape.bounds
        s0, s1 = math.sin(math.radians(south)), math.sin(math.radians(north))
        lat_out: list[np.ndarray] = []
        lon_out: list[np.ndarray] = []
        got = 0
        while got < n:
            k = max(2 * (n - got), 64)
            la = np.degrees(np.arcsin(gen.uniform(s0, s1, k)))
            lo = gen.uniform(west, east, k)
            ok = shapely.contains_xy(self._shape, lo, la)
            lat_out.append(la[ok])
            lon_out.append(lo[ok])
            got += int(ok.sum())
        return np.concatenate(lat_out)[:n], np.concatenate(lon_out)[:n]


def _densify(vertices: tuple[tuple[float, float], ...]) -> tuple[np.ndarray, Polygon]:
    """Boundary points ``(lat, lon)`` at most :data:`POLYGON_STEP_KM` apart, and the shape."""
    if len(vertices) < 3:
        raise InputError("site_polygon", len(vertices), "at least three vertices (lat, lon)")
    for la, lo in vertices:
        validate_lat_lon(la, lo, field="site_polygon")
    lons = [lo for _, lo in vertices]
    if max(lons) - min(lons) > 180.0:
        raise InputError(
            "site_polygon", "crosses ±180°", "a polygon that does not cross the antimeridian"
        )
    ring = [*vertices, vertices[0]]
    points: list[tuple[float, float]] = []
    for (a_lat, a_lon), (b_lat, b_lon) in itertools.pairwise(ring):
        points.append((a_lat, a_lon))
        d = float(distance_km(lat1=a_lat, lon1=a_lon, lat2=b_lat, lon2=b_lon))
        k = math.ceil(d / POLYGON_STEP_KM) - 1
        if k > 0:
            mid = GEOD.npts(a_lon, a_lat, b_lon, b_lat, k)
            points.extend((y, x) for x, y in mid)
    arr = np.asarray(points, dtype=np.float64)
    shape = Polygon([(lo, la) for la, lo in arr])
    if not shape.is_valid or shape.area == 0:
        raise InputError("site_polygon", "self-intersecting or empty", "a simple polygon")
    return arr, shape


# ------------------------------------------------------------------ tiers


def distance_bounds(
    sites: Sequence[UncertainSite],
    lat: np.ndarray,
    lon: np.ndarray,
    *,
    thresholds_km: Sequence[float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per site and point, the least and greatest distance, in kilometres.

    Parameters
    ----------
    sites : sequence of UncertainSite
        The sites.
    lat, lon : numpy.ndarray
        Points, in degrees.
    thresholds_km : sequence of float, optional
        The distances the bounds will be compared with (see
        :meth:`UncertainSite.distance_bounds`); polygons refine only near them.

    Returns
    -------
    dmin, dmax : numpy.ndarray
        Shape ``(len(sites), n_points)``.
    """
    n = np.asarray(lat).size
    if not sites:
        raise InputError("site", "", "at least one site (a place name or 'lat,lon')")
    lows = np.empty((len(sites), n))
    highs = np.empty((len(sites), n))
    for k, s in enumerate(sites):
        lows[k], highs[k] = s.distance_bounds(lat, lon, thresholds_km=thresholds_km)
    return lows, highs


def point_tiers(
    *, lat: Any, lon: Any, sites: Sequence[UncertainSite], range_km: UncertainRange
) -> np.ndarray:
    """Tier of each point: ``"certain"``, ``"possible"`` or ``"unreachable"``.

    Parameters
    ----------
    lat, lon : array_like
        Points, in degrees.
    sites : sequence of UncertainSite
        Sites; a point counts as reached from any of them.
    range_km : UncertainRange
        The uncertain range.

    Returns
    -------
    numpy.ndarray of str

    Examples
    --------
    A site known to within 30 km, a range of exactly 1,000 km: a place 965 km from the
    centre is reached from anywhere in the disc, one 1,020 km away only from part of it.

    >>> from reachmap.geo.geodesy import destination
    >>> site = UncertainSite(Site("x", 0.0, 0.0), radius_km=30.0)
    >>> lat, lon = destination(lat=[0.0] * 3, lon=[0.0] * 3, azimuth_deg=[0.0] * 3,
    ...                        distance_km=[965.0, 1020.0, 1035.0])
    >>> point_tiers(lat=lat, lon=lon, sites=[site],
    ...             range_km=UncertainRange(Interval(0, 0), Interval(1000, 1000))).tolist()
    ['certain', 'possible', 'unreachable']
    """
    la = np.asarray(lat, dtype=np.float64).ravel()
    lo = np.asarray(lon, dtype=np.float64).ravel()
    dmin, dmax = distance_bounds(sites, la, lo, thresholds_km=range_km.thresholds)
    return tiers_from_bounds(dmin, dmax, range_km)


def tiers_from_bounds(dmin: np.ndarray, dmax: np.ndarray, rng: UncertainRange) -> np.ndarray:
    """Tiers of points from their distance bounds per site (see :func:`distance_bounds`).

    Parameters
    ----------
    dmin, dmax : numpy.ndarray
        Least and greatest distances, in kilometres, shape ``(n_sites, n_points)``.
    rng : UncertainRange
        The uncertain range.

    Returns
    -------
    numpy.ndarray of str
        ``"certain"``, ``"possible"`` or ``"unreachable"`` per point.
    """
    tol = TIER_TOLERANCE_KM
    min_lo, max_hi = rng.best
    min_hi, max_lo = rng.worst
    certain = ((dmax <= max_lo + tol) & (dmin >= min_hi - tol)).any(axis=0)
    possible = ((dmin <= max_hi + tol) & (dmax >= min_lo - tol)).any(axis=0)
    return np.where(certain, CERTAIN, np.where(possible, POSSIBLE, UNREACHABLE))


def tier_annuli(
    sites: Sequence[UncertainSite], rng: UncertainRange
) -> tuple[list[tuple[float, float, float, float]], list[tuple[float, float, float, float]]]:
    """Per site, the annuli about its centre of the certain and the possible points."""
    min_lo, max_hi = rng.best
    min_hi, max_lo = rng.worst
    certain, possible = [], []
    for s in sites:
        la, lo, u = s.site.lat, s.site.lon, s.radius_km
        # no minimum range: nothing is too close, whatever the radius
        certain.append((la, lo, min_hi + u if min_hi > 0 else 0.0, max_lo - u))
        possible.append((la, lo, max(min_lo - u, 0.0), min(max_hi + u, MAX_KM)))
    return certain, possible


def uncertain_sites(
    *,
    places: Sequence[str] = (),
    deployments: Sequence[str] = (),
    polygons: Sequence[Sequence[tuple[float, float]]] = (),
    radius_km: float | None = None,
    field: str = "sites",
) -> list[UncertainSite]:
    """Resolve places, catalog deployments and polygons into uncertain sites.

    Parameters
    ----------
    places : sequence of str
        Place names or ``"lat,lon"``; exact unless ``radius_km`` is given.
    deployments : sequence of str
        Catalog deployment ids; each takes its site's ``uncertainty_km`` unless
        ``radius_km`` is given.
    polygons : sequence of sequence of (lat, lon)
        Areas a site lies in, vertices in degrees.
    radius_km : float, optional
        One radius, in kilometres, for every place and deployment.
    field : str
        Input field prefix for error messages (``"sites"`` gives ``sites.places``).

    Returns
    -------
    list of UncertainSite

    Examples
    --------
    >>> [s.label for s in uncertain_sites(places=["Minsk"], deployments=["oreshnik-belarus"])]
    ['Minsk (BY)', 'Krychaw (BY) ± 30 km']
    """
    from reachmap.analysis.reach import resolve_site
    from reachmap.catalog.store import load_catalog

    out = [
        UncertainSite(resolve_site(p, field=f"{field}.places"), radius_km=radius_km or 0.0)
        for p in places
    ]
    if deployments:
        catalog = load_catalog()
        for dep_id in deployments:
            dep = catalog.deployments.get(dep_id)
            if dep is None:
                raise InputError(
                    f"{field}.deployments",
                    dep_id,
                    "a deployment id in the catalog: " + ", ".join(sorted(catalog.deployments)),
                )
            site = catalog.sites[dep.site]
            radius = site.uncertainty_km if radius_km is None else radius_km
            out.append(
                UncertainSite(Site(site.name, site.lat, site.lon, site.country), radius_km=radius)
            )
    for k, poly in enumerate(polygons):
        out.append(UncertainSite.from_polygon(poly, name=f"polygon {k + 1}"))
    if not out:
        raise InputError(field, "", "at least one place, deployment or polygon")
    return out
