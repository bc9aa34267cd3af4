"""Regions that count part of a country: geographic Europe, the EU without outermost regions.

References are independent of the code under test: city coordinates typed from GeoNames,
which side of the Urals / overseas each city lies on (geography), areas by pyproj's own
``Geod.geometry_area_perimeter`` on the bundled polygons, distances by ``Geod.inv``, and
the territory inside the minimum-range hole by a disc drawn with ``Geod.fwd``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Polygon

from reachmap.analysis.claims import HOLDS, HOLDS_WITH_EXCEPTIONS, check_region
from reachmap.analysis.reach import analyze
from reachmap.analysis.scenario import deployment_site
from reachmap.catalog.store import load_catalog
from reachmap.geo.units import parse_range
from reachmap.world.parts import load_parts
from reachmap.world.regions import region
from reachmap.world.tables import capitals, load_countries

GEOD = Geod(ellps="WGS84")
DAY = dt.date(2026, 12, 1)

# (name, lat, lon, country, in geographic Europe?) — coordinates as GeoNames gives them
CITIES = [
    ("Yekaterinburg", 56.8519, 60.6122, "RU", False),  # east of the Ural watershed
    ("Chelyabinsk", 55.1544, 61.4297, "RU", False),
    ("Novosibirsk", 55.0415, 82.9346, "RU", False),
    ("Vladivostok", 43.1056, 131.8735, "RU", False),
    ("Perm", 58.0105, 56.2502, "RU", True),
    ("Samara", 53.2001, 50.15, "RU", True),
    ("Kaliningrad", 54.7065, 20.511, "RU", True),
    ("Moscow", 55.7522, 37.6156, "RU", True),
    ("Makhachkala", 42.9764, 47.5024, "RU", True),  # north of the Greater Caucasus watershed
    ("Aktobe", 50.2797, 57.2072, "KZ", False),  # east of the Ural River
    ("Tbilisi", 41.6941, 44.8337, "GE", False),  # south of the watershed
    ("Cayenne", 4.9372, -52.326, "FR", False),  # French Guiana, inside France's polygon
    ("Saint-Denis", -20.8823, 55.4504, "FR", False),  # Réunion
    ("Fort-de-France", 14.6089, -61.0733, "FR", False),
    ("Paris", 48.8534, 2.3488, "FR", True),
    ("Ajaccio", 41.9189, 8.7381, "FR", True),  # Corsica
    ("Las Palmas de Gran Canaria", 28.0997, -15.4134, "ES", False),
    ("Madrid", 40.4165, -3.7026, "ES", True),
    ("Palma", 39.5694, 2.6502, "ES", True),  # the Balearics
    ("Funchal", 32.6667, -16.9, "PT", False),  # Madeira
    ("Ponta Delgada", 37.7333, -25.6667, "PT", True),  # the Azores count
    ("Kralendijk", 12.15, -68.2667, "NL", False),  # Bonaire
    ("Ankara", 39.9199, 32.8543, "TR", False),
    ("Edirne", 41.6771, 26.5557, "TR", True),  # East Thrace
]


def _degrees_from_part(iso2: str, lat: float, lon: float) -> float:
    part = load_parts()["europe"][iso2]
    return float(part.geometry.distance(shapely.Point(lon, lat)))


@pytest.mark.parametrize(("name", "lat", "lon", "iso2", "inside"), CITIES)
def test_geographic_europe_holds_the_right_side(
    name: str, lat: float, lon: float, iso2: str, inside: bool
) -> None:
    assert iso2 in region("europe").members_on(DAY)
    away = _degrees_from_part(iso2, lat, lon)
    # a coastal city may sit just off a 1:50m coast; the far side is far
    assert (away < 0.05) if inside else (away > 0.5), (name, away)


def test_cyprus_is_not_geographic_europe_but_is_a_european_country() -> None:
    assert "CY" not in region("europe").members_on(DAY)
    assert "CY" in region("europe-countries").members_on(DAY)
    assert {"TR", "KZ", "GE", "AZ"} <= set(region("europe").members_on(DAY))


def test_europe_capitals_are_those_in_its_parts() -> None:
    caps = capitals()
    whole = region("europe-countries").cities_on(DAY)
    # every capital of a GeoNames-EU country is in geographic Europe, but Nicosia
    expected = set(whole.name.tolist()) - {"Nicosia"}
    got = set(region("europe").cities_on(DAY).name.tolist())
    assert got == expected
    # and no capital of the transcontinental countries that lies in Asia
    asian = {
        str(n)
        for n, c in zip(caps.name, caps.country, strict=True)
        if c in {"TR", "KZ", "GE", "AZ"}
    }
    assert not (asian & got)


def _pyproj_area(geom: object) -> float:
    total = 0.0
    for poly in getattr(geom, "geoms", [geom]):
        area, _ = GEOD.geometry_area_perimeter(poly)
        total += abs(area)
    return total / 1e6


def test_metropolitan_france_is_the_mainland_and_corsica() -> None:
    countries = load_countries()
    france = countries.geometry[countries.index_of("FR")]
    metro = [
        p
        for p in france.geoms
        if -6 < p.representative_point().x < 10 and p.representative_point().y > 41
    ]
    expected = _pyproj_area(shapely.MultiPolygon(metro))
    part = load_parts()["europe"]["FR"]
    assert part.area_km2 == pytest.approx(expected, rel=1e-3)
    assert "Cayenne" in part.excluded and "Saint-Denis" in part.excluded
    assert load_parts()["eu-outermost"]["FR"].area_km2 == pytest.approx(expected, rel=1e-3)


def test_eu_without_outermost_regions_keeps_members_and_drops_the_canaries() -> None:
    eu, metro = region("eu"), region("eu-metropolitan")
    assert metro.members_on(DAY) == eu.members_on(DAY)
    es = metro.parts()["ES"]
    assert not es.holds(np.array([28.0997]), np.array([-15.4134]))[0]  # Las Palmas
    assert es.holds(np.array([35.8894]), np.array([-5.3213]))[0] or "Ceuta" not in es.excluded
    assert sorted(metro.parts()) == ["ES", "FR", "NL", "PT"]


def test_nato_treaty_area_leaves_out_hawaii() -> None:
    us = region("nato-treaty-area").parts()["US"]
    assert not us.holds(np.array([21.3069]), np.array([-157.8583]))[0]  # Honolulu
    assert us.holds(np.array([61.2181]), np.array([-149.9003]))[0]  # Anchorage
    assert "TR" not in region("nato-treaty-area").parts()  # Turkey counts whole


def test_european_capitals_means_european_not_eu() -> None:
    assert region("European capitals").id == "european-capitals"
    assert region("EU capitals").id == "eu-capitals"
    assert len(region("european-capitals").cities_on(DAY)) == len(
        region("europe-countries").members_on(DAY)
    )


# ----------------------------------------------------------------- verdicts in parts


def _disc(lat: float, lon: float, radius_km: float, n: int = 1440) -> Polygon:
    az = np.linspace(0.0, 360.0, n, endpoint=False)
    lons, lats, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, radius_km * 1e3))
    return Polygon(zip(lons, lats, strict=True))


@pytest.fixture(scope="module")
def krychaw() -> object:
    return deployment_site(load_catalog(), "oreshnik-belarus")


def test_oreshnik_covers_geographic_europe_but_not_the_whole_countries(krychaw: object) -> None:
    oreshnik = load_catalog().find_system("Oreshnik").range.km
    result = analyze([krychaw], oreshnik)  # type: ignore[list-item]
    europe = check_region(result, region("europe"), on=DAY)
    # independent: every capital of the region by pyproj's own distance
    caps = region("europe").cities_on(DAY)
    _, _, d = GEOD.inv(
        np.full(len(caps), krychaw.lon),
        np.full(len(caps), krychaw.lat),
        caps.lon,
        caps.lat,  # type: ignore[attr-defined]
    )
    reached = (d / 1e3 >= oreshnik.min_km) & (d / 1e3 <= oreshnik.max_km)
    assert europe.capitals_reached == int(reached.sum()) == len(caps)
    assert europe.verdict == HOLDS
    assert [p.name for p in europe.parts] == ["capitals", "territory", "people"]
    assert "geographic Europe" in europe.definition
    assert any(c.startswith("France") and "Cayenne" in c for c in europe.counted)
    assert any(c.startswith("Russia") and "Novosibirsk" in c for c in europe.counted)
    whole = check_region(result, region("europe-countries"), on=DAY)
    assert whole.verdict != HOLDS and whole.area_share < 0.9  # Asian Russia and French Guiana


def test_press_range_leaves_a_hole_that_the_verdict_names(krychaw: object) -> None:
    rng = parse_range("310 to 3,400 miles")
    assert rng.min_km == pytest.approx(310 * 1.609344)
    result = analyze([krychaw], rng)  # type: ignore[list-item]
    v = check_region(result, region("europe"), on=DAY)
    caps = region("europe").cities_on(DAY)
    _, _, d = GEOD.inv(
        np.full(len(caps), krychaw.lon),
        np.full(len(caps), krychaw.lat),
        caps.lon,
        caps.lat,  # type: ignore[attr-defined]
    )
    too_close = {str(n) for n, km in zip(caps.name, d / 1e3, strict=True) if km < rng.min_km}
    assert too_close and v.capitals_total - v.capitals_reached == len(too_close)
    parts = {p.name: p for p in v.parts}
    assert not parts["capitals"].holds and not parts["hole"].holds
    for name in too_close:
        assert name in parts["hole"].summary
    # the territory in the hole, independently: the region's parts inside a pyproj disc
    disc = _disc(krychaw.lat, krychaw.lon, rng.min_km)  # type: ignore[attr-defined]
    members = region("europe").members_on(DAY)
    pieces = load_parts()["europe"]
    region_area = sum(_pyproj_area(pieces[m].geometry) for m in members)
    hole_area = sum(_pyproj_area(shapely.intersection(pieces[m].geometry, disc)) for m in members)
    assert parts["hole"].share == pytest.approx(hole_area / region_area, abs=2e-3)
    assert v.area_share == pytest.approx(1 - hole_area / region_area, abs=2e-3)
    expected = HOLDS_WITH_EXCEPTIONS if v.area_share >= 0.9 and v.population_share >= 0.9 else None
    assert v.verdict == expected
    assert "not holding: capitals" in v.decided_by


def test_grid_and_places_agree_on_the_counted_territory(krychaw: object) -> None:
    from reachmap.analysis.reach import load_population

    rng = parse_range("310 to 3,400 miles")
    by_places = check_region(analyze([krychaw], rng), region("europe"), on=DAY)  # type: ignore[list-item]
    grid = load_population("default-2.5m")
    by_grid = check_region(analyze([krychaw], rng, grid), region("europe"), on=DAY)  # type: ignore[list-item]
    assert by_grid.area_share == pytest.approx(by_places.area_share, abs=0.01)
    assert by_grid.capitals_reached == by_places.capitals_reached


# ------------------------------------------------------- the small defects (CLI)


def _cli(*args: str) -> object:
    from typer.testing import CliRunner

    from reachmap.cli.main import app

    return CliRunner().invoke(app, list(args))


def test_range_given_twice_is_refused_not_silently_the_last() -> None:
    for command in (["check", "--region", "europe", "--site", "Minsk"], ["reach", "-s", "Minsk"]):
        res = _cli(*command, "--range", "500 km", "--range", "5500 km")
        assert res.exit_code == 2  # type: ignore[attr-defined]
        assert "range" in res.stderr and "500 km and 5500 km" in res.stderr  # type: ignore[attr-defined]


def test_check_takes_the_system_of_the_deployment() -> None:
    res = _cli(
        "check", "--region", "europe", "--deployment", "oreshnik-belarus", "--on", "2026-12-01"
    )
    assert res.exit_code == 0, res.stderr  # type: ignore[attr-defined]
    out = " ".join(res.stdout.split())  # type: ignore[attr-defined]
    assert (
        "Europe (geographic)" in out
        and "region: Europe (geographic) (europe): geographic Europe" in out
    )
    assert "counted: Russia:" in out and "Novosibirsk" in out  # what the cut left out
    assert "capitals: holds" in out and "territory: holds" in out


def test_european_capitals_on_the_command_line_are_not_the_eu_capitals() -> None:
    res = _cli(
        "check", "--region", "European capitals", "--site", "Minsk", "--range", "0-3000 km",
        "--on", "2026-12-01",
    )  # fmt: skip
    assert res.exit_code == 0, res.stderr  # type: ignore[attr-defined]
    out = " ".join(res.stdout.split())  # type: ignore[attr-defined]
    assert "european-capitals" in out
    caps = region("european-capitals").cities_on(DAY)
    assert f"of {len(caps)} cities" in out and len(caps) != len(
        region("eu-capitals").cities_on(DAY)
    )


def test_range_needed_for_europe_matches_geographiclib_and_brute_force(krychaw: object) -> None:
    from geographiclib.geodesic import Geodesic

    from reachmap.analysis.claims import region_cells, region_range_needed
    from reachmap.analysis.reach import load_population

    grid = load_population("default-2.5m")
    rng = parse_range("310 to 3,400 miles")
    result = analyze([krychaw], rng)  # type: ignore[list-item]
    need = region_range_needed(result, region("europe"), on=DAY, raster=grid)
    # capitals: GeographicLib itself, for every capital of the region
    caps = region("europe").cities_on(DAY)
    lat0, lon0 = krychaw.lat, krychaw.lon  # type: ignore[attr-defined]
    km = [
        Geodesic.WGS84.Inverse(lat0, lon0, float(a), float(b))["s12"] / 1e3
        for a, b in zip(caps.lat, caps.lon, strict=True)
    ]
    k = int(np.argmax(km))
    assert need.capital == str(caps.name[k]) == "Lisbon"
    assert need.capitals_km == pytest.approx(km[k], abs=1e-6)
    # territory: the largest pyproj distance over every cell centre of the region
    cells = region_cells(grid, region("europe"), DAY)
    g = grid.grid
    n = cells.stops - cells.starts
    rows = np.repeat(cells.rows, n)
    cols = np.concatenate([np.arange(a, b) for a, b in zip(cells.starts, cells.stops, strict=True)])
    lat = g.north_deg - (rows + 0.5) * g.dy_deg
    lon = g.west_deg + (cols + 0.5) * g.dx_deg
    _, _, d = GEOD.inv(np.full(lat.size, lon0), np.full(lat.size, lat0), lon, lat)
    assert need.territory_km == pytest.approx(d.max() / 1e3, abs=1e-6)
    # the hole: the region's cells nearer than the minimum range
    assert need.hole is not None and need.hole.cells == int((d / 1e3 < rng.min_km).sum())
