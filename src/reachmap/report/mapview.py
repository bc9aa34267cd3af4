"""The report map's view: its centre, radius and azimuthal equidistant projection.

The view is centred on the site (the geodesic midpoint of two sites, the mean of the
ellipsoid normals of more) and reaches :func:`view_radius_km` from it. Every lon/lat
geometry is clipped to that geodesic disc *before* it is projected, and its edges are
split to ``DENSIFY_DEG``, so nothing near the antipode blows up; pieces cut at ±180°
are merged again on the map. Distances from the centre are true on the map (tested
against geographiclib). No matplotlib here: :mod:`reachmap.report.staticmap` draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from reachmap.analysis.reach import ReachResult, Site
from reachmap.errors import InputError
from reachmap.geo.envelope import disc
from reachmap.geo.geodesy import destination, distance_km, inverse

__all__ = [
    "DENSIFY_DEG",
    "MAX_VIEW_RADIUS_KM",
    "MapView",
    "Projector",
    "map_centre",
    "map_view",
    "view_radius_km",
]


#: Largest radius of the map view, in kilometres (the antipode is ~20,004 km away).
MAX_VIEW_RADIUS_KM = 19_000.0
#: Longest polygon edge projected, in degrees (edges are split before projecting).
DENSIFY_DEG = 0.25

_GRID_KM = 1e-3  # snap projected pieces to 1 m when dissolving seams
_SLIVER_KM2 = 1e-6  # projected slivers below 1 m^2 are dropped
_RING_STEPS = 1440  # azimuth samples per range ring (0.25° apart)


@dataclass(frozen=True)
class MapView:
    """Where a map is centred and how far it reaches.

    Attributes
    ----------
    lat, lon : float
        Centre of the projection, in degrees.
    radius_km : float
        Everything within this geodesic distance of the centre is shown, in kilometres.
    centre_text : str
        How the centre was chosen, in words (e.g. ``"Minsk (BY)"`` or ``"the
        geodesic midpoint of Minsk (BY) and Tokyo (JP)"``).
    """

    lat: float
    lon: float
    radius_km: float
    centre_text: str

    @property
    def proj4(self) -> str:
        """PROJ string of the projection (kilometres on WGS84)."""
        return (
            f"+proj=aeqd +lat_0={self.lat:.10f} +lon_0={self.lon:.10f} "
            "+datum=WGS84 +units=km +no_defs"
        )

    @property
    def caption(self) -> str:
        """One sentence on the projection, for the footer of a map."""
        ns = "N" if self.lat >= 0 else "S"
        ew = "E" if self.lon >= 0 else "W"
        return (
            f"Azimuthal equidistant projection centred on {self.centre_text} "
            f"({abs(self.lat):.2f}° {ns}, {abs(self.lon):.2f}° {ew}); "
            "distances from the centre are true."
        )


def map_centre(sites: Sequence[Site]) -> tuple[float, float]:
    """Choose the centre of the map for one or more sites.

    Parameters
    ----------
    sites : sequence of Site
        The sites of an analysis.

    Returns
    -------
    tuple of float
        ``(lat, lon)`` in degrees:

        * one site: the site itself;
        * two sites: the midpoint of the shortest geodesic between them (WGS84);
        * three or more: the normalised mean of their n-vectors (the unit normals
          to the ellipsoid at the sites), read back as geodetic latitude and
          longitude: a centroid of their directions. If the n-vectors cancel out
          (sites spread evenly around the Earth), the first site.

    Raises
    ------
    InputError
        If no site is given.

    Examples
    --------
    >>> map_centre([Site("A", 10.0, 20.0)])
    (10.0, 20.0)
    >>> lat, lon = map_centre([Site("A", 0.0, -10.0), Site("B", 0.0, 10.0)])
    >>> round(lat, 9) + 0.0, round(lon, 9) + 0.0
    (0.0, 0.0)
    """
    if not sites:
        raise InputError("site", "", "at least one site (a place name or 'lat,lon')")
    if len(sites) == 1:
        return float(sites[0].lat), float(sites[0].lon)
    if len(sites) == 2:
        a, b = sites
        d, az = inverse(lat1=a.lat, lon1=a.lon, lat2=b.lat, lon2=b.lon)
        lat, lon = destination(lat=a.lat, lon=a.lon, azimuth_deg=az, distance_km=0.5 * d)
        return float(lat), float(lon)
    phi = np.radians([s.lat for s in sites])
    lam = np.radians([s.lon for s in sites])
    v = np.array([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)]).mean(axis=1)
    norm = float(np.linalg.norm(v))
    if norm < 1e-9:
        return float(sites[0].lat), float(sites[0].lon)
    v /= norm
    lat = float(np.degrees(np.arcsin(np.clip(v[2], -1.0, 1.0))))
    lon = float(np.degrees(np.arctan2(v[1], v[0]))) if abs(lat) < 90.0 else 0.0
    return lat, lon


def view_radius_km(max_km: float, offset_km: float = 0.0) -> float:
    """Radius of the map view, in kilometres.

    Parameters
    ----------
    max_km : float
        Maximum range, in kilometres.
    offset_km : float
        Distance from the centre of the map to the farthest site, in kilometres
        (0 for one site).

    Returns
    -------
    float
        ``min(1.25 * max_km + 500 + offset_km, MAX_VIEW_RADIUS_KM)``: the envelope
        with a quarter of the range (and 500 km) of margin around it.

    Examples
    --------
    >>> view_radius_km(5500.0)
    7375.0
    >>> view_radius_km(15000.0)
    19000.0
    """
    return float(min(1.25 * float(max_km) + 500.0 + float(offset_km), MAX_VIEW_RADIUS_KM))


def _centre_text(sites: Sequence[Site]) -> str:
    if len(sites) == 1:
        return sites[0].label
    if len(sites) == 2:
        return f"the geodesic midpoint of {sites[0].label} and {sites[1].label}"
    return f"the centroid of the {len(sites)} sites (mean of their ellipsoid normals)"


def map_view(result: ReachResult) -> MapView:
    """Centre and radius of the map of an analysis.

    Parameters
    ----------
    result : ReachResult
        The analysis.

    Returns
    -------
    MapView
        Centred as :func:`map_centre` says; the radius is :func:`view_radius_km`
        of the maximum range plus the distance from the centre to the farthest site.
    """
    lat, lon = map_centre(result.sites)
    offset = max(
        float(distance_km(lat1=lat, lon1=lon, lat2=s.lat, lon2=s.lon)) for s in result.sites
    )
    return MapView(
        lat=lat,
        lon=lon,
        radius_km=view_radius_km(result.range.max_km, offset),
        centre_text=_centre_text(result.sites),
    )


# --------------------------------------------------------------------------- geometry


class Projector:
    """Clip lon/lat geometry to the view disc, densify it and project it (km)."""

    def __init__(self, view: MapView) -> None:
        self.view = view
        self.disc = disc(lat=view.lat, lon=view.lon, radius_km=view.radius_km)
        shapely.prepare(self.disc)
        self._tf = Transformer.from_crs(
            CRS.from_epsg(4326), CRS.from_proj4(view.proj4), always_xy=True
        )

    def points(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project lon/lat degrees to map kilometres (no clipping: callers check)."""
        x, y = self._tf.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x, float), np.asarray(y, float)

    def in_view(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Mask of points within the view radius, by exact geodesic distance."""
        d = distance_km(lat1=self.view.lat, lon1=self.view.lon, lat2=lat, lon2=lon)
        return np.asarray(d, float) <= self.view.radius_km

    def polygons(self, geom: BaseGeometry) -> MultiPolygon:
        """Clip, densify and project a lon/lat (multi)polygon; dissolve the seams."""
        if geom.is_empty:
            return MultiPolygon()
        clipped = geom if self.disc.covers(geom) else shapely.intersection(geom, self.disc)
        dense = shapely.segmentize(clipped, DENSIFY_DEG)
        seam: list[BaseGeometry] = []  # pieces cut at ±180°: their halves meet on the map
        rest: list[BaseGeometry] = []
        for part in areal_parts(dense):
            west, _, east, _ = part.bounds
            (seam if west <= -180.0 + 1e-9 or east >= 180.0 - 1e-9 else rest).append(
                self._polygon(part)
            )
        if len(seam) > 1:
            seam = [shapely.union_all(seam, grid_size=_GRID_KM)]
        return as_multipolygon(shapely.GeometryCollection([*seam, *rest]))

    def _ring(self, ring: BaseGeometry) -> np.ndarray:
        xy = np.asarray(ring.coords)[:, :2]
        x, y = self.points(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    def _polygon(self, poly: Polygon) -> BaseGeometry:
        rings = [self._ring(poly.exterior), *(self._ring(r) for r in poly.interiors)]
        direct = Polygon(rings[0], rings[1:])
        if direct.is_valid:
            return direct
        # A seam became a slit, a pole a point, or a hole the outer edge: the region a
        # set of rings bounds is what lies inside an odd number of them.
        insides = [as_multipolygon(shapely.make_valid(Polygon(r))) for r in rings if len(r) >= 4]
        return reduce(shapely.symmetric_difference, insides, MultiPolygon())

    def circle(self, *, lat: float, lon: float, radius_km: float) -> tuple[list[np.ndarray], bool]:
        """Projected runs of a geodesic circle, kept where within the view.

        Points are exact geodesic end points, ``_RING_STEPS`` azimuths apart; points
        past the cut locus (not on the circle) and out of view are dropped. The flag
        says whether any point on the circle was out of view.
        """
        az = np.linspace(0.0, 360.0, _RING_STEPS + 1)
        la, lo = destination(lat=lat, lon=lon, azimuth_deg=az, distance_km=radius_km)
        on_circle = distance_km(lat1=lat, lon1=lon, lat2=la, lon2=lo) >= radius_km - 1e-6
        keep = on_circle & self.in_view(lo, la)
        x, y = self.points(lo, la)
        runs: list[np.ndarray] = []
        start = None
        for i, k in enumerate([*keep.tolist(), False]):
            if k and start is None:
                start = i
            elif not k and start is not None:
                if i - start >= 2:
                    runs.append(np.column_stack([x[start:i], y[start:i]]))
                start = None
        if len(runs) > 1 and keep[0] and keep[-1]:  # azimuth 0 and 360 are the same point
            runs[0] = np.vstack([runs.pop(), runs[0]])
        return runs, bool((on_circle & ~keep).any())


def areal_parts(geom: BaseGeometry) -> list[Polygon]:
    out: list[Polygon] = []
    for part in shapely.get_parts(geom):
        if isinstance(part, Polygon):
            if not part.is_empty:
                out.append(part)
        elif hasattr(part, "geoms"):
            out.extend(areal_parts(part))
    return out


def as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    polys = [p for p in areal_parts(geom) if p.area > _SLIVER_KM2]
    return MultiPolygon(polys)
