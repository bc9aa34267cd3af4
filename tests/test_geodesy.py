"""Geodesy against GeographicLib's pure-Python implementation (an independent code base).

Reference: ``geographiclib.geodesic.Geodesic.WGS84`` (C. F. F. Karney), the
package the DESIGN names as the accuracy reference. Tolerance: 1 mm in distance.
"""

from __future__ import annotations

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from reachmap.errors import InputError
from reachmap.geo.geodesy import (
    ANTIPODAL_DISTANCE_KM,
    area_km2,
    destination,
    distance_km,
    inverse,
    normalize_lon,
    parse_latlon,
    validate_lat_lon,
)

from .conftest import EDGE_SITES

REF = Geodesic.WGS84
MM_IN_KM = 1e-6


def _random_pairs(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lat1 = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))  # uniform on the sphere
    lat2 = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    lon1 = rng.uniform(-180, 180, n)
    lon2 = rng.uniform(-180, 180, n)
    return np.column_stack([lat1, lon1, lat2, lon2])


def _near_antipodal_pairs(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lat1 = rng.uniform(-90, 90, n)
    lon1 = rng.uniform(-180, 180, n)
    lat2 = np.clip(-lat1 + rng.uniform(-0.5, 0.5, n), -90, 90)
    lon2 = normalize_lon(lon1 + 180.0 + rng.uniform(-0.7, 0.7, n))
    return np.column_stack([lat1, lon1, lat2, lon2])


def test_distance_matches_geographiclib_to_a_millimetre() -> None:
    pairs = np.vstack([_random_pairs(1000, 1), _near_antipodal_pairs(300, 2)])
    ours = distance_km(lat1=pairs[:, 0], lon1=pairs[:, 1], lat2=pairs[:, 2], lon2=pairs[:, 3])
    ref = np.array([REF.Inverse(*row)["s12"] / 1000.0 for row in pairs])
    assert np.abs(ours - ref).max() < MM_IN_KM


def test_azimuth_matches_geographiclib() -> None:
    pairs = _random_pairs(300, 3)
    _, az = inverse(lat1=pairs[:, 0], lon1=pairs[:, 1], lat2=pairs[:, 2], lon2=pairs[:, 3])
    ref = np.array([REF.Inverse(*row)["azi1"] for row in pairs])
    diff = (az - ref + 180.0) % 360.0 - 180.0
    assert np.abs(diff).max() < 1e-9


def test_destination_matches_geographiclib() -> None:
    rng = np.random.default_rng(4)
    n = 300
    lat = rng.uniform(-90, 90, n)
    lon = rng.uniform(-180, 180, n)
    az = rng.uniform(-180, 180, n)
    dist = rng.uniform(0, 20_000, n)
    la2, lo2 = destination(lat=lat, lon=lon, azimuth_deg=az, distance_km=dist)
    for i in range(n):
        ref = REF.Direct(lat[i], lon[i], az[i], dist[i] * 1000.0)
        # compare positions by the distance between them
        gap = REF.Inverse(la2[i], lo2[i], ref["lat2"], ref["lon2"])["s12"]
        assert gap < 1e-3, (i, gap)


def test_antipodal_distance_is_half_a_meridian() -> None:
    # GeographicLib: the distance between the poles is half the meridian's length.
    assert (
        pytest.approx(REF.Inverse(90, 0, -90, 0)["s12"] / 1000, abs=1e-9) == ANTIPODAL_DISTANCE_KM
    )
    assert pytest.approx(20_003.931458625, abs=1e-6) == ANTIPODAL_DISTANCE_KM


@pytest.mark.parametrize(("lat", "lon"), EDGE_SITES)
def test_no_point_is_farther_than_the_antipodal_distance(lat: float, lon: float) -> None:
    rng = np.random.default_rng(5)
    la = rng.uniform(-90, 90, 5000)
    lo = rng.uniform(-180, 180, 5000)
    assert distance_km(lat1=lat, lon1=lon, lat2=la, lon2=lo).max() <= ANTIPODAL_DISTANCE_KM + 1e-9


def test_scalars_in_scalars_out_and_arrays_keep_shape() -> None:
    assert isinstance(distance_km(lat1=0, lon1=0, lat2=1, lon2=1), float)
    out = distance_km(lat1=0.0, lon1=0.0, lat2=np.zeros((2, 3)), lon2=np.ones((2, 3)))
    assert out.shape == (2, 3)
    assert out == pytest.approx(REF.Inverse(0, 0, 0, 1)["s12"] / 1000.0, abs=MM_IN_KM)
    assert distance_km(lat1=[1.0], lon1=[2.0], lat2=[1.0], lon2=[2.0]).tolist() == [0.0]


def test_hand_checked_equator_degree() -> None:
    # One degree of longitude on the equator is a * pi / 180 with a = 6,378,137 m.
    assert distance_km(lat1=0, lon1=0, lat2=0, lon2=1) == pytest.approx(
        6378.137 * np.pi / 180, abs=MM_IN_KM
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("53.9,27.57", (53.9, 27.57)),
        (" -33.87 , 151.21 ", (-33.87, 151.21)),
        ("Minsk", None),
        ("Paris, FR", None),
        ("-0,-0", (0.0, 0.0)),
    ],
)
def test_parse_latlon(text: str, expected: tuple[float, float] | None) -> None:
    assert parse_latlon(text) == expected


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("91,0", "site latitude"),
        ("0,181", "site longitude"),
        ("abc,10", "site latitude"),
        ("10,abc", "site longitude"),
        ("nan,0", "site latitude"),
    ],
)
def test_bad_latlon_names_the_field(text: str, field: str) -> None:
    with pytest.raises(InputError) as err:
        parse_latlon(text)
    assert err.value.field == field
    assert "from -" in str(err.value)


