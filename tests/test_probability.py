"""Monte Carlo probabilities of reach, against closed-form answers and brute force.

References: GeographicLib distances; the plane lens area (the share of a small disc
within a given distance of a point); the uniform and triangular distributions' tails;
per-country sums over the GeoNames places of one country, tiered by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

from reachmap.analysis.probability import analyze_uncertain
from reachmap.analysis.reach import Site, load_population, resolve_site
from reachmap.analysis.uncertainty import Interval, UncertainRange, UncertainSite
from reachmap.errors import InputError
from reachmap.world.tables import load_countries, load_places

WGS84 = Geodesic.WGS84
MINSK = Site("Minsk", 53.90019, 27.56653, "BY")


def gl_km(lat1, lon1, lat2, lon2) -> float:
    return WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"] / 1000.0


def capital(result, name):
    (row,) = [c for c in result.capitals if c.name == name]
    return row


def lens_share(u: float, big: float, d: float) -> float:
    """Share of a disc of radius u whose points lie within ``big`` of a point d away (plane)."""
    a = u * u * math.acos((d * d + u * u - big * big) / (2 * d * u))
    b = big * big * math.acos((d * d + big * big - u * u) / (2 * d * big))
    c = 0.5 * math.sqrt((-d + u + big) * (d + u - big) * (d - u + big) * (d + u + big))
    return (a + b - c) / (math.pi * u * u)


def test_probability_of_a_capital_equals_the_lens_share_of_the_site_disc() -> None:
    vilnius = resolve_site("Vilnius")
    d = gl_km(MINSK.lat, MINSK.lon, vilnius.lat, vilnius.lon)
    u, reach = 30.0, d + 10.0
    r = analyze_uncertain(
        [UncertainSite(MINSK, radius_km=u)],
        UncertainRange(Interval(0, 0), Interval(reach, reach)),
        draws=2000,
        seed=11,
    )
    got = capital(r, "Vilnius")
    assert got.tier == "possible"
    assert got.probability == pytest.approx(lens_share(u, reach, d), abs=0.035)


def test_probability_under_a_uniform_and_a_triangular_maximum_range() -> None:
    paris = resolve_site("Paris")
    d = gl_km(MINSK.lat, MINSK.lon, paris.lat, paris.lon)
    site = [UncertainSite(MINSK)]
    uniform = analyze_uncertain(
        site, UncertainRange(Interval(0, 0), Interval(d - 60, d + 20)), draws=2000, seed=1
    )
    assert capital(uniform, "Paris").probability == pytest.approx(20 / 80, abs=0.035)
    tri = analyze_uncertain(
        site,
        UncertainRange(Interval(0, 0), Interval(d - 60, d + 20, d - 20)),
        draws=2000,
        seed=1,
    )
    # P(X >= d) for a triangular (lo, mode, hi) with mode < d: (hi - d)^2 / ((hi-lo)(hi-mode))
    assert capital(tri, "Paris").probability == pytest.approx(20**2 / (80 * 40), abs=0.03)


def test_certain_places_have_probability_one_and_unreachable_zero() -> None:
    r = analyze_uncertain(
        [UncertainSite(MINSK, radius_km=50.0)],
        UncertainRange(Interval(300, 400), Interval(900, 1200)),
        draws=50,
        seed=3,
    )
    for p in (*r.capitals, *r.places):
        if p.tier == "certain":
            assert p.probability == 1.0
        elif p.tier == "unreachable":
            assert p.probability == 0.0
        else:
            assert 0.0 <= p.probability <= 1.0
    assert any(0 < p.probability < 1 for p in r.capitals)


def test_the_same_seed_gives_the_same_numbers_and_another_seed_others() -> None:
    args = (
        [UncertainSite(MINSK, radius_km=80.0)],
        UncertainRange(Interval(0, 0), Interval(900, 1300)),
    )
    a = analyze_uncertain(*args, draws=40, seed=7)
    b = analyze_uncertain(*args, draws=40, seed=7)
    c = analyze_uncertain(*args, draws=40, seed=8)
    assert a.to_dict() == b.to_dict()
    assert np.array_equal(a.draw_population, b.draw_population)
    assert a.to_dict()["places"] != c.to_dict()["places"]


def test_country_populations_lie_between_certain_and_possible() -> None:
    r = analyze_uncertain(
        [UncertainSite(MINSK, radius_km=40.0)],
        UncertainRange(Interval(0, 0), Interval(1000, 1500)),
        draws=60,
        seed=2,
    )
    countries = load_countries()
    assert r.draw_population.shape == (60, len(countries))
    for i, c in enumerate(r.countries):
        col = r.draw_population[:, i]
        assert c.certain_population - 1 <= col.min() and col.max() <= c.possible_population + 1
        if c.tier == "unreachable":
            assert c.probability_reached == 0.0
    assert r.population_certain <= r.population_p05 <= r.population_mean
    assert r.population_mean <= r.population_p95 <= r.population_possible


def test_country_tier_sums_equal_a_hand_count_over_its_places() -> None:
    """Lithuania's people certainly / possibly reached, from its places tiered by hand."""
    u, lo, hi = 25.0, 230.0, 260.0
    r = analyze_uncertain(
        [UncertainSite(MINSK, radius_km=u)], UncertainRange(Interval(0, 0), Interval(lo, hi))
    )
    places = load_places()
    idx = np.flatnonzero(places.country == "LT")
    d = np.array([gl_km(MINSK.lat, MINSK.lon, places.lat[i], places.lon[i]) for i in idx])
    pop = places.population[idx].astype(float)
    countries = load_countries()
    lt = int(np.flatnonzero(countries.iso2 == "LT")[0])
    share = countries.population[lt] / pop.sum()
    certain = pop[d + u <= lo].sum() * share
    possible = pop[d - u <= hi].sum() * share
    (row,) = [c for c in r.countries if c.iso2 == "LT"]
    assert row.certain_population == pytest.approx(certain, abs=1)
    assert row.possible_population == pytest.approx(possible, abs=1)
    assert 0 < certain < possible < countries.population[lt]


