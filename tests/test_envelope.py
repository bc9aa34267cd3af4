"""Envelope polygons: membership against exact distances, RFC 7946 validity, edge cases.

The reference is the exact geodesic distance (pyproj/GeographicLib, itself checked
against the independent ``geographiclib`` package in ``test_geodesy.py``): a point
nearer than ``R - tol`` must be inside the drawn polygon, one farther than
``R + tol`` outside, where ``tol = boundary_tolerance_km(R)`` (0.1 % of R, at most
1 km), the accuracy DESIGN.md promises.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from reachmap.errors import InputError
from reachmap.geo.envelope import (
    WORLD,
    annulus,
    boundary_ring,
    boundary_tolerance_km,
    disc,
    envelope,
    to_geojson,
)
from reachmap.geo.geodesy import ANTIPODAL_DISTANCE_KM, destination, distance_km

from .conftest import EDGE_SITES, latitudes, longitudes, radii_km


def _probe_points(lat: float, lon: float, radius_km: float, seed: int) -> np.ndarray:
    """Points near the boundary (both sides), near the site, and anywhere on Earth."""
    rng = np.random.default_rng(seed)
    n = 400
    az = rng.uniform(0, 360, n)
    tol = boundary_tolerance_km(radius_km)
    offsets = rng.choice([-1, 1], n) * tol * rng.uniform(1.0001, 3.0, n)
    la, lo = destination(
        lat=lat, lon=lon, azimuth_deg=az, distance_km=np.clip(radius_km + offsets, 0, None)
    )
    la2, lo2 = destination(
        lat=lat, lon=lon, azimuth_deg=az, distance_km=rng.uniform(0, radius_km, n)
    )
    la3 = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    lo3 = rng.uniform(-180, 180, n)
    return np.column_stack([np.r_[lo, lo2, lo3], np.r_[la, la2, la3]])


def _inside(geom: shapely.Geometry, pts: np.ndarray) -> np.ndarray:
    return shapely.intersects_xy(geom, pts[:, 0], pts[:, 1])


def _check_rfc7946(geometry: dict) -> None:
    """Closed rings, CCW exteriors, CW holes, no edge across the antimeridian."""
    assert geometry["type"] == "MultiPolygon"
    for polygon in geometry["coordinates"]:
        for k, ring in enumerate(polygon):
            xy = np.asarray(ring)
            assert len(xy) >= 4
            assert (xy[0] == xy[-1]).all(), "ring not closed"
            assert (np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 90).all()
            # an edge may span more than 180 deg of longitude only along a pole (a point)
            jump = np.abs(np.diff(xy[:, 0])) > 180
            on_pole = (np.abs(xy[:-1, 1]) == 90) & (xy[:-1, 1] == xy[1:, 1])
            assert not (jump & ~on_pole).any(), "edge crosses the antimeridian"
            signed = 0.5 * np.sum(xy[:-1, 0] * xy[1:, 1] - xy[1:, 0] * xy[:-1, 1])
            assert (signed > 0) if k == 0 else (signed < 0), "wrong winding"
    assert shapely.geometry.shape(geometry).is_valid


@given(lat=latitudes, lon=longitudes, radius=radii_km, seed=st.integers(0, 2**16))
def test_disc_membership_matches_exact_distance(lat, lon, radius, seed) -> None:
    geom = disc(lat=lat, lon=lon, radius_km=radius)
    pts = _probe_points(lat, lon, radius, seed)
    d = distance_km(lat1=lat, lon1=lon, lat2=pts[:, 1], lon2=pts[:, 0])
    tol = boundary_tolerance_km(radius)
    inside = _inside(geom, pts)
    assert inside[d < radius - tol].all()
    assert not inside[d > radius + tol].any()
    _check_rfc7946(to_geojson(geom))


@given(lat=latitudes, lon=longitudes, radius=radii_km)
def test_boundary_vertices_and_edges_stay_within_tolerance(lat, lon, radius) -> None:
    ring = boundary_ring(lat=lat, lon=lon, radius_km=radius)
    # 16 points along every edge, straight in lon/lat as RFC 7946 draws it
    t = np.linspace(0, 1, 17)[:, None]
    x = ring[:-1, 0] + t * (ring[1:, 0] - ring[:-1, 0])
    y = ring[:-1, 1] + t * (ring[1:, 1] - ring[:-1, 1])
    d = distance_km(lat1=lat, lon1=lon, lat2=y, lon2=x)
    assert np.abs(d - radius).max() <= boundary_tolerance_km(radius)
    assert (np.abs(np.diff(ring[:, 0])) < 180).all()


@given(
    lat=latitudes,
    lon=longitudes,
    inner=st.floats(1.0, 15_000.0),
    width=st.floats(1.0, 10_000.0),
    seed=st.integers(0, 2**16),
)
def test_annulus_excludes_its_hole(lat, lon, inner, width, seed) -> None:
    outer = min(inner + width, 19_999.0)
    geom = annulus(lat=lat, lon=lon, min_km=inner, max_km=outer)
    pts = np.vstack([_probe_points(lat, lon, inner, seed), _probe_points(lat, lon, outer, seed)])
    d = distance_km(lat1=lat, lon1=lon, lat2=pts[:, 1], lon2=pts[:, 0])
    t_in, t_out = boundary_tolerance_km(inner), boundary_tolerance_km(outer)
    inside = _inside(geom, pts)
    assert not inside[d < inner - t_in].any(), "a point in the min-range hole is inside"
    assert inside[(d > inner + t_in) & (d < outer - t_out)].all()
    assert not inside[d > outer + t_out].any()
    if not geom.is_empty:
        _check_rfc7946(to_geojson(geom))


@given(
    sites=st.lists(st.tuples(latitudes, longitudes), min_size=1, max_size=5),
    lo=st.floats(0.0, 3000.0),
    width=st.floats(50.0, 12_000.0),
    seed=st.integers(0, 2**16),
)
def test_union_membership_is_the_or_of_its_sites(sites, lo, width, seed) -> None:
    hi = lo + width
    geom = envelope(sites, min_km=lo, max_km=hi)
    rng = np.random.default_rng(seed)
    pts = np.column_stack(
        [rng.uniform(-180, 180, 1500), np.degrees(np.arcsin(rng.uniform(-1, 1, 1500)))]
    )
    inside = _inside(geom, pts)
    surely_in = np.zeros(len(pts), bool)
    surely_out = np.ones(len(pts), bool)
    for la, lon in sites:
        d = distance_km(lat1=la, lon1=lon, lat2=pts[:, 1], lon2=pts[:, 0])
        t_lo, t_hi = boundary_tolerance_km(lo) if lo else 0.0, boundary_tolerance_km(hi)
        surely_in |= (d > lo + t_lo) & (d < hi - t_hi)
        surely_out &= (d < lo - t_lo) | (d > hi + t_hi)
    assert inside[surely_in].all()
    assert not inside[surely_out].any()
    _check_rfc7946(to_geojson(geom))


@pytest.mark.parametrize(("lat", "lon"), EDGE_SITES)
@pytest.mark.parametrize("radius", [10.0, 3000.0, 10_500.0, 19_990.0])
def test_edge_sites(lat: float, lon: float, radius: float) -> None:
    geom = disc(lat=lat, lon=lon, radius_km=radius)
    pts = _probe_points(lat, lon, radius, 7)
    d = distance_km(lat1=lat, lon1=lon, lat2=pts[:, 1], lon2=pts[:, 0])
    tol = boundary_tolerance_km(radius)
    inside = _inside(geom, pts)
    assert inside[d < radius - tol].all() and not inside[d > radius + tol].any()
    _check_rfc7946(to_geojson(geom))


def test_disc_holding_the_north_pole_is_closed_along_the_pole() -> None:
    geom = disc(lat=80.0, lon=30.0, radius_km=2000.0)
    assert geom.intersects(shapely.Point(-150.0, 90.0)) and geom.intersects(
        shapely.Point(150.0, 89.9)
    )
    (poly,) = geom.geoms  # one piece: from -180 to 180, topped by the pole
    minx, _, maxx, maxy = poly.bounds
    assert (minx, maxx, maxy) == (-180.0, 180.0, 90.0)


def test_disc_across_the_antimeridian_is_cut_into_two_pieces() -> None:
    geom = disc(lat=-17.7, lon=178.0, radius_km=600.0)  # Fiji
    assert len(geom.geoms) == 2
    assert {round(p.bounds[0]) for p in geom.geoms} | {round(p.bounds[2]) for p in geom.geoms} >= {
        -180,
        180,
    }


def test_disc_holding_both_poles_is_the_world_minus_a_hole_around_the_antipode() -> None:
    geom = disc(lat=0.0, lon=0.0, radius_km=15_000.0)
    assert geom.intersects(shapely.Point(0, 90)) and geom.intersects(shapely.Point(0, -90))
    assert not geom.intersects(shapely.Point(180.0, 0.0))
    assert not geom.intersects(shapely.Point(-179.0, 0.0))


@pytest.mark.parametrize("radius", [ANTIPODAL_DISTANCE_KM, 20_010.0, 20_040.0])
def test_radius_at_or_beyond_the_antipode_is_the_whole_earth(radius: float) -> None:
    assert disc(lat=12.3, lon=45.6, radius_km=radius).equals(WORLD)


def test_radius_just_short_of_the_antipode_leaves_the_antipode_out() -> None:
    # 19,999 km from (0, 0): the cut locus (equator, lon 180 +- 0.6 deg) begins at 19,970 km.
    geom = disc(lat=0.0, lon=0.0, radius_km=19_999.0)
    assert not geom.intersects(shapely.Point(180.0, 0.0))
    assert geom.intersects(shapely.Point(179.0, 0.0))  # on the cut locus, 19,993 km away
    assert distance_km(lat1=0, lon1=0, lat2=0, lon2=179.0) < 19_999.0 - 1


def test_boundary_passing_through_a_pole_is_still_a_valid_disc() -> None:
    # Regression guard: a radius equal to the distance to the pole makes the ring's
    # winding ambiguous; the disc must stay valid and correct.
    radius = distance_km(lat1=0.0, lon1=0.0, lat2=90.0, lon2=0.0)
    geom = disc(lat=0.0, lon=0.0, radius_km=radius)
    _check_rfc7946(to_geojson(geom))
    assert geom.intersects(shapely.Point(0.0, 89.9)) and not geom.intersects(
        shapely.Point(180.0, 0.0)
    )


def test_min_zero_is_a_plain_disc_and_zero_radius_is_empty() -> None:
    assert annulus(lat=1, lon=2, min_km=0, max_km=800).equals(disc(lat=1, lon=2, radius_km=800))
    assert disc(lat=1, lon=2, radius_km=0).is_empty


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"min_km": -5, "max_km": 10}, "min_km"),
        ({"min_km": 0, "max_km": 30_000}, "max_km"),
        ({"min_km": 600, "max_km": 500}, "min_km"),
        ({"min_km": 0, "max_km": float("nan")}, "max_km"),
    ],
)
def test_bad_radii_name_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(InputError) as err:
        annulus(lat=0, lon=0, **kwargs)
    assert err.value.field == field


def test_no_site_is_an_error() -> None:
    with pytest.raises(InputError, match="site"):
        envelope([], min_km=0, max_km=100)


def test_geojson_is_json_serialisable_and_rounded() -> None:
    text = json.dumps(to_geojson(disc(lat=53.9, lon=27.57, radius_km=500), precision=6))
    assert len(text.split(".")[1].split(",")[0].rstrip("]")) <= 6
