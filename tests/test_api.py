"""The HTTP API, in process (FastAPI's TestClient), against independent references.

Distances are checked against GeographicLib; the numbers against the core functions
the CLI uses (the API must translate them faithfully, not compute its own).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator

import pytest
from geographiclib.geodesic import Geodesic
from shapely.geometry import Point, shape

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from reachmap.analysis.reach import analyze, resolve_site
from reachmap.geo.units import parse_range
from reachmap.server.app import Settings, create_app

MINSK = {"place": "Minsk"}
REQ = {"sites": [MINSK], "range": "500-5500 km"}
WGS84 = Geodesic.WGS84


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return WGS84.Inverse(a[0], a[1], b[0], b[1])["s12"] / 1000.0


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("api") / "api.sqlite3"
    app = create_app(Settings(database_url=f"sqlite:///{db}", populations=("places",)))
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def minsk(client: TestClient) -> dict:
    r = client.post("/api/v1/reach", json=REQ)
    assert r.status_code == 200, r.text
    return r.json()


def assert_error(r, status: int, field: str | None) -> dict:  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert err["status"] == status
    assert isinstance(err["message"], str) and err["message"]
    if field is not None:
        assert err["field"] == field, err
    return err


# ---- reach -------------------------------------------------------------------------


def test_health(client: TestClient) -> None:
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.json()["database"] == "sqlite"


def test_reach_capital_distances_match_geographiclib(minsk: dict) -> None:
    site = minsk["sites"][0]
    assert site["label"] == "Minsk (BY)"
    caps = {c["name"]: c for c in minsk["capitals"]}
    for name in ("Vilnius", "Paris", "Warsaw", "Beijing", "Lisbon"):
        c = caps[name]
        want = km((site["lat"], site["lon"]), (c["lat"], c["lon"]))
        assert c["nearest_km"] == pytest.approx(want, abs=1e-6)
        status = "reached" if 500 <= want <= 5500 else (
            "inside-min-range" if want < 500 else "beyond-max-range")
        assert c["status"] == status, name
    # hand-checked: Vilnius ~172 km, Paris ~1,850 km from Minsk
    assert caps["Vilnius"]["status"] == "inside-min-range"
    assert caps["Paris"]["status"] == "reached"


def test_reach_matches_the_core(minsk: dict) -> None:
    core = analyze([resolve_site("Minsk")], parse_range("500-5500 km")).to_dict()
    for key in ("range", "sites", "totals", "countries", "capitals", "places"):
        assert minsk[key] == json.loads(json.dumps(core[key])), key


def test_envelope_is_geojson_and_holds_the_right_points(minsk: dict) -> None:
    env = minsk["envelope"]
    assert env["type"] == "Feature"
    assert env["geometry"]["type"] == "MultiPolygon"
    geom = shape(env["geometry"])
    caps = {c["name"]: c for c in minsk["capitals"]}
    for name, inside in (("Paris", True), ("Rome", True), ("Vilnius", False), ("Tokyo", False)):
        c = caps[name]
        assert geom.contains(Point(c["lon"], c["lat"])) is inside, name


def test_places_are_reached_and_most_populous_first(minsk: dict) -> None:
    places = minsk["places"]
    assert 0 < len(places) <= 100
    pops = [p["population"] for p in places]
    assert pops == sorted(pops, reverse=True)
    s = minsk["sites"][0]
    for p in places[:10]:
        d = km((s["lat"], s["lon"]), (p["lat"], p["lon"]))
        assert 500 <= d <= 5500
        assert p["nearest_km"] == pytest.approx(d, abs=1e-6)


def test_reach_with_a_catalog_system_cites_sources(client: TestClient) -> None:
    r = client.post("/api/v1/reach", json={"sites": [MINSK], "system": "Oreshnik"})
    assert r.status_code == 200, r.text
    body = r.json()
    system = body["system"]
    assert system["name"] == "Oreshnik"
    assert system["range"]["sources"], "a catalog figure must carry its sources"
    assert body["range"]["max_km"] == system["range"]["max_km"]
    # an explicit range overrides the system's
    r2 = client.post(
        "/api/v1/reach", json={"sites": [MINSK], "system": "Oreshnik", "range": "100-200 km"}
    )
    assert r2.json()["range"]["max_km"] == 200
    assert r2.json()["system"]["name"] == "Oreshnik"


def test_lat_lon_and_deployment_sites(client: TestClient) -> None:
    r = client.post(
        "/api/v1/reach",
        json={"sites": [{"lat": 10.0, "lon": 20.0, "name": "here"}, {"lat": -5, "lon": 100}],
              "range": "0-1000 km"},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert [s["name"] for s in r.json()["sites"]] == ["here", "-5.0000, 100.0000"]
    deps = client.get("/api/v1/catalog/deployments").json()["deployments"]
    dep = deps[0]
    r = client.post(
        "/api/v1/reach", json={"sites": [{"deployment": dep["id"]}], "range": "0-1000 km"}
    )
    assert r.status_code == 200, r.text
    site = r.json()["sites"][0]
    assert (site["lat"], site["lon"]) == (dep["site"]["lat"], dep["site"]["lon"])


# ---- bad input: 422 naming the field --------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sites": [{"lat": 91, "lon": 0}], "range": "0-100 km"}, "sites.0.lat"),
        ({"sites": [{"lat": 0, "lon": 180.5}], "range": "0-100 km"}, "sites.0.lon"),
        ({"sites": [{"lat": 0}], "range": "0-100 km"}, "sites.0"),
        ({"sites": [{"place": "Minsk", "lat": 1, "lon": 1}], "range": "0-100 km"}, "sites.0"),
        ({"sites": [], "range": "0-100 km"}, "sites"),
        ({"sites": [{"lat": 0, "lon": 0}] * 101, "range": "0-100 km"}, "sites"),
        ({"sites": [MINSK], "range": "0-30000 km"}, "range"),
        ({"sites": [MINSK], "range": "12 parsecs"}, "range"),
        ({"sites": [MINSK]}, "body"),
        ({"sites": [MINSK], "system": "Oreshnick"}, "system"),
        ({"sites": [{"place": "Xyzzyqwv"}], "range": "0-100 km"}, "sites.0.place"),
        ({"sites": [{"deployment": "nope"}], "range": "0-100 km"}, "sites.0.deployment"),
        ({"sites": [MINSK], "range": "0-100 km", "population": "/etc/passwd"}, "population"),
        ({"sites": [MINSK], "range": "0-100 km", "population": "default"}, "population"),
        ({"sites": [MINSK], "range": "0-100 km", "colour": "red"}, "colour"),
    ],
)
def test_bad_reach_input_is_422_naming_the_field(
    client: TestClient, body: dict, field: str
) -> None:
    assert_error(client.post("/api/v1/reach", json=body), 422, field)


def test_constraint_errors_say_what_is_allowed(client: TestClient) -> None:
    body = {"sites": [{"lat": 91, "lon": 0}], "range": "0-100 km"}
    err = assert_error(client.post("/api/v1/reach", json=body), 422, "sites.0.lat")
    assert err["allowed"] == "a number ≤ 90.0"  # the bound it broke
    body = {"sites": [MINSK], "range": "1 km", "population": "/etc/passwd"}
    err = assert_error(client.post("/api/v1/reach", json=body), 422, "population")
    assert err["allowed"] == "one of 'places', 'default' or 'default-2.5m'"


def test_unknown_place_suggests_close_matches(client: TestClient) -> None:
    err = assert_error(
        client.post("/api/v1/reach", json={"sites": [{"place": "Minks"}], "range": "0-1 km"}),
        422,
        "sites.0.place",
    )
    assert "Minsk" in err["allowed"]


def test_body_that_is_not_json(client: TestClient) -> None:
    r = client.post(
        "/api/v1/reach", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_error(r, 422, "body")


def test_body_over_one_megabyte_is_413(client: TestClient) -> None:
    pad = "x" * 1_000_001
    assert_error(client.post("/api/v1/reach", json={"pad": pad}), 413, "body")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        yield b'{"sites": [{"place": "'
        for _ in range(20):
            yield b"x" * 100_000
        yield b'"}], "range": "1 km"}'

    r = client.post("/api/v1/reach", content=chunks(), headers={"content-type": "application/json"})
    assert_error(r, 413, "body")


def test_unknown_path_and_method_use_the_error_shape(client: TestClient) -> None:
    assert_error(client.get("/api/v1/nothing"), 404, None)
    assert_error(client.get("/api/v1/reach"), 405, None)


# ---- catalog, places, regions, basemap -------------------------------------------


def test_places_search(client: TestClient) -> None:
    r = client.get("/api/v1/places", params={"q": "Minsk", "limit": 3})
    first = r.json()["places"][0]
    assert (first["name"], first["country"]) == ("Minsk", "BY")
    assert_error(client.get("/api/v1/places", params={"q": ""}), 422, "q")
    assert_error(client.get("/api/v1/places", params={"q": "a", "limit": 0}), 422, "limit")


def test_catalog_endpoints(client: TestClient) -> None:
    systems = client.get("/api/v1/catalog/systems").json()["systems"]
    names = {s["name"] for s in systems}
    assert "Oreshnik" in names
    for s in systems:
        assert s["range"]["sources"], s["id"]
        assert 0 <= s["range"]["min_km"] <= s["range"]["max_km"] <= 20040
    one = client.get("/api/v1/catalog/systems/oreshnik").json()
    assert one["name"] == "Oreshnik"
    assert_error(client.get("/api/v1/catalog/systems/nothing-like-it"), 404, "system")


def test_regions_and_basemap(client: TestClient) -> None:
    ids = {r["id"] for r in client.get("/api/v1/regions").json()["regions"]}
    assert {"europe", "nato", "eu"} <= ids
    r = client.get("/api/v1/basemap/countries", headers={"accept-encoding": "gzip"})
    assert r.status_code == 200
    fc = r.json()
    assert fc["type"] == "FeatureCollection"
    by_iso = {f["properties"]["iso2"]: f for f in fc["features"]}
    assert len(by_iso) > 200
    # Minsk lies in the Belarus outline, not in Poland's
    minsk = Point(27.5667, 53.9)
    assert shape(by_iso["BY"]["geometry"]).contains(minsk)
    assert not shape(by_iso["PL"]["geometry"]).contains(minsk)


def test_basemap_is_cached_with_an_etag_and_a_304_for_a_repeat(client: TestClient) -> None:
    """Issue 12: the basemap was gzipped anew on every call (0.35-0.47 s) and had no ETag."""
    url = "/api/v1/basemap/countries"
    first = client.get(url, headers={"accept-encoding": "gzip"})
    assert first.status_code == 200
    assert first.headers["content-encoding"] == "gzip"
    assert "no-cache" in first.headers["cache-control"]
    assert "accept-encoding" in first.headers["vary"].lower()
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 10
    # the same body without compression
    plain = client.get(url, headers={"accept-encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert plain.headers["etag"] == etag
    assert plain.content == first.content  # httpx decoded the gzip one
    # a repeat naming the tag, also weak or in a list, or '*': 304 with no body
    for inm in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = client.get(url, headers={"if-none-match": inm, "accept-encoding": "gzip"})
        assert again.status_code == 304, inm
        assert again.content == b""
        assert again.headers["etag"] == etag
    assert client.get(url, headers={"if-none-match": '"stale"'}).status_code == 200


# ---- export, classify, check --------------------------------------------------------


def test_exports(client: TestClient, minsk: dict) -> None:
    r = client.post("/api/v1/export/geojson", json=REQ)
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    fc = json.loads(r.content)
    kinds = [f["properties"]["kind"] for f in fc["features"]]
    assert kinds.count("envelope") == 1 and kinds.count("site") == 1
    kml = client.post("/api/v1/export/kml", json=REQ)
    assert kml.status_code == 200 and b"<kml" in kml.content
    csv = client.post("/api/v1/export/csv", json=REQ)
    import csv as csvlib
    import io

    rows = list(csvlib.DictReader(io.StringIO(csv.text)))
    assert {r["status"] for r in rows} >= {"full", "partial", "none"}
    some = sorted(r["name"] for r in rows if r["status"] != "none")
    assert some == sorted(c["name"] for c in minsk["countries"])
    err = assert_error(client.post("/api/v1/export/shp", json=REQ), 422, "format")
    assert err["allowed"] == "one of 'geojson', 'kml' or 'csv'"


def test_classify(client: TestClient) -> None:
    # 3,400 mi = 5,471.8 km: inside the INF Treaty's 500-5,500 km band
    r = client.post(
        "/api/v1/classify",
        json={"range": "310 to 3,400 miles", "basing": "ground", "on": "2018-01-01"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["range_km"][1] == pytest.approx(3400 * 1.609344)
    inf = next(f for f in body["findings"] if f["regime_id"] == "inf")
    assert inf["verdict"] == "within" and inf["in_force"] is True
    r = client.post("/api/v1/classify", json={"range": "310 to 3,400 miles"})
    assert_error(r, 422, "body")
    r = client.post("/api/v1/classify", json={"system": "Oreshnik", "on": "not a date"})
    assert_error(r, 422, "on")
    r = client.post("/api/v1/classify", json={"system": "Oreshnik", "on": 0})
    assert_error(r, 422, "on")


def test_check(client: TestClient) -> None:
    from reachmap.analysis.claims import check_region
    from reachmap.world.regions import region

    r = client.post(
        "/api/v1/check",
        json={"region": "europe", "sites": [MINSK], "range": "0-5500 km", "on": "2026-11-25"},
    )
    assert r.status_code == 200, r.text
    import datetime as dt

    want = check_region(
        analyze([resolve_site("Minsk")], parse_range("0-5500 km")),
        region("europe"),
        on=dt.date(2026, 11, 25),
        claim="can cover all of the region",
    )
    body = r.json()
    assert body["verdict"] == want.verdict
    assert body["exceptions"] == list(want.exceptions)
    bad = {"region": "atlantis", "sites": [MINSK], "range": "1 km"}
    assert_error(client.post("/api/v1/check", json=bad), 422, "region")


# ---- scenarios ---------------------------------------------------------------------

SCENARIO = {
    "title": "Oreshnik at Minsk",
    "on": "2026-11-25",
    "population": "places",
    "system": {"catalog": "Oreshnik"},
    "sites": {"places": ["Minsk"]},
    "claims": [{"text": "can cover all of Europe", "region": "europe"}],
}


def test_scenarios_are_content_addressed_and_immutable(client: TestClient) -> None:
    r = client.post("/api/v1/scenarios", json=SCENARIO)
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    assert re.fullmatch(r"[0-9a-f]{24}", sid)
    assert r.json()["url"] == f"/?s={sid}"
    # the same content in another key order: the same id, nothing new
    again = client.post("/api/v1/scenarios", json=dict(reversed(list(SCENARIO.items()))))
    assert again.status_code == 200
    assert again.json() == {"id": sid, "url": f"/?s={sid}", "created": False}
    stored = client.get(f"/api/v1/scenarios/{sid}").json()
    assert stored["id"] == sid
    doc = stored["scenario"]
    assert doc["title"] == SCENARIO["title"] and doc["sites"]["places"] == ["Minsk"]
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(canonical.encode()).hexdigest()[:24] == sid
    # another scenario, another id
    other = client.post("/api/v1/scenarios", json={**SCENARIO, "title": "other"}).json()["id"]
    assert other != sid


def test_scenario_report(client: TestClient) -> None:
    sid = client.post("/api/v1/scenarios", json=SCENARIO).json()["id"]
    r = client.get(f"/api/v1/scenarios/{sid}/report")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "Oreshnik at Minsk" in r.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sites": {"places": ["Xyzzyqwv"]}}, "sites.places.0"),
        ({"sites": {"deployments": ["nope"]}}, "sites.deployments.0"),
        ({"system": {"catalog": "Oreshnick"}}, "system"),
        ({"system": {"range": "1-2 parsecs", "basing": "ground"}}, "system.range"),
        ({"population": "/etc/passwd"}, "population"),
        ({"claims": [{"text": "x", "region": "atlantis"}]}, "region"),
        ({"on": "yesterday"}, "on"),
        ({"on": 0}, "on"),  # not 1970-01-01
        ({"title": 5}, "title"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_scenarios_are_refused_and_not_stored(
    client: TestClient, change: dict, field: str
) -> None:
    doc = {**SCENARIO, **change}
    assert_error(client.post("/api/v1/scenarios", json=doc), 422, field)


def test_unknown_scenario_is_404(client: TestClient) -> None:
    assert_error(client.get("/api/v1/scenarios/" + "0" * 24), 404, "id")
    assert_error(client.get("/api/v1/scenarios/" + "0" * 24 + "/report"), 404, "id")
    assert_error(client.get("/api/v1/scenarios/../../etc/passwd"), 404, None)


# ---- token and CORS ------------------------------------------------------------------


def test_writes_need_the_token_when_one_is_set(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(
        Settings(database_url=f"sqlite:///{tmp_path / 't.sqlite3'}", token="s3cret",
                 populations=("places",))
    )  # fmt: skip
    with TestClient(app) as c:
        assert_error(c.post("/api/v1/scenarios", json=SCENARIO), 401, "Authorization")
        bad = {"Authorization": "Bearer nope"}
        assert_error(c.post("/api/v1/scenarios", json=SCENARIO, headers=bad), 401, None)
        good = {"Authorization": "Bearer s3cret"}
        r = c.post("/api/v1/scenarios", json=SCENARIO, headers=good)
        assert r.status_code == 201
        # reads need no token
        assert c.get(f"/api/v1/scenarios/{r.json()['id']}").status_code == 200
        assert c.post("/api/v1/reach", json=REQ).status_code == 200


def test_cors_is_off_by_default_and_on_when_asked(client: TestClient, tmp_path) -> None:  # type: ignore[no-untyped-def]
    origin = {"Origin": "https://example.org"}
    r = client.get("/api/v1/health", headers=origin)
    assert "access-control-allow-origin" not in r.headers
    app = create_app(
        Settings(database_url=f"sqlite:///{tmp_path / 'c.sqlite3'}",
                 cors_origins=("https://example.org",))
    )  # fmt: skip
    with TestClient(app) as c:
        r = c.get("/api/v1/health", headers=origin)
        assert r.headers["access-control-allow-origin"] == "https://example.org"
        r = c.get("/api/v1/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    want = {
        "/api/v1/health", "/api/v1/places", "/api/v1/catalog/systems",
        "/api/v1/catalog/systems/{system}", "/api/v1/catalog/deployments", "/api/v1/regions",
        "/api/v1/reach", "/api/v1/export/{format}", "/api/v1/classify", "/api/v1/check",
        "/api/v1/scenarios", "/api/v1/scenarios/{sid}", "/api/v1/scenarios/{sid}/report",
        "/api/v1/tiers",
        "/api/v1/basemap/countries", "/api/v1/ingest",
    }  # fmt: skip
    assert want == paths


# ---- articles ----------------------------------------------------------------------

ARTICLE = (
    "Russia will deploy the Oreshnik missile in Belarus. It has a range of between 310 to "
    "3,400 miles and can cover all of Europe."
)


def test_ingest_extracts_with_offsets_and_checks_the_claim(client: TestClient) -> None:
    r = client.post("/api/v1/ingest", json={"text": ARTICLE, "on": "2026-11-25"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["nothing_found"] is False
    for x in body["extractions"]:
        assert ARTICLE[x["start"] : x["end"]] == x["text"]
    got = {(x["kind"], x["text"]) for x in body["extractions"]}
    assert {("system", "Oreshnik"), ("country", "Belarus"),
            ("range", "between 310 to 3,400 miles"), ("claim", "can cover all of Europe")} <= got
    rng = next(x for x in body["extractions"] if x["kind"] == "range")
    assert rng["value"]["max_km"] == pytest.approx(3400 * 1.609344, abs=1e-3)
    (check,) = body["checks"]
    assert check["region"] == "europe"
    assert check["verdict"] in {"holds", "holds with exceptions", "does not hold"}
    assert "[[systems]]" in body["review_toml"]


def test_ingest_of_nothing(client: TestClient) -> None:
    body = client.post("/api/v1/ingest", json={"text": "the rain stopped."}).json()
    assert body["nothing_found"] is True and body["extractions"] == []
    assert "Nothing to extract" in body["report_markdown"]
    assert_error(client.post("/api/v1/ingest", json={"text": "x" * 80_001}), 422, "text")


def test_docs_describe_every_endpoint(client: TestClient) -> None:
    """Each method and path of the OpenAPI schema is named in docs/api.md."""
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    spec = client.get("/api/v1/openapi.json").json()
    missing = [
        f"{method.upper()} {path}"
        for path, ops in spec["paths"].items()
        for method in ops
        if f"{method.upper()} {path}" not in docs
    ]
    assert missing == []