def test_probability_a_country_is_reached_under_a_uniform_maximum_range() -> None:
    """P(reached) = P(max range >= distance to the country's nearest place)."""
    places = load_places()
    idx = np.flatnonzero(places.country == "LT")
    nearest = min(gl_km(MINSK.lat, MINSK.lon, places.lat[i], places.lon[i]) for i in idx)
    lo, hi = nearest - 30.0, nearest + 90.0
    r = analyze_uncertain(
        [UncertainSite(MINSK)], UncertainRange(Interval(0, 0), Interval(lo, hi)), draws=2000, seed=5
    )
    (row,) = [c for c in r.countries if c.iso2 == "LT"]
    assert row.tier == "possible"
    assert row.probability_reached == pytest.approx(90 / 120, abs=0.035)


def test_grid_population_tiers_bound_the_draws() -> None:
    """Regression: with no minimum range, the certain zone lost a hole of radius u round the
    site (the inner radius was min + u even for min = 0), so Belarus was not certain."""
    grid = load_population("default-2.5m")
    r = analyze_uncertain(
        [UncertainSite(MINSK, radius_km=60.0)],
        UncertainRange(Interval(0, 0), Interval(800, 1000)),
        grid,
        draws=20,
        seed=4,
    )
    assert r.population_source == grid.description
    assert r.population_certain <= r.population_p05 <= r.population_p95 <= r.population_possible
    (by,) = [c for c in r.countries if c.iso2 == "BY"]
    assert by.certain_full and by.probability_full == 1.0
    (fr,) = [c for c in r.countries if c.iso2 == "FR"]
    assert fr.tier == "unreachable" and fr.probability_reached == 0.0


@pytest.mark.parametrize("draws", [-1, 100_001, 2.5, True])
def test_bad_draws_name_the_field(draws) -> None:
    with pytest.raises(InputError) as err:
        analyze_uncertain([UncertainSite(MINSK)], UncertainRange(Interval(0, 0), Interval(9, 9)),
                          draws=draws)  # fmt: skip
    assert err.value.field == "draws"


def test_a_raster_window_cannot_say_a_country_it_cuts_is_wholly_reached() -> None:
    """Regression: on a window of a user's raster, a country cut by the window's edge was
    'certainly reached in full' when all of its cells *in the window* were."""
    from reachmap.coverage.geotiff import DenseRaster
    from reachmap.coverage.grid import LatLonGrid

    g = LatLonGrid(west_deg=20.0, north_deg=60.0, dx_deg=0.25, dy_deg=0.25, nrows=48, ncols=60)
    raster = DenseRaster(g, np.ones((g.nrows, g.ncols)), "test window, 1 person per cell")
    r = analyze_uncertain(
        [UncertainSite(MINSK, radius_km=10.0)],
        UncertainRange(Interval(0, 0), Interval(2000, 2000)),
        raster,
        draws=10,
        seed=1,
    )
    rows = {c.iso2: c for c in r.countries}
    # Belarus (23.2-32.8 E, 51.3-56.2 N) lies inside 20-35 E, 48-60 N; Poland (14-24 E) not
    assert rows["BY"].certain_full and rows["BY"].probability_full == 1.0
    assert rows["PL"].certain_population > 0
    assert not rows["PL"].certain_full and math.isnan(rows["PL"].probability_full)
