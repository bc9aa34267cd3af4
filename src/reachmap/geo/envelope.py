"""Geodesic range envelopes: discs, annuli and their unions, as RFC 7946 polygons.

An envelope is the set of points whose geodesic distance (WGS84) from a site is
between ``min_km`` and ``max_km``. Polygons are for display and export only;
whether a place is reached is decided by exact distances (:mod:`reachmap.coverage.places`).

How a disc boundary is drawn
----------------------------
Boundary vertices are end points of geodesics shot from the site at sampled
azimuths (exact to nanometres). GeoJSON edges are straight lines in lon/lat
(RFC 7946 §3.1.1), so sampling is refined, edge by edge, until points along every
edge lie within ``boundary_tolerance_km(radius)`` (0.1% of the radius, at most
1 km) of the true geodesic circle. Near the antipode, geodesics longer than the
cut-locus distance are no longer shortest; their end points are not on the circle
and are dropped, and the remaining arcs meet on the cut locus.

In lon/lat the boundary ring is then closed along a pole when the disc holds
exactly one pole; when it holds both, the ring bounds the part *not* reached and
the disc is the world minus it. The result is cut at ±180° into a MultiPolygon
with counter-clockwise exteriors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

from reachmap.errors import InputError
from reachmap.geo.geodesy import (
    ANTIPODAL_DISTANCE_KM,
    MAX_RADIUS_KM,
    destination,
    distance_km,
    validate_lat_lon,
)

__all__ = [
    "MIN_DRAWN_RADIUS_KM",
    "WORLD",
    "annuli_union",
    "annulus",
    "boundary_ring",
    "boundary_tolerance_km",
    "disc",
    "envelope",
    "to_geojson",
]

#: The whole Earth in lon/lat.
WORLD: Polygon = box(-180.0, -90.0, 180.0, 90.0)

_GRID = 1e-9  # degrees; snap for set operations (~0.1 mm), far below the tolerance
_EMPTY = MultiPolygon()
_FRACTIONS = np.array([0.25, 0.5, 0.75])  # where each edge is checked
_MIN_AZIMUTH_STEP = 1e-9  # degrees; resolution of the cut-locus bisection
_MAX_ROUNDS = 80

#: Radii below this (kilometres: 1 m) are drawn as 0. Whether a place is reached
#: never depends on drawing: :mod:`reachmap.coverage.places` uses exact distances.
MIN_DRAWN_RADIUS_KM = 1e-3
# Polygons and holes smaller than this (square degrees, ~1 m^2) are slivers left by
# overlays or cut-locus joins; the smallest real part, a 1 km disc, is > 2e-4 deg^2.
_SLIVER_DEG2 = 1e-10


def boundary_tolerance_km(radius_km: float) -> float:
    """Largest allowed distance between a drawn boundary and the true circle.

    Parameters
    ----------
    radius_km : float
        Radius of the geodesic circle, in kilometres.

    Returns
    -------
    float
        ``min(0.001 * radius_km, 1.0)`` kilometres: 0.1% of the radius, never more
        than 1 km.

    Examples
    --------
    >>> boundary_tolerance_km(500.0), boundary_tolerance_km(5500.0)
    (0.5, 1.0)

    """
    return min(0.001 * float(radius_km), 1.0)


def _wrap(dlon: np.ndarray) -> np.ndarray:
    return (dlon + 180.0) % 360.0 - 180.0


def boundary_ring(*, lat: float, lon: float, radius_km: float) -> np.ndarray:
    """Sample the boundary of a geodesic disc, refined to the boundary tolerance.

    Parameters
    ----------
    lat, lon : float
        Centre of the disc, in degrees.
    radius_km : float
        Radius, in kilometres; must be > 0 and below the antipodal distance.

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` array of ``(lon, lat)`` vertices in degrees, in order of
        increasing azimuth from the centre, closed (last == first). Longitudes
        are *unwrapped* (consecutive vertices differ by less than 180°), so they
        may leave [-180, 180]; the total longitude change around the ring is 0
        or ±360 (the ring winds around one pole).

    Examples
    --------
    >>> ring = boundary_ring(lat=53.9, lon=27.57, radius_km=500.0)
    >>> bool((ring[0] == ring[-1]).all())
    True
    >>> d = distance_km(lat1=53.9, lon1=27.57, lat2=ring[:, 1], lon2=ring[:, 0])
    >>> bool(abs(d - 500.0).max() < 1e-6)
    True

    """
    radius = float(radius_km)
    if not MIN_DRAWN_RADIUS_KM <= radius < ANTIPODAL_DISTANCE_KM:
        raise InputError(
            "radius_km",
            radius,
            f"a distance from {MIN_DRAWN_RADIUS_KM} to {ANTIPODAL_DISTANCE_KM} km",
        )
    tol = 0.5 * boundary_tolerance_km(radius)  # target for checked points; margin for the rest
    valid_tol = 1e-6  # km: a vertex is on the circle if its true distance is within 1 mm

    def shoot(az: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        la, lo = destination(lat=lat, lon=lon, azimuth_deg=az, distance_km=radius)
        d = distance_km(lat1=lat, lon1=lon, lat2=la, lon2=lo)
        # A geodesic past the cut locus ends nearer than its length: not on the circle.
        return lo, la, d >= radius - valid_tol

    az = np.linspace(0.0, 360.0, 65)  # includes 0 and 180: meridians never pass the cut locus
    lo, la, ok = shoot(az)
    for _ in range(_MAX_ROUNDS):
        both = ok[:-1] & ok[1:]
        one = ok[:-1] ^ ok[1:]
        bad = np.zeros(az.size - 1, dtype=bool)
        if both.any():
            idx = np.flatnonzero(both)
            plo, pla = _edge_points(lo, la, idx)
            d = distance_km(lat1=lat, lon1=lon, lat2=pla, lon2=plo)
            bad[idx] = (np.abs(d - radius) > tol).any(axis=0)
        # refine cut-locus transitions until the azimuth gap is tiny; nothing finer
        bad = (bad | one) & (np.diff(az) > _MIN_AZIMUTH_STEP)
        if not bad.any():
            break
        mid = 0.5 * (az[:-1][bad] + az[1:][bad])
        mlo, mla, mok = shoot(mid)
        order = np.argsort(np.r_[az, mid], kind="stable")
        az = np.r_[az, mid][order]
        lo = np.r_[lo, mlo][order]
        la = np.r_[la, mla][order]
        ok = np.r_[ok, mok][order]
    keep = ok[:-1]  # the last sample (azimuth 360) repeats the first
    ring_lon = np.unwrap(lo[:-1][keep], period=360.0)
    ring_lat = la[:-1][keep]
    # close the ring: back to the first vertex, in unwrapped longitude
    # (exactly the first longitude, or that ± 360° when the ring winds around a pole)
    turns = np.round((ring_lon[-1] + _wrap(ring_lon[0] - ring_lon[-1]) - ring_lon[0]) / 360.0)
    closing = ring_lon[0] + 360.0 * turns
    return np.column_stack([np.r_[ring_lon, closing], np.r_[ring_lat, ring_lat[0]]])


def _edge_points(
    lon: np.ndarray, lat: np.ndarray, idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Check points along edges ``idx -> idx + 1`` (straight in lon/lat), shape (3, k)."""
    dlon = _wrap(lon[idx + 1] - lon[idx])
    dlat = lat[idx + 1] - lat[idx]
    t = _FRACTIONS[:, None]
    return lon[idx] + t * dlon, lat[idx] + t * dlat


def _cut(poly: BaseGeometry) -> BaseGeometry:
    """Cut a polygon in unwrapped longitudes at ±180° and shift the pieces home."""
    pieces = []
    for k in (-1, 0, 1):
        part = shapely.intersection(
            poly, box(-180.0 + 360.0 * k, -90.0, 180.0 + 360.0 * k, 90.0), grid_size=_GRID
        )
        pieces.append(shapely.affinity.translate(_multipolygon(part), xoff=-360.0 * k))
    return _multipolygon(shapely.union_all(pieces, grid_size=_GRID))


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    """Collect the polygons of any geometry, dropping points, lines and slivers."""
    out: list[Polygon] = []
    for part in shapely.get_parts(geom):
        if isinstance(part, Polygon):
            if part.area > _SLIVER_DEG2:
                holes = [h for h in part.interiors if Polygon(h).area > _SLIVER_DEG2]
                out.append(
                    Polygon(part.exterior, holes) if len(holes) < len(part.interiors) else part
                )
        elif hasattr(part, "geoms"):  # a nested collection
            out.extend(_polygons(part))
    return out


def _multipolygon(geom: BaseGeometry) -> MultiPolygon:
    """Keep the areal parts (overlays on a snapping grid can leave collapsed lines).

    Exteriors are oriented counter-clockwise, holes clockwise (RFC 7946).
    """
    return shapely.orient_polygons(MultiPolygon(_polygons(geom)), exterior_cw=False)


def disc(*, lat: float, lon: float, radius_km: float) -> MultiPolygon:
    """Polygon of the points within ``radius_km`` of a site (a geodesic disc).

    Parameters
    ----------
    lat, lon : float
        Site, in degrees.
    radius_km : float
        Radius in kilometres, 0 to ``MAX_RADIUS_KM`` (20,040). At or beyond the
        antipodal distance (20,003.93 km) the disc is the whole Earth; below
        ``MIN_DRAWN_RADIUS_KM`` (1 m) it is an empty polygon.

    Returns
    -------
    shapely.MultiPolygon
        In lon/lat degrees, cut at the antimeridian, exteriors counter-clockwise.

    Examples
    --------
    >>> d = disc(lat=53.9, lon=27.57, radius_km=1000.0)
    >>> d.geom_type, len(d.geoms), d.contains(shapely.Point(21.01, 52.23))
    ('MultiPolygon', 1, True)
    >>> disc(lat=0.0, lon=0.0, radius_km=20_010.0).equals(WORLD)
    True

    """
    lat, lon = validate_lat_lon(lat, lon, field="site")
    radius = _check_radius(radius_km, "radius_km")
    if radius < MIN_DRAWN_RADIUS_KM:
        return _EMPTY
    if radius >= ANTIPODAL_DISTANCE_KM:
        return MultiPolygon([WORLD])
    # A boundary through a pole has no defined longitude there, so the ring would be
    # ambiguous: draw it a hair inside (0.1% of the tolerance) so it passes beside the pole.
    eps = 1e-3 * boundary_tolerance_km(radius)
    poles = distance_km(lat1=lat, lon1=lon, lat2=[90.0, -90.0], lon2=[0.0, 0.0])
    drawn = radius
    for d_pole in sorted(poles, reverse=True):
        if abs(d_pole - drawn) < eps:
            drawn = d_pole - 2.0 * eps
    north, south = bool(poles[0] < drawn), bool(poles[1] < drawn)
    ring = boundary_ring(lat=lat, lon=lon, radius_km=drawn)
    if round(abs(ring[-1, 0] - ring[0, 0]) / 360.0) != (1 if north != south else 0):
        raise RuntimeError(  # pragma: no cover - would be a defect in boundary_ring
            f"the boundary of the disc at ({lat}, {lon}), radius {radius} km, "
            "does not wind around the poles it holds"
        )
    coords = [tuple(p) for p in ring]
    if north != south:
        pole = 90.0 if north else -90.0
        coords = [*coords, (ring[-1, 0], pole), (ring[0, 0], pole)]
    inside = _cut(_polygon(coords))
    geom = shapely.difference(WORLD, inside, grid_size=_GRID) if (north and south) else inside
    return _multipolygon(geom)


def _polygon(coords: list[tuple[float, float]]) -> BaseGeometry:
    """Polygon of a sampled ring, repaired if a cut-locus join left a sub-millimetre twist."""
    poly = Polygon(coords)
    if poly.is_valid:
        return poly
    return shapely.union_all(_polygons(shapely.make_valid(poly)))


def _check_radius(value: float, field: str) -> float:
    radius = float(value)
    if not (np.isfinite(radius) and 0.0 <= radius <= MAX_RADIUS_KM):
        raise InputError(field, radius, f"a distance from 0 to {MAX_RADIUS_KM:,.0f} km")
    return radius


def annulus(*, lat: float, lon: float, min_km: float, max_km: float) -> MultiPolygon:
    """Polygon of the points between ``min_km`` and ``max_km`` from a site.

    Parameters
    ----------
    lat, lon : float
        Site, in degrees.
    min_km, max_km : float
        Minimum and maximum range in kilometres, ``0 <= min_km <= max_km``.
        ``min_km`` below ``MIN_DRAWN_RADIUS_KM`` (1 m) gives a plain disc.

    Returns
    -------
    shapely.MultiPolygon
        The ring-shaped region (the hole is excluded), as in :func:`disc`.

    Examples
    --------
    >>> a = annulus(lat=53.9, lon=27.57, min_km=500.0, max_km=5500.0)
    >>> a.contains(shapely.Point(27.57, 53.9)), a.contains(shapely.Point(2.35, 48.86))
    (False, True)

    """
    lo = _check_radius(min_km, "min_km")
    hi = _check_radius(max_km, "max_km")
    if lo > hi:
        raise InputError("min_km", lo, f"a distance no larger than max_km ({hi} km)")
    outer = disc(lat=lat, lon=lon, radius_km=hi)
    if lo < MIN_DRAWN_RADIUS_KM:
        return outer
    inner = disc(lat=lat, lon=lon, radius_km=lo)
    return _multipolygon(shapely.difference(outer, inner, grid_size=_GRID))


def envelope(sites: Iterable[tuple[float, float]], *, min_km: float, max_km: float) -> MultiPolygon:
    """Union of the annuli (or discs) of several sites.

    Parameters
    ----------
    sites : iterable of (lat, lon)
        Sites in degrees, latitude first.
    min_km, max_km : float
        Range interval in kilometres, the same for every site.

    Returns
    -------
    shapely.MultiPolygon
        Points reached from at least one site, as in :func:`disc`.

    Raises
    ------
    InputError
        If no site is given.

    Examples
    --------
    >>> e = envelope([(53.9, 27.57), (52.23, 21.01)], min_km=0.0, max_km=300.0)
    >>> e.contains(shapely.Point(27.57, 53.9)) and e.contains(shapely.Point(21.01, 52.23))
    True

    """
    parts = [annulus(lat=la, lon=lo, min_km=min_km, max_km=max_km) for la, lo in _site_list(sites)]
    if len(parts) == 1:
        return parts[0]
    return _multipolygon(shapely.union_all(parts, grid_size=_GRID))


def annuli_union(annuli: Iterable[tuple[float, float, float, float]]) -> MultiPolygon:
    """Union of annuli that each have their own radii.

    Parameters
    ----------
    annuli : iterable of (lat, lon, min_km, max_km)
        Site in degrees and range interval in kilometres, per annulus. Annuli whose
        ``max_km`` is below ``min_km`` are empty and skipped.

    Returns
    -------
    MultiPolygon
        Points within at least one annulus (empty if none is left).

    Examples
    --------
    >>> e = annuli_union([(0.0, 0.0, 0.0, 100.0), (0.0, 10.0, 0.0, 50.0), (0.0, 20.0, 9.0, 1.0)])
    >>> len(e.geoms)
    2
    """
    parts = [
        annulus(lat=la, lon=lo, min_km=a, max_km=b) for la, lo, a, b in annuli if b >= a
    ]
    if not parts:
        return MultiPolygon()
    if len(parts) == 1:
        return parts[0]
    return _multipolygon(shapely.union_all(parts, grid_size=_GRID))


def _site_list(sites: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    out = [(float(a), float(b)) for a, b in sites]
    if not out:
        raise InputError("site", "", "at least one site (a place name or 'lat,lon')")
    return out


def to_geojson(geom: BaseGeometry, *, precision: int = 7) -> dict[str, Any]:
    """RFC 7946 GeoJSON geometry of an envelope.

    Parameters
    ----------
    geom : shapely geometry
        A polygon or multipolygon in lon/lat degrees.
    precision : int
        Decimal places kept in coordinates (7 ≈ 1 cm).

    Returns
    -------
    dict
        A GeoJSON geometry object (``MultiPolygon``).

    Examples
    --------
    >>> g = to_geojson(disc(lat=0.0, lon=179.5, radius_km=200.0))
    >>> g["type"], len(g["coordinates"])
    ('MultiPolygon', 2)

    """
    # Snap with GEOS's precision reducer, which keeps the polygon valid (plain rounding
    # can pinch the sharp cusps a disc has where its boundary meets the cut locus).
    mp = _multipolygon(shapely.set_precision(geom, 10.0**-precision))

    def ring(coords: Sequence[Sequence[float]]) -> list[list[float]]:
        return [[round(x, precision), round(y, precision)] for x, y, *_ in coords]

    return {
        "type": "MultiPolygon",
        "coordinates": [
            [ring(p.exterior.coords), *(ring(i.coords) for i in p.interiors)] for p in mp.geoms
        ],
    }
