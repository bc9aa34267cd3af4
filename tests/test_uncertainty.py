"""Reach tiers under uncertainty, against hand computations and GeographicLib.

References: distances and destination points from GeographicLib (``geographiclib``, the
reference implementation, independent of pyproj's copy); the tier of a point follows
by hand from its distance ``d`` to the disc's centre: certain when ``d + u <= max_lo``
(and ``d - u >= min_hi``), possible when ``d - u <= max_hi`` (and ``d + u >= min_lo``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from hypothesis import given
from hypothesis import strategies as st

from reachmap.analysis.reach import Site
from reachmap.analysis.uncertainty import (
    POLYGON_STEP_KM,
    Interval,
    UncertainRange,
    UncertainSite,
    parse_interval,
    point_tiers,
    uncertain_sites,
)
from reachmap.coverage.places import reach_points
from reachmap.coverage.raster import covered_intervals, covered_union
from reachmap.errors import InputError

from .conftest import latitudes, longitudes
from .test_raster import exact_oracle, grid

WGS84 = Geodesic.WGS84
MM = 1e-6  # one millimetre, in km: the distance accuracy, and the tiers' tolerance


def direct(lat: float, lon: float, az: float, km: float) -> tuple[float, float]:
    g = WGS84.Direct(lat, lon, az, km * 1000.0)
    return g["lat2"], g["lon2"]


def gl_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return WGS84.Inverse(a[0], a[1], b[0], b[1])["s12"] / 1000.0


def exact(km: float) -> Interval:
    return Interval(km, km)


def tiers_at(centre, u, rng, distances, az=37.0):
    site = UncertainSite(Site("centre", *centre), radius_km=u)
    pts = [direct(*centre, az, d) for d in distances]
    return point_tiers(
        lat=[p[0] for p in pts], lon=[p[1] for p in pts], sites=[site], range_km=rng
    ).tolist()


CENTRES = [(0.0, 0.0), (53.71924, 31.71356), (70.0, -150.0), (-45.0, 179.9)]


@pytest.mark.parametrize("centre", CENTRES)
def test_city_exactly_at_max_range_plus_or_minus_the_site_radius(centre) -> None:
    # range exactly 1,000 km, site within 30 km: certain up to 970 km, possible to 1,030 km
    rng = UncertainRange(exact(0.0), exact(1000.0))
    got = tiers_at(centre, 30.0, rng, [970.0 - 0.001, 970.0, 970.001, 1029.999, 1030.0, 1030.001])
    assert got == ["certain", "certain", "possible", "possible", "possible", "unreachable"]


@pytest.mark.parametrize("centre", CENTRES)
def test_minimum_range_edges_with_a_site_radius(centre) -> None:
    # a 300-1,000 km annulus, site within 30 km: certain from 330 km, possible from 270 km
    rng = UncertainRange(exact(300.0), exact(1000.0))
    got = tiers_at(centre, 30.0, rng, [269.999, 270.0, 270.001, 329.999, 330.0, 500.0])
    assert got == ["unreachable", "possible", "possible", "possible", "certain", "certain"]


def test_range_interval_and_site_radius_together() -> None:
    # maximum range somewhere in 900-1,100 km, site within 30 km:
    # certain while d + 30 <= 900, possible while d - 30 <= 1,100
    rng = UncertainRange(exact(0.0), Interval(900.0, 1100.0))
    got = tiers_at((10.0, 20.0), 30.0, rng, [869.999, 870.001, 1129.999, 1130.001])
    assert got == ["certain", "possible", "possible", "unreachable"]
    # an exact site: the interval's own ends
    got = tiers_at((10.0, 20.0), 0.0, rng, [899.999, 900.001, 1099.999, 1100.001])
    assert got == ["certain", "possible", "possible", "unreachable"]


def test_with_two_sites_one_certain_site_is_enough() -> None:
    rng = UncertainRange(exact(0.0), exact(500.0))
    a = UncertainSite(Site("a", 0.0, 0.0), radius_km=30.0)
    b = UncertainSite(Site("b", 0.0, 8.0), radius_km=30.0)
    p = direct(0.0, 0.0, 90.0, 460.0)  # 460 km from a: certain from a alone
    q = direct(0.0, 0.0, 0.0, 520.0)  # possible from a only
    got = point_tiers(lat=[p[0], q[0]], lon=[p[1], q[1]], sites=[a, b], range_km=rng)
    assert got.tolist() == ["certain", "possible"]


def test_disc_distance_bounds_equal_brute_force_over_the_disc_edge() -> None:
    """Least and greatest distance from a disc: d - u and d + u, against 3,600 edge points."""
    centre, u = (53.71924, 31.71356), 30.0
    site = UncertainSite(Site("k", *centre), radius_km=u)
    for target in [(52.22977, 21.01178), (48.85341, 2.3488), (-33.86785, 151.20732)]:
        edge = [direct(*centre, az, u) for az in np.arange(0.0, 360.0, 0.1)]
        dists = [gl_km(e, target) for e in edge]
        lo, hi = site.distance_bounds(np.array([target[0]]), np.array([target[1]]))
        assert min(dists) == pytest.approx(lo[0], abs=1e-4)
        assert max(dists) == pytest.approx(hi[0], abs=1e-4)
        assert min(dists) >= lo[0] - MM


def test_polygon_bounds_hold_and_are_within_half_a_step() -> None:
    square = [(53.5, 31.3), (53.9, 31.3), (53.9, 32.1), (53.5, 32.1)]
    site = UncertainSite.from_polygon(square, name="area")
    # brute force: a fine lattice over the square (interior and edge)
    lats = np.linspace(53.5, 53.9, 81)
    lons = np.linspace(31.3, 32.1, 161)
    for target in [(52.22977, 21.01178), (53.7, 31.7), (55.75, 37.62)]:
        d = [gl_km((a, b), target) for a in lats for b in lons]
        lo, hi = site.distance_bounds(np.array([target[0]]), np.array([target[1]]))
        assert lo[0] <= min(d) + MM and hi[0] >= max(d) - MM
        assert min(d) - lo[0] <= POLYGON_STEP_KM and hi[0] - max(d) <= POLYGON_STEP_KM
    assert site.distance_bounds(np.array([53.7]), np.array([31.7]))[0][0] == 0.0  # inside


def test_polygon_samples_stay_inside_and_spread_by_area() -> None:
    square = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
    site = UncertainSite.from_polygon(square)
    lat, lon = site.sample(np.random.default_rng(3), 20_000)
    # edges are geodesics: the top edge bulges poleward, to its midpoint's latitude
    line = WGS84.InverseLine(1.0, 0.0, 1.0, 1.0)
    top = line.Position(line.s13 / 2)["lat2"]
    assert 1.0 < top < 1.001
    assert (lat >= 0).all() and (lat <= top).all() and (lon >= 0).all() and (lon <= 1).all()
    assert (lat > 1.0).any()
    assert abs((lat < 0.5).mean() - 0.5) < 0.02  # near the equator area is ~ uniform in lat


def test_disc_samples_are_uniform_by_area() -> None:
    site = UncertainSite(Site("x", 40.0, 10.0), radius_km=100.0)
    lat, lon = site.sample(np.random.default_rng(5), 20_000)
    r = np.array([gl_km((40.0, 10.0), (a, b)) for a, b in zip(lat, lon, strict=True)])
    assert r.max() <= 100.0 + MM
    # by area: P(r <= 50) = (50/100)^2 on a plane (the cap's curvature is negligible here)
    assert abs((r <= 50.0).mean() - 0.25) < 0.015


@given(
    site=st.tuples(latitudes, longitudes),
    lo=st.one_of(st.just(0.0), st.floats(1.0, 8000.0)),
    width=st.floats(1.0, 12_000.0),
    points=st.lists(st.tuples(latitudes, longitudes), min_size=1, max_size=20),
)
def test_without_uncertainty_tiers_are_the_plain_reach(site, lo, width, points) -> None:
    hi = min(lo + width, 20_000.0)
    lat = [p[0] for p in points]
    lon = [p[1] for p in points]
    rng = UncertainRange(exact(lo), exact(hi))
    tiers = point_tiers(lat=lat, lon=lon, sites=[UncertainSite(Site("s", *site))], range_km=rng)
    plain = reach_points(lat=lat, lon=lon, sites=[site], min_km=lo, max_km=hi).reached
    assert "possible" not in tiers.tolist()
    assert ((tiers == "certain") == plain).all()


@given(
    sites=st.lists(st.tuples(latitudes, longitudes), min_size=1, max_size=3),
    lo=st.one_of(st.just(0.0), st.floats(1.0, 8000.0)),
    width=st.floats(-50.0, 12_000.0),
)
def test_covered_union_equals_brute_force_per_site_radii(sites, lo, width) -> None:
    g = grid(120.0)
    annuli = [(a, b, lo + 100.0 * k, lo + 100.0 * k + width) for k, (a, b) in enumerate(sites)]
    want = np.zeros((g.nrows, g.ncols), dtype=bool)
    for a, b, inner, outer in annuli:
        if outer >= inner:
            want |= exact_oracle(g, [(a, b)], inner, min(outer, 20_040.0))
    annuli = [(a, b, i, min(o, 20_040.0)) for a, b, i, o in annuli]
    got = covered_union(g, annuli).mask(g.nrows, g.ncols)
    assert (got == want).all()


def test_covered_union_of_one_annulus_is_covered_intervals() -> None:
    g = grid(60.0)
    one = covered_union(g, [(10.0, 20.0, 100.0, 900.0)])
    two = covered_intervals(g, [(10.0, 20.0)], min_km=100.0, max_km=900.0)
    assert (one.mask(g.nrows, g.ncols) == two.mask(g.nrows, g.ncols)).all()


def test_parse_interval_reads_published_figures() -> None:
    assert parse_interval("4,500-5,000 km") == Interval(4500.0, 5000.0)
    assert parse_interval("up to 3,400 miles").lo_km == pytest.approx(3400 * 1.609344)
    assert parse_interval("4000-6000 km", mode="5,000 km").mode_km == 5000.0


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Interval(5.0, 4.0), "range"),
        (lambda: Interval(4.0, 5.0, 7.0), "range_mode"),
        (lambda: Interval(0.0, 30_000.0), "range"),
        (lambda: UncertainRange(Interval(600.0, 700.0), Interval(650.0, 900.0)), "range"),
        (lambda: UncertainSite(Site("x", 0.0, 0.0), radius_km=-1.0), "site_uncertainty_km"),
        (lambda: UncertainSite(Site("x", 0.0, 0.0), radius_km=1500.0), "site_uncertainty_km"),
        (lambda: UncertainSite(Site("x", 0.0, 0.0), radius_km=math.nan), "site_uncertainty_km"),
        (lambda: UncertainSite.from_polygon([(0, 0), (1, 1)]), "site_polygon"),
        (lambda: UncertainSite.from_polygon([(0, 170), (1, -170), (2, 170)]), "site_polygon"),
        (lambda: UncertainSite.from_polygon([(0, 0), (1, 1), (0, 1), (1, 0)]), "site_polygon"),
        (lambda: parse_interval("4000-6000 km", mode="7000 km"), "max_range_mode"),
        (lambda: uncertain_sites(deployments=["nowhere"]), "sites.deployments"),
        (lambda: uncertain_sites(), "sites"),
    ],
)
def test_bad_input_names_the_field(build, field) -> None:
    with pytest.raises(InputError) as err:
        build()
    assert err.value.field == field


def test_deployments_take_the_catalogs_site_radius_unless_one_is_given() -> None:
    from reachmap.catalog.store import load_catalog

    cat = load_catalog()
    dep = cat.deployments["oreshnik-belarus"]
    (s,) = uncertain_sites(deployments=["oreshnik-belarus"])
    assert s.radius_km == cat.sites[dep.site].uncertainty_km
    (s,) = uncertain_sites(deployments=["oreshnik-belarus"], radius_km=5.0)
    assert s.radius_km == 5.0


def test_polygon_tiers_refined_near_the_edges_equal_tiers_refined_everywhere() -> None:
    from reachmap.analysis.uncertainty import distance_bounds, tiers_from_bounds

    site = UncertainSite.from_polygon([(53.5, 31.3), (53.9, 31.3), (53.9, 32.1), (53.5, 32.1)])
    rng = UncertainRange(Interval(280.0, 300.0), Interval(900.0, 950.0))
    gen = np.random.default_rng(9)
    az, km = gen.uniform(0, 360, 3000), gen.uniform(250.0, 1000.0, 3000)
    pts = [direct(53.7, 31.7, a, k) for a, k in zip(az, km, strict=True)]
    lat = np.array([p[0] for p in pts])
    lon = np.array([p[1] for p in pts])
    fast = point_tiers(lat=lat, lon=lon, sites=[site], range_km=rng)
    full = tiers_from_bounds(*distance_bounds([site], lat, lon), rng)
    assert (fast == full).all()
    assert {"certain", "possible", "unreachable"} == set(fast.tolist())


def test_an_analysis_with_a_polygon_site_is_consistent() -> None:
    from reachmap.analysis.probability import analyze_uncertain

    site = UncertainSite.from_polygon([(53.5, 31.3), (53.9, 31.3), (53.9, 32.1), (53.5, 32.1)])
    r = analyze_uncertain([site], UncertainRange(exact(0.0), exact(1000.0)), draws=30, seed=1)
    for p in r.capitals:
        assert (p.tier == "certain") == (p.probability == 1.0) or p.tier == "possible"
        if p.tier == "unreachable":
            assert p.probability == 0.0
    assert any(p.tier == "possible" for p in r.capitals)
