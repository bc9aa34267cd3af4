"""``POST /api/v1/tiers``, in process, against independent references.

Every expected tier follows by hand from GeographicLib distances ``d`` and the stated
radius ``u`` and range: certain when ``[d - u, d + u]`` lies in the narrowest range,
possible when it meets the widest, else unreachable. Probabilities are checked against
closed forms (a uniform or triangular maximum range; the share of a disc within a circle).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import pytest
from geographiclib.geodesic import Geodesic
from shapely.geometry import Point, shape

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from reachmap.server.app import Settings, create_app

from .test_api import assert_error

WGS84 = Geodesic.WGS84
ORIGIN = (0.0, 0.0)
MINSK = (53.90019, 27.56653)
# GeoNames coordinates of capitals (as the bundled gazetteer has them).
CAPITALS = {
    "Yamoussoukro": (6.82055, -5.27674),
    "Libreville": (0.39241, 9.45356),
    "Ciudad de la Paz": (1.5925, 10.82361),
    "Tallinn": (59.43696, 24.75353),
    "Moscow": (55.75204, 37.61781),
    "Helsinki": (60.16952, 24.93545),
    "Warsaw": (52.22977, 21.01178),
}


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(WGS84.Inverse(a[0], a[1], b[0], b[1])["s12"]) / 1000.0


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("tiers") / "api.sqlite3"
    app = create_app(Settings(database_url=f"sqlite:///{db}", populations=("places",)))
    with TestClient(app) as c:
        yield c


def post(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post("/api/v1/tiers", json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


def capitals(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in body["capitals"]}


# ---- a disc about 0,0: radius 30 km, range 1,050 km ----------------------------------

U, R = 30.0, 1050.0
DISC = {"sites": [{"place": "0,0"}], "range": "1050 km", "site_uncertainty_km": U}


@pytest.fixture(scope="module")
def disc(client: TestClient) -> dict[str, Any]:
    return post(client, {**DISC, "draws": 2000, "seed": 7})


def by_hand(d: float, u: float, lo: float, hi: float) -> str:
    """The tier of a place ``d`` km from the centre of a disc of radius ``u``, range lo-hi."""
    if d + u <= hi and d - u >= lo:
        return "certain"
    if d - u <= hi and d + u >= lo:
        return "possible"
    return "unreachable"


def test_disc_tiers_follow_from_d_minus_u_and_d_plus_u(disc: dict[str, Any]) -> None:
    caps = capitals(disc)
    want = {"Yamoussoukro": "certain", "Libreville": "possible",
            "Ciudad de la Paz": "unreachable"}  # fmt: skip
    for name, tier in want.items():
        where = CAPITALS[name]
        d = km(ORIGIN, where)
        assert by_hand(d, U, 0.0, R) == tier, (name, d)  # the premise, by hand
        c = caps[name]
        assert (c["lat"], c["lon"]) == where
        assert c["tier"] == tier, name
        assert c["min_km"] == pytest.approx(max(d - U, 0.0), abs=1e-6)
        assert c["max_km"] == pytest.approx(d + U, abs=1e-6)
    # margins of the premises: each tier holds by more than 25 km
    assert km(ORIGIN, CAPITALS["Yamoussoukro"]) + U < R - 25
    assert (
        km(ORIGIN, CAPITALS["Libreville"]) - U
        < R - 25
        < R + 25
        < (km(ORIGIN, CAPITALS["Libreville"]) + U)
    )
    assert km(ORIGIN, CAPITALS["Ciudad de la Paz"]) - U > R + 25


def test_every_capital_tier_matches_geographiclib(disc: dict[str, Any]) -> None:
    for c in disc["capitals"]:
        d = km(ORIGIN, (c["lat"], c["lon"]))
        if abs(d + U - R) < 1e-3 or abs(d - U - R) < 1e-3:
            continue  # on a boundary: closed to 1 mm, not decided here
        assert c["tier"] == by_hand(d, U, 0.0, R), (c["name"], d)


def test_certain_is_probability_one_and_unreachable_zero(disc: dict[str, Any]) -> None:
    assert disc["draws"] == 2000 and disc["seed"] == 7
    tiers = {c["tier"] for c in disc["capitals"]}
    assert tiers == {"certain", "possible", "unreachable"}
    for c in disc["capitals"] + disc["places"]:
        p = c["probability"]
        if c["tier"] == "certain":
            assert p == 1.0, c
        elif c["tier"] == "unreachable":
            assert p == 0.0, c
        else:
            assert 0.0 <= p <= 1.0, c


def test_possible_capital_probability_is_the_share_of_the_disc(disc: dict[str, Any]) -> None:
    """Libreville is reached from the part of the 30 km disc within 1,050 km of it: the
    lens of two circles (planar; over 30 km the error is far below the draws' noise)."""
    d = km(ORIGIN, CAPITALS["Libreville"])
    r1, r2 = U, R
    a1 = r1**2 * math.acos((d**2 + r1**2 - r2**2) / (2 * d * r1))
    a2 = r2**2 * math.acos((d**2 + r2**2 - r1**2) / (2 * d * r2))
    a3 = 0.5 * math.sqrt((-d + r1 + r2) * (d + r1 - r2) * (d - r1 + r2) * (d + r1 + r2))
    share = (a1 + a2 - a3) / (math.pi * r1**2)
    assert 0.3 < share < 0.5
    sigma = math.sqrt(share * (1 - share) / 2000)
    assert capitals(disc)["Libreville"]["probability"] == pytest.approx(share, abs=5 * sigma)


def test_country_tiers_agree_with_their_capitals(disc: dict[str, Any]) -> None:
    countries = {c["iso2"]: c for c in disc["countries"]}
    for c in disc["capitals"]:
        row = countries.get(c["country"])
        if c["tier"] == "certain":
            assert row is not None and row["tier"] == "certain", c["name"]
            assert row["probability_reached"] == 1.0
        elif c["tier"] == "possible":
            assert row is not None and row["tier"] in {"certain", "possible"}, c["name"]
    for row in disc["countries"]:
        assert row["tier"] != "unreachable"
        assert 0 <= row["certain_population"] <= row["possible_population"]
        assert 0.0 <= row["probability_full"] <= row["probability_reached"] <= 1.0
        if row["tier"] == "certain":
            assert row["certain_population"] > 0
    t = disc["totals"]
    assert 0 < t["places_certain"] <= t["places_possible"]
    assert t["population_certain"] <= t["population_p05"] <= t["population_mean"]
    assert t["population_mean"] <= t["population_p95"] <= t["population_possible"]


def test_envelopes_are_geojson_discs_of_r_minus_u_and_r_plus_u(disc: dict[str, Any]) -> None:
    certain = shape(disc["certain_envelope"])
    possible = shape(disc["possible_envelope"])
    assert disc["certain_envelope"]["type"] == "MultiPolygon"
    assert disc["possible_envelope"]["type"] == "MultiPolygon"
    assert possible.contains(certain.buffer(-1e-6))
    for name, (in_certain, in_possible) in {
        "Yamoussoukro": (True, True),  # 955 km < 1,020
        "Libreville": (False, True),  # 1,020 < 1,053 km < 1,080
        "Ciudad de la Paz": (False, False),  # 1,218 km > 1,080
    }.items():
        lat, lon = CAPITALS[name]
        assert certain.contains(Point(lon, lat)) is in_certain, name
        assert possible.contains(Point(lon, lat)) is in_possible, name


def test_sites_and_range_are_echoed(disc: dict[str, Any]) -> None:
    (site,) = disc["sites"]
    assert (site["lat"], site["lon"], site["radius_km"]) == (0.0, 0.0, U)
    assert site["polygon"] is None
    assert disc["range"]["min_km"] == [0.0, 0.0]
    assert disc["range"]["max_km"] == [R, R]
    assert disc["system"] is None
    assert "not the world" in disc["method"]


# ---- seeds ---------------------------------------------------------------------------


def probabilities(body: dict[str, Any]) -> list[Any]:
    return [(c["name"], c["probability"]) for c in body["capitals"]] + [
        (c["iso2"], c["probability_reached"], c["probability_full"], c["population_mean"])
        for c in body["countries"]
    ]


def test_the_same_seed_gives_the_same_probabilities(client: TestClient) -> None:
    a = post(client, {**DISC, "draws": 200, "seed": 3})
    b = post(client, {**DISC, "draws": 200, "seed": 3})
    assert probabilities(a) == probabilities(b)
    assert a["totals"] == b["totals"]
    c = post(client, {**DISC, "draws": 200, "seed": 4})
    assert probabilities(c) != probabilities(a)
    # the tiers do not depend on the draws
    assert [x["tier"] for x in c["capitals"]] == [x["tier"] for x in a["capitals"]]


def test_no_draws_no_probabilities(client: TestClient) -> None:
    body = post(client, {**DISC, "draws": 0})
    assert all(c["probability"] is None for c in body["capitals"])
    assert all(c["probability_reached"] is None for c in body["countries"])
    assert body["totals"]["population_mean"] is None


# ---- an interval of the maximum range --------------------------------------------------


def test_max_range_interval_uniform_probability_is_linear(client: TestClient) -> None:
    """Minsk exact, maximum uniform in 600-700 km: P(reached) = (700 - d) / 100."""
    body = post(client, {"sites": [{"place": "Minsk"}], "range": "1000 km",
                         "max_range": "600-700 km", "draws": 2000, "seed": 1})  # fmt: skip
    assert body["range"]["max_km"] == [600.0, 700.0]
    caps = capitals(body)
    for name in ("Warsaw", "Tallinn", "Moscow", "Helsinki"):
        d = km(MINSK, CAPITALS[name])
        want = min(max((700.0 - d) / 100.0, 0.0), 1.0)
        tier = "certain" if d <= 600 else "possible" if d <= 700 else "unreachable"
        assert caps[name]["tier"] == tier, (name, d)
        sigma = math.sqrt(want * (1 - want) / 2000)
        assert caps[name]["probability"] == pytest.approx(want, abs=5 * sigma + 1e-12), name
    assert caps["Tallinn"]["tier"] == caps["Moscow"]["tier"] == "possible"


def test_max_range_mode_makes_the_draws_triangular(client: TestClient) -> None:
    body = post(client, {"sites": [{"place": "Minsk"}], "range": "1000 km",
                         "max_range": "600-700 km", "max_range_mode": "650 km",
                         "draws": 2000, "seed": 1})  # fmt: skip
    assert body["range"]["max_mode_km"] == 650.0
    lo, mode, hi = 600.0, 650.0, 700.0
    caps = capitals(body)
    for name in ("Tallinn", "Moscow"):
        d = km(MINSK, CAPITALS[name])
        # P(max >= d) of a triangular distribution
        if d <= mode:
            want = 1 - (d - lo) ** 2 / ((hi - lo) * (mode - lo))
        else:
            want = (hi - d) ** 2 / ((hi - lo) * (hi - mode))
        sigma = math.sqrt(want * (1 - want) / 2000)
        assert caps[name]["probability"] == pytest.approx(want, abs=5 * sigma), name


# ---- catalog systems and deployments ---------------------------------------------------


def test_a_spread_of_estimates_is_an_interval_of_the_maximum(client: TestClient) -> None:
    system = client.get("/api/v1/catalog/systems/Hwasong-12").json()
    assert system["range"]["meaning"] == "max-estimate"
    body = post(client, {"sites": [{"place": "Minsk"}], "system": "Hwasong-12", "draws": 0})
    # the two figures of the published text ("4,500-5,000 km"), read here by hand
    assert system["range"]["text"].endswith(" km")
    figures = [float(x.replace(",", "")) for x in re.findall(r"\d[\d,]*", system["range"]["text"])]
    assert len(figures) == 2
    assert body["range"]["max_km"] == figures
    assert body["range"]["min_km"] == [0.0, 0.0]
    assert body["system"]["id"] == system["id"] and body["system"]["range"]["sources"]
    # max_range replaces the system's maximum
    body = post(client, {"sites": [{"place": "Minsk"}], "system": "Hwasong-12",
                         "max_range": "1,000-2,000 km", "draws": 0})  # fmt: skip
    assert body["range"]["max_km"] == [1000.0, 2000.0]


def test_deployments_take_their_catalog_uncertainty(client: TestClient) -> None:
    deps = {d["id"]: d for d in client.get("/api/v1/catalog/deployments").json()["deployments"]}
    dep = deps["oreshnik-belarus"]
    body = post(client, {"sites": [{"deployment": dep["id"]}, {"place": "Minsk"}],
                         "range": "1000 km", "draws": 0})  # fmt: skip
    krychaw, minsk = body["sites"]
    assert (krychaw["lat"], krychaw["lon"]) == (dep["site"]["lat"], dep["site"]["lon"])
    assert krychaw["radius_km"] == dep["site"]["uncertainty_km"] > 0
    assert minsk["radius_km"] == 0.0  # a place is exact unless a radius is given
    # one radius for every site overrides the catalog's
    body = post(client, {"sites": [{"deployment": dep["id"]}, {"place": "Minsk"}],
                         "range": "1000 km", "site_uncertainty_km": 5, "draws": 0})  # fmt: skip
    assert [s["radius_km"] for s in body["sites"]] == [5.0, 5.0]


def test_no_uncertainty_gives_the_reach_statuses(client: TestClient) -> None:
    """Exact sites and range: certain is /reach's "reached", the rest unreachable."""
    req = {"sites": [{"deployment": "oreshnik-belarus"}], "range": "500-2000 km"}
    reach = client.post("/api/v1/reach", json=req).json()
    body = post(client, {**req, "site_uncertainty_km": 0, "draws": 50})
    want = {c["name"]: c["status"] == "reached" for c in reach["capitals"]}
    for c in body["capitals"]:
        assert (c["tier"] == "certain") is want[c["name"]], c["name"]
        assert c["tier"] != "possible"
        assert c["probability"] == (1.0 if want[c["name"]] else 0.0)


# ---- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"max_range": "12 parsecs"}, "max_range"),
        ({"max_range": "0-30000 km"}, "max_range"),
        ({"max_range": "100-200 km", "range": "500-5500 km"}, "max_range"),
        ({"max_range_mode": "5000 km"}, "max_range_mode"),
        ({"max_range": "4000-5000 km", "max_range_mode": "6000 km"}, "max_range_mode"),
        ({"max_range": "4000-5000 km", "max_range_mode": "4000-4500 km"}, "max_range_mode"),
        ({"draws": -1}, "draws"),
        ({"draws": 5000}, "draws"),
        ({"draws": 1.5}, "draws"),
        ({"seed": -1}, "seed"),
        ({"site_uncertainty_km": -1}, "site_uncertainty_km"),
        ({"site_uncertainty_km": 2000}, "site_uncertainty_km"),
        ({"population": "/etc/passwd"}, "population"),
        ({"population": "default"}, "population"),  # not offered by this server
        ({"sites": [{"place": "Xyzzyqwv"}]}, "sites.0.place"),
        ({"sites": [{"deployment": "nope"}]}, "sites.0.deployment"),
        ({"system": "Oreshnick", "range": None}, "system"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    client: TestClient, change: dict[str, Any], field: str
) -> None:
    body = {"sites": [{"place": "Minsk"}], "range": "5500 km", "draws": 0, **change}
    body = {k: v for k, v in body.items() if v is not None}
    assert_error(client.post("/api/v1/tiers", json=body), 422, field)


def test_limits_say_what_is_allowed(client: TestClient) -> None:
    body = {"sites": [{"place": "Minsk"}], "range": "5500 km", "draws": 5000}
    err = assert_error(client.post("/api/v1/tiers", json=body), 422, "draws")
    assert err["allowed"] == "a number ≤ 2000"
    body = {"sites": [{"place": "Minsk"}], "range": "5500 km", "site_uncertainty_km": 2000}
    err = assert_error(client.post("/api/v1/tiers", json=body), 422, "site_uncertainty_km")
    assert err["allowed"] == "a number ≤ 1000.0"


def test_openapi_documents_the_endpoint(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/tiers" in spec["paths"]
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    assert "### `POST /api/v1/tiers`" in docs
    for name in ("site_uncertainty_km", "max_range", "max_range_mode", "draws", "seed"):
        assert f"`{name}`" in docs, name


# ---- what one request may cost, and what a saved scenario may ask for ----------------

SCENARIO = {
    "title": "budget",
    "on": "2026-11-25",
    "population": "places",
    "system": {"range": "500-5500 km", "basing": "ground"},
    "sites": {"places": ["Minsk"]},
}


def test_draws_times_sites_is_limited_per_population_source(client: TestClient) -> None:
    sites = [{"lat": 50.0 + i, "lon": 20.0} for i in range(10)]
    body = {"sites": sites, "range": "1000 km", "site_uncertainty_km": 10, "draws": 600}
    err = assert_error(client.post("/api/v1/tiers", json=body), 422, "draws")
    assert "at most 500 draws for 10 site(s)" in err["message"]
    body["draws"] = 20
    assert post(client, body)["draws"] == 20


def test_a_saved_scenario_is_checked_for_draws_polygons_and_its_range(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    db = tmp_path_factory.mktemp("tiers-save") / "api.sqlite3"
    app = create_app(Settings(database_url=f"sqlite:///{db}", populations=("places",), max_sites=2))
    square = [[53.5, 31.3], [53.9, 31.3], [53.9, 32.1], [53.5, 32.1]]
    with TestClient(app) as c:
        for unc, field in [
            ({"draws": 6000}, "uncertainty.draws"),
            ({"max_range": "300-400 km"}, "uncertainty.max_range"),
            ({"polygons": [square, square]}, "sites"),
        ]:
            r = c.post("/api/v1/scenarios", json=SCENARIO | {"uncertainty": unc})
            assert_error(r, 422, field)
        ok = c.post("/api/v1/scenarios", json=SCENARIO | {"uncertainty": {"draws": 100}})
        assert ok.status_code == 201, ok.text
        plain = c.post("/api/v1/scenarios", json=SCENARIO)
        assert plain.json()["id"] != ok.json()["id"]