def test_validate_accepts_the_limits() -> None:
    assert validate_lat_lon(90, 180) == (90.0, 180.0)
    assert validate_lat_lon(-90, -180) == (-90.0, -180.0)


def test_area_matches_geographiclib_with_holes_and_parts() -> None:
    """area_km2 against GeographicLib's PolygonArea (geodesic edges), ring by ring."""
    import shapely
    from geographiclib.polygonarea import PolygonArea

    def ring_m2(ring: list[tuple[float, float]]) -> float:
        pa = PolygonArea(Geodesic.WGS84)
        for lon, lat in ring:
            pa.AddPoint(lat, lon)
        return abs(pa.Compute(False, True)[2])

    outer = [(20.0, 50.0), (30.0, 50.0), (30.0, 58.0), (20.0, 58.0)]
    hole = [(22.0, 52.0), (22.0, 54.0), (24.0, 54.0), (24.0, 52.0)]  # clockwise, as RFC 7946
    island = [(-60.0, -10.0), (-50.0, -10.0), (-55.0, -2.0)]
    geom = shapely.MultiPolygon([shapely.Polygon(outer, [hole]), shapely.Polygon(island)])
    expected_km2 = (ring_m2(outer) - ring_m2(hole) + ring_m2(island)) / 1e6
    # GeographicLib's own accuracy for areas is ~0.1 m^2 per vertex; 1e-9 relative is ample
    assert area_km2(geom) == pytest.approx(expected_km2, rel=1e-9)


def test_area_equals_pyproj_geometry_area_on_every_country() -> None:
    """The ring-array sum equals pyproj's Geod.geometry_area_perimeter on all countries."""
    from pyproj import Geod

    from reachmap.world.tables import load_countries

    geod = Geod(ellps="WGS84")
    for name, g in zip(load_countries().name, load_countries().geometry, strict=True):
        assert area_km2(g) == pytest.approx(abs(geod.geometry_area_perimeter(g)[0]) / 1e6,
                                            rel=1e-12), name  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    lat1=st.floats(-90, 90), lon1=st.floats(-180, 180),
    lat2=st.floats(-90, 90), lon2=st.floats(-180, 180),
)  # fmt: skip
def test_inverse_scalar_path_equals_array_path(
    lat1: float, lon1: float, lat2: float, lon2: float
) -> None:
    """The numpy-free scalar inverse() gives the same bits as the array path."""
    d, az = inverse(lat1=lat1, lon1=lon1, lat2=lat2, lon2=lon2)
    da, aza = inverse(lat1=np.array([lat1]), lon1=np.array([lon1]), lat2=np.array([lat2]),
                      lon2=np.array([lon2]))  # fmt: skip
    assert type(d) is float and type(az) is float
    assert (d, az) == (float(da[0]), float(aza[0]))


def test_geodesy_import_and_scalar_inverse_load_no_numpy() -> None:
    """``reachmap distance`` resolves two places and one inverse without numpy."""
    import subprocess
    import sys

    code = (
        "import sys; from reachmap.geo.geodesy import inverse; "
        "inverse(lat1=53.9, lon1=27.57, lat2=52.52, lon2=13.4); print('numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
