"""Geodesics on the WGS84 ellipsoid: distance, azimuth and destination.

This is the only module that talks to pyproj's :class:`pyproj.Geod`, which
implements Karney's algorithms (GeographicLib): results are accurate to a few
nanometres anywhere on the ellipsoid, antipodal points included.

Conventions (see ``docs/conventions.md``): distances in kilometres, angles in
degrees, azimuths clockwise from north. Public functions take ``lat=`` and
``lon=`` by keyword. Every function accepts Python scalars, sequences or numpy
arrays (broadcast together) and returns floats for scalar input, numpy arrays
otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, overload

from pyproj import Geod

from reachmap.errors import InputError

if TYPE_CHECKING:  # numpy is imported in the functions that use it: scalar inverse()
    import numpy as np  # calls (reachmap distance) then load no numpy

__all__ = [
    "ANTIPODAL_DISTANCE_KM",
    "GEOD",
    "MAX_RADIUS_KM",
    "SPHERE_RELATIVE_ERROR",
    "area_km2",
    "azimuth_deg",
    "cell_area_km2",
    "destination",
    "distance_km",
    "inverse",
    "inverse_with_arrival",
    "normalize_lon",
    "parse_latlon",
    "sphere_distance_km",
    "validate_lat_lon",
]

ArrayLike: TypeAlias = "float | Sequence[float] | np.ndarray"

#: The WGS84 ellipsoid, through pyproj (GeographicLib's algorithms).
GEOD = Geod(ellps="WGS84")

#: Distance from any point to its antipode on WGS84, in kilometres (half a
#: meridian, 20,003.931 km). No two points on Earth are farther apart, so a
#: radius at or beyond it covers the whole Earth.
ANTIPODAL_DISTANCE_KM: float = float(GEOD.inv(0.0, 90.0, 0.0, -90.0)[2]) / 1000.0

#: The largest radius accepted from users, in kilometres: half the equator,
#: rounded up (20,040 km). Anything at or beyond ``ANTIPODAL_DISTANCE_KM``
#: already means the whole Earth.
MAX_RADIUS_KM: float = 20_040.0


def _arrays(*values: ArrayLike) -> tuple[bool, list[np.ndarray]]:
    """Broadcast inputs to float64 arrays; say whether all inputs were scalars."""
    import numpy as np
    scalar = all(np.ndim(v) == 0 for v in values)
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in values))
    return scalar, [np.ascontiguousarray(a).ravel() for a in arrays]


def _shape(*values: ArrayLike) -> tuple[int, ...]:
    import numpy as np
    return np.broadcast_shapes(*(np.shape(v) for v in values))


def _out(scalar: bool, shape: tuple[int, ...], value: np.ndarray) -> Any:
    return float(value[0]) if scalar else value.reshape(shape)


def normalize_lon(lon: ArrayLike) -> Any:
    """Wrap longitudes into [-180, 180), in degrees.

    Parameters
    ----------
    lon : float or array_like
        Longitude in degrees, any value.

    Returns
    -------
    float or numpy.ndarray
        The same longitude in [-180, 180).

    Examples
    --------
    >>> normalize_lon(190.0)
    -170.0
    >>> normalize_lon([180.0, -180.0, 540.0]).tolist()
    [-180.0, -180.0, -180.0]

    """
    scalar, (arr,) = _arrays(lon)
    wrapped = (arr + 180.0) % 360.0 - 180.0
    return _out(scalar, _shape(lon), wrapped)


@overload
def inverse(*, lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]: ...
@overload
def inverse(
    *, lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> tuple[Any, Any]: ...
def inverse(
    *, lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> tuple[Any, Any]:
    """Solve the inverse geodesic problem on WGS84.

    Parameters
    ----------
    lat1, lon1 : float or array_like
        First point(s), latitude and longitude in degrees.
    lat2, lon2 : float or array_like
        Second point(s), latitude and longitude in degrees.

    Returns
    -------
    distance_km : float or numpy.ndarray
        Length of the shortest geodesic, in kilometres.
    azimuth_deg : float or numpy.ndarray
        Azimuth of that geodesic at the first point, in degrees clockwise from
        north, in [-180, 180].

    Examples
    --------
    >>> d, az = inverse(lat1=0.0, lon1=0.0, lat2=0.0, lon2=1.0)
    >>> round(d, 6), az
    (111.319491, 90.0)

    """
    values = (lat1, lon1, lat2, lon2)
    if all(type(v) is float or type(v) is int for v in values):
        # one pair of plain numbers: pyproj's scalar call (the same geod_inverse on the
        # same doubles as the array path below, so the same bits) without numpy
        la1, lo1, la2, lo2 = (float(v) for v in values)  # type: ignore[arg-type]
        az, _back, metres = GEOD.inv(lo1, la1, lo2, la2)
        return float(metres) / 1000.0, float(az)
    import numpy as np

    shape = _shape(*values)
    scalar, (a1, o1, a2, o2) = _arrays(*values)
    az12, _az21, dist_m = GEOD.inv(o1, a1, o2, a2)
    return (
        _out(scalar, shape, np.asarray(dist_m) / 1000.0),
        _out(scalar, shape, np.asarray(az12)),
    )


def inverse_with_arrival(
    *, lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> tuple[Any, Any]:
    """Distance, and the azimuth with which the geodesic arrives at point 2.

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : float or array_like
        The two points, in degrees.

    Returns
    -------
    distance_km : float or numpy.ndarray
        Length of the shortest geodesic, in kilometres.
    arrival_azimuth_deg : float or numpy.ndarray
        Forward azimuth of the geodesic at point 2, degrees clockwise from north
        (moving point 2 a small step east lengthens the geodesic by
        ``sin(arrival azimuth)`` times that step).

    Examples
    --------
    >>> d, az2 = inverse_with_arrival(lat1=0.0, lon1=0.0, lat2=0.0, lon2=1.0)
    >>> round(d, 6), az2
    (111.319491, 90.0)
    """
    import numpy as np
    shape = _shape(lat1, lon1, lat2, lon2)
    scalar, (a1, o1, a2, o2) = _arrays(lat1, lon1, lat2, lon2)
    _az12, az21, dist_m = GEOD.inv(o1, a1, o2, a2)
    arrival = (np.asarray(az21) + 360.0) % 360.0 - 180.0  # the back azimuth, turned round
    return _out(scalar, shape, np.asarray(dist_m) / 1000.0), _out(scalar, shape, arrival)


def distance_km(*, lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> Any:
    """Geodesic distance on WGS84, in kilometres.

    Parameters
    ----------
    lat1, lon1 : float or array_like
        First point(s), latitude and longitude in degrees.
    lat2, lon2 : float or array_like
        Second point(s), latitude and longitude in degrees.

    Returns
    -------
    float or numpy.ndarray
        Length of the shortest geodesic between the points, in kilometres.

    Examples
    --------
    Minsk to Warsaw, about 476 km:

    >>> round(distance_km(lat1=53.90019, lon1=27.56653, lat2=52.22977, lon2=21.01178), 1)
    476.9
    >>> distance_km(lat1=0.0, lon1=0.0, lat2=[0.0, 0.0], lon2=[1.0, 2.0]).round(3).tolist()
    [111.319, 222.639]

    """
    return inverse(lat1=lat1, lon1=lon1, lat2=lat2, lon2=lon2)[0]


def azimuth_deg(*, lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> Any:
    """Return the initial azimuth of the shortest geodesic from point 1 to point 2.

    Parameters
    ----------
    lat1, lon1 : float or array_like
        Start point(s), latitude and longitude in degrees.
    lat2, lon2 : float or array_like
        End point(s), latitude and longitude in degrees.

    Returns
    -------
    float or numpy.ndarray
        Azimuth at the start, degrees clockwise from north, in [-180, 180].

    Examples
    --------
    >>> azimuth_deg(lat1=0.0, lon1=0.0, lat2=10.0, lon2=0.0)
    0.0

    """
    return inverse(lat1=lat1, lon1=lon1, lat2=lat2, lon2=lon2)[1]


def destination(
    *, lat: ArrayLike, lon: ArrayLike, azimuth_deg: ArrayLike, distance_km: ArrayLike
) -> tuple[Any, Any]:
    """Solve the direct geodesic problem: where a geodesic of given length ends.

    Parameters
    ----------
    lat, lon : float or array_like
        Start point(s), latitude and longitude in degrees.
    azimuth_deg : float or array_like
        Initial azimuth, degrees clockwise from north.
    distance_km : float or array_like
        Length of the geodesic, in kilometres (may exceed the antipodal distance,
        in which case the end point is nearer than ``distance_km``).

    Returns
    -------
    lat, lon : float or numpy.ndarray
        End point(s) in degrees, longitude in [-180, 180].

    Examples
    --------
    >>> lat, lon = destination(lat=0.0, lon=0.0, azimuth_deg=90.0, distance_km=111.319491)
    >>> round(lat, 9), round(lon, 6)
    (0.0, 1.0)

    """
    import numpy as np
    shape = _shape(lat, lon, azimuth_deg, distance_km)
    scalar, (a, o, az, d) = _arrays(lat, lon, azimuth_deg, distance_km)
    lon2, lat2, _ = GEOD.fwd(o, a, az, d * 1000.0)
    return _out(scalar, shape, np.asarray(lat2)), _out(scalar, shape, np.asarray(lon2))


def validate_lat_lon(lat: float, lon: float, *, field: str = "site") -> tuple[float, float]:
    """Check one latitude/longitude pair given by a user.

    Parameters
    ----------
    lat : float
        Latitude in degrees; allowed -90 to 90.
    lon : float
        Longitude in degrees; allowed -180 to 180.
    field : str
        Name of the input field, used in the error message.

    Returns
    -------
    tuple of float
        ``(lat, lon)`` as floats.

    Raises
    ------
    InputError
        If either value is not finite or out of its range.

    Examples
    --------
    >>> validate_lat_lon(53.9, 27.57)
    (53.9, 27.57)
    >>> validate_lat_lon(91, 0)
    Traceback (most recent call last):
    ...
    reachmap.errors.InputError: site latitude: 91.0 is not allowed; expected a number ...

    """
    lat_f, lon_f = float(lat), float(lon)
    if not (math.isfinite(lat_f) and -90.0 <= lat_f <= 90.0):
        raise InputError(f"{field} latitude", lat_f, "a number from -90 to 90 (degrees)")
    if not (math.isfinite(lon_f) and -180.0 <= lon_f <= 180.0):
        raise InputError(f"{field} longitude", lon_f, "a number from -180 to 180 (degrees)")
    return lat_f, lon_f


def parse_latlon(text: str, *, field: str = "site") -> tuple[float, float] | None:
    """Parse ``"lat,lon"`` text in decimal degrees.

    Parameters
    ----------
    text : str
        Text such as ``"53.9,27.57"`` or ``"-33.87, 151.21"``.
    field : str
        Name of the input field, used in error messages.

    Returns
    -------
    tuple of float or None
        ``(lat, lon)`` in degrees, or ``None`` when the text does not look like a
        coordinate pair at all (so the caller can try it as a place name).

    Raises
    ------
    InputError
        If the text is a pair of numbers (or a number and a non-number) but a value
        is not a valid latitude or longitude.

    Examples
    --------
    >>> parse_latlon("53.9, 27.57")
    (53.9, 27.57)
    >>> parse_latlon("Minsk") is None
    True
    >>> parse_latlon("53.9,abc")
    Traceback (most recent call last):
    ...
    reachmap.errors.InputError: site longitude: 'abc' is not allowed; expected a number ...

    """
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        return None
    numbers: list[float | None] = []
    for part in parts:
        try:
            numbers.append(float(part))
        except ValueError:
            numbers.append(None)
    if numbers[0] is None and numbers[1] is None:
        return None  # e.g. "Paris, FR": a place name with a country qualifier
    if numbers[0] is None:
        raise InputError(f"{field} latitude", parts[0], "a number from -90 to 90 (degrees)")
    if numbers[1] is None:
        raise InputError(f"{field} longitude", parts[1], "a number from -180 to 180 (degrees)")
    return validate_lat_lon(numbers[0], numbers[1], field=field)


def area_km2(geom: Any) -> float:
    """Area of a lon/lat polygon on the WGS84 ellipsoid, in square kilometres.

    Edges are taken as geodesics (for the short edges of country outlines and
    envelopes the difference from lon/lat straight lines is negligible).

    Parameters
    ----------
    geom : shapely Polygon or MultiPolygon
        In lon/lat degrees.

    Returns
    -------
    float
        Area in km², ≥ 0 whatever the ring orientation.

    Examples
    --------
    A 1°×1° cell at the equator is 12,308.78 km² (GeographicLib's PolygonArea):

    >>> import shapely
    >>> round(area_km2(shapely.box(0, 0, 1, 1)), 2)
    12308.78
    """
    import shapely  # here, not at the top: `reachmap distance` needs no shapely

    if geom.is_empty:
        return 0.0
    # pyproj's Geod.geometry_area_perimeter, ring by ring in the same order (exterior plus
    # signed holes, then the parts), from coordinate arrays: the same sums, without its
    # per-ring shapely ``.xy`` copies (twice as fast on the bundled countries)
    total = 0.0
    for poly in shapely.get_parts(geom):
        area = _ring_area_m2(shapely.get_exterior_ring(poly))
        for k in range(shapely.get_num_interior_rings(poly)):
            area += _ring_area_m2(shapely.get_interior_ring(poly, k))
        total += area
    return abs(total) / 1e6


def _ring_area_m2(ring: Any) -> float:
    import shapely

    xy = shapely.get_coordinates(ring)
    return float(GEOD.polygon_area_perimeter(xy[:, 0], xy[:, 1])[0])


#: The spherical distance of :func:`sphere_distance_km` differs from the WGS84
#: geodesic distance by less than this share of itself plus 1 km (observed maximum
#: 0.56%; tested with hypothesis in ``tests/test_coverage.py``).
SPHERE_RELATIVE_ERROR = 0.01

_MEAN_RADIUS_KM = 6371.0088  # IUGG mean radius of the Earth


def sphere_distance_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> Any:
    """Great-circle distance on a sphere of the mean Earth radius, in kilometres.

    A cheap stand-in for the geodesic distance when only a bound is needed: it is
    within ``SPHERE_RELATIVE_ERROR`` of itself plus 1 km of the WGS84 distance.
    Arguments are in degrees and broadcast together.

    Examples
    --------
    >>> round(float(sphere_distance_km(0.0, 0.0, 0.0, 1.0)), 3)
    111.195
    """
    import numpy as np
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (
        np.sin((p2 - p1) / 2.0) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(np.subtract(lon2, lon1)) / 2.0) ** 2
    )
    return 2.0 * _MEAN_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def cell_area_km2(*, lat1: ArrayLike, lat2: ArrayLike, dlon_deg: ArrayLike) -> Any:
    """Area of a latitude/longitude cell on the WGS84 ellipsoid, in square kilometres.

    The cell is bounded by two parallels and two meridians ``dlon_deg`` apart
    (its edges follow the parallels, not geodesics). The area is the closed-form
    integral of the ellipsoid's area element, written so that it keeps full
    relative precision for cells of a few metres, near the poles included.

    Parameters
    ----------
    lat1, lat2 : float or array_like
        Latitudes of the two parallels, in degrees, in [-90, 90], either order.
    dlon_deg : float or array_like
        Width of the cell in longitude, in degrees, ≥ 0 (360 for a whole zone).

    Returns
    -------
    float or numpy.ndarray
        Area in km², ≥ 0.

    Examples
    --------
    A 1°×1° cell at the equator (GeographicLib's PolygonArea, with the
    northern edge densified along the parallel, gives the same to 1e-11):

    >>> round(cell_area_km2(lat1=0.0, lat2=1.0, dlon_deg=1.0), 6)
    12308.463894
    >>> round(cell_area_km2(lat1=-90.0, lat2=90.0, dlon_deg=360.0))  # the whole ellipsoid
    510065622
    """
    import numpy as np
    shape = _shape(lat1, lat2, dlon_deg)
    scalar, (a1, a2, w) = _arrays(lat1, lat2, dlon_deg)
    e2 = float(GEOD.es)
    e = np.sqrt(e2)
    phi1, phi2 = np.radians(np.maximum(a1, a2)), np.radians(np.minimum(a1, a2))
    # x = sin(lat); the area element is b² dλ dx / (1 - e² x²)².
    x1, x2 = np.sin(phi1), np.sin(phi2)
    dx = 2.0 * np.cos((phi1 + phi2) / 2.0) * np.sin((phi1 - phi2) / 2.0)  # x1 - x2, no cancellation
    p = e2 * x1 * x2
    first = dx * (1.0 + p) / (2.0 * (1.0 - e2 * x1 * x1) * (1.0 - e2 * x2 * x2))
    second = np.arctanh(e * dx / (1.0 - p)) / (2.0 * e)  # atanh(e x1) - atanh(e x2)
    b_km = float(GEOD.b) / 1000.0
    area = b_km * b_km * np.radians(w) * (first + second)
    return _out(scalar, shape, area)
