"""Coverage against independent references.

* Point status is compared with a brute-force oracle: every point's distance to
  every site from the pure-Python ``geographiclib`` package (independent of pyproj).
* The spherical pre-filter rests on the sphere/ellipsoid distance ratio staying
  within 1%; that bound is tested directly, near-antipodal pairs included.
* Country figures are checked on cases that can be reasoned about by hand.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from geographiclib.geodesic import Geodesic
from hypothesis import given
from hypothesis import strategies as st

from reachmap.coverage.places import (
    BEYOND,
    IN_HOLE,
    REACHED,
    country_reach,
    reach_points,
)
from reachmap.errors import InputError
from reachmap.geo.envelope import WORLD, annulus
from reachmap.geo.geodesy import SPHERE_RELATIVE_ERROR, destination, distance_km, sphere_distance_km
from reachmap.world.tables import load_countries, load_places

from .conftest import latitudes, longitudes

REF = Geodesic.WGS84


def _oracle(lat, lon, sites, lo, hi) -> np.ndarray:
    """Brute force: geographiclib distance from every site to every point."""
    d = np.array(
        [
            [REF.Inverse(s[0], s[1], a, b)["s12"] / 1000 for a, b in zip(lat, lon, strict=False)]
            for s in sites
        ]
    )
    reached = ((d >= lo) & (d <= hi)).any(axis=0)
    close = (d < lo).any(axis=0)
    return np.where(reached, REACHED, np.where(close, IN_HOLE, BEYOND))


def _points_near(sites, radii, n, rng) -> tuple[np.ndarray, np.ndarray]:
    """Random points plus points within a few km of each site's range limits."""
    lat = list(np.degrees(np.arcsin(rng.uniform(-1, 1, n))))
    lon = list(rng.uniform(-180, 180, n))
    for s_lat, s_lon in sites:
        for r in radii:
            if r <= 0:
                continue
            az = rng.uniform(0, 360, n // 4)
            la, lo = destination(
                lat=s_lat, lon=s_lon, azimuth_deg=az, distance_km=r + rng.uniform(-3, 3, n // 4)
            )
            lat += list(la)
            lon += list(lo)
    return np.array(lat), np.array(lon)


@given(
    sites=st.lists(st.tuples(latitudes, longitudes), min_size=1, max_size=3),
    lo=st.one_of(st.just(0.0), st.floats(1.0, 5000.0)),
    width=st.floats(10.0, 15_000.0),
    seed=st.integers(0, 2**16),
)
def test_point_status_equals_brute_force_oracle(sites, lo, width, seed) -> None:
    hi = min(lo + width, 20_040.0)
    lat, lon = _points_near(sites, (lo, hi), 80, np.random.default_rng(seed))
    got = reach_points(lat=lat, lon=lon, sites=sites, min_km=lo, max_km=hi)
    assert (got.status == _oracle(lat, lon, sites, lo, hi)).all()


def test_nearest_site_and_distance() -> None:
    sites = [(53.90019, 27.56653), (52.52437, 13.41053)]  # Minsk, Berlin
    lat, lon = np.array([52.22977, 48.85341]), np.array([21.01178, 2.3488])  # Warsaw, Paris
    got = reach_points(lat=lat, lon=lon, sites=sites, min_km=0, max_km=600, with_distance=True)
    ref = [
        [REF.Inverse(*s, a, b)["s12"] / 1000 for s in sites] for a, b in zip(lat, lon, strict=False)
    ]
    assert got.nearest_km == pytest.approx([min(r) for r in ref], abs=1e-6)
    assert got.nearest_site.tolist() == [int(np.argmin(r)) for r in ref]
    assert got.status.tolist() == [REACHED, BEYOND]  # Paris is ~880 km from Berlin


@given(
    lat1=latitudes,
    lon1=longitudes,
    lat2=st.floats(-90, 90),
    dlon=st.floats(-180, 180),
    antipodal=st.booleans(),
)
def test_sphere_is_within_one_percent_of_the_ellipsoid(lat1, lon1, lat2, dlon, antipodal) -> None:
    # The pre-filter relies on this bound (observed maximum: 0.56%).
    if antipodal:
        lat2, dlon = float(np.clip(-lat1 + lat2 / 90.0, -90, 90)), 180.0 + dlon / 180.0
    lon2 = lon1 + dlon
    exact = REF.Inverse(lat1, lon1, lat2, lon2)["s12"] / 1000
    approx = float(sphere_distance_km(lat1, lon1, lat2, lon2))
    assert abs(approx - exact) <= SPHERE_RELATIVE_ERROR * approx + 1.0


def test_no_site_is_an_error() -> None:
    with pytest.raises(InputError, match="site"):
        reach_points(lat=[0.0], lon=[0.0], sites=[], min_km=0, max_km=10)


@pytest.fixture(scope="module")
def world():
    return load_countries(), load_places()


def _run(world, sites, lo, hi):
    countries, places = world
    status = reach_points(lat=places.lat, lon=places.lon, sites=sites, min_km=lo, max_km=hi).status
    geom = annulus(lat=sites[0][0], lon=sites[0][1], min_km=lo, max_km=hi)
    return {(c.iso2 or c.name): c for c in country_reach(countries, places, status, geom)}


def test_country_statuses_from_minsk(world) -> None:
    rows = _run(world, [(53.90019, 27.56653)], 500.0, 5500.0)
    # Germany lies 600-1,400 km from Minsk: fully reached, so every place is and the
    # population estimate is the whole population.
    de = rows["DE"]
    assert de.status == "full" and de.area_reached_km2 == pytest.approx(de.area_km2, rel=1e-4)
    assert de.population_reached_estimate == de.population
    # Belarus is entirely within 500 km of Minsk (its far corners are ~350 km away).
    assert rows["BY"].status == IN_HOLE and rows["BY"].area_reached_km2 == 0
    # Australia is > 10,000 km away.
    assert rows["AU"].status == "none" and rows["AU"].population_reached_estimate == 0
    # Poland straddles the 500 km hole edge.
    assert rows["PL"].status == "partial" and 0 < rows["PL"].area_share < 1
    assert 0 < rows["PL"].population_reached_estimate < rows["PL"].population


def test_whole_world_envelope_reaches_every_country(world) -> None:
    countries, places = world
    status = np.full(len(places), REACHED)
    rows = country_reach(countries, places, status, WORLD)
    assert all(r.status == "full" for r in rows)
    assert sum(r.area_reached_km2 for r in rows) == pytest.approx(countries.area_km2.sum())


def test_area_reached_of_a_clipped_country_is_its_ellipsoidal_area(world) -> None:
    # A disc of 200 km around Luxembourg city covers the whole country (the farthest
    # point of Luxembourg is ~60 km away): the area reached is the full area.
    countries, _places = world
    rows = _run(world, [(49.61167, 6.13)], 0.0, 200.0)
    lu = rows["LU"]
    assert lu.status == "full"
    # independent area: geographiclib's PolygonArea over the outline's rings
    total = 0.0
    for poly in countries.geometry[countries.index_of("LU")].geoms:
        for k, ring in enumerate([poly.exterior, *poly.interiors]):
            pa = REF.Polygon()
            for x, y in ring.coords[:-1]:
                pa.AddPoint(y, x)
            total += (1 if k == 0 else -1) * abs(pa.Compute()[2]) / 1e6
    assert lu.area_km2 == pytest.approx(total, rel=1e-9)
    # GeoNames gives Luxembourg 2,586 km²; Natural Earth 1:50m outlines agree within 5%.
    assert lu.area_km2 == pytest.approx(2586, rel=0.05)


def test_places_counted_once_and_distance_consistent(world) -> None:
    _, places = world
    sel = slice(0, 500)
    d = distance_km(lat1=50.0, lon1=10.0, lat2=places.lat[sel], lon2=places.lon[sel])
    got = reach_points(
        lat=places.lat[sel], lon=places.lon[sel], sites=[(50.0, 10.0)], min_km=0, max_km=1000
    )
    assert (got.reached == (d <= 1000)).all()
    assert shapely.Point(10.0, 50.0).within(annulus(lat=50.0, lon=10.0, min_km=0, max_km=1000))
