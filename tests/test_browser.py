"""The web page in a real browser: headless Chromium against `reachmap serve`.

Needs the vendored MapLibre (`scripts/build_web.sh`) and a Chromium (`scripts/chromium.sh`;
path from REACHMAP_CHROMIUM, default /usr/bin/chromium). Without them the tests skip,
unless REACHMAP_REQUIRE_BROWSER=1 (CI), when they fail. Screenshots go to
$REACHMAP_ARTIFACTS_DIR/browser/ (default: test-artifacts/ in the repository).
Set REACHMAP_WEB_URL to test a server that is already running instead of starting one.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from geographiclib.geodesic import Geodesic

from tests.serving import Server

REPO = Path(__file__).resolve().parents[1]
VENDOR = REPO / "src" / "reachmap" / "server" / "static" / "vendor" / "maplibre-gl"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
# GeoNames coordinates of the capitals checked independently (as in the gazetteer).
MINSK = (53.90019, 27.56653)
VILNIUS = (54.68916, 25.2798)
PARIS = (48.85341, 2.3488)
SAVED_ID = re.compile(r"^\?s=[0-9a-f]{24}$")


def _missing(what: str, fix: str) -> None:
    message = f"{what} is missing: run {fix}"
    if os.environ.get("REACHMAP_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `reachmap serve` on a free port with a fresh SQLite database."""
    if not (VENDOR / "maplibre-gl.mjs").is_file():
        _missing(f"{VENDOR / 'maplibre-gl.mjs'}", "scripts/build_web.sh")
    if os.environ.get("REACHMAP_WEB_URL"):
        yield os.environ["REACHMAP_WEB_URL"].rstrip("/")
        return
    with Server(tmp_path_factory.mktemp("web")) as server:
        yield server.url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    exe = Path(os.environ.get("REACHMAP_CHROMIUM", "/usr/bin/chromium"))
    if not exe.is_file():
        _missing(f"Chromium ({exe})", "scripts/chromium.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(exe), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Web:
    """A browser context on the server, collecting uncaught page errors."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.base = base_url
        self.context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )
        self.context.set_default_timeout(30_000)
        self.errors: list[str] = []

    def open(self, path: str = "/") -> Any:
        page = self.context.new_page()
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.goto(self.base + path)
        page.wait_for_function("document.body.dataset.ready === 'true'")
        return page


@pytest.fixture
def web(browser: Any, base_url: str) -> Iterator[Web]:
    w = Web(browser, base_url)
    yield w
    w.context.close()
    assert not w.errors, f"uncaught errors in the page: {w.errors}"


def artifacts() -> Path:
    root = Path(os.environ.get("REACHMAP_ARTIFACTS_DIR", REPO / "test-artifacts"))
    out = root / "browser"
    out.mkdir(parents=True, exist_ok=True)
    return out


def pick_system(page: Any, name: str) -> None:
    value = page.locator("#system option", has_text=f"{name} (").first.get_attribute("value")
    page.select_option("#system", value=value)


def add_place(page: Any, query: str, choice: str) -> None:
    """Type into the place search and pick the suggestion `choice` ("Minsk, BY")."""
    page.fill("#place-search", query)
    page.locator("#place-suggestions [role=option]", has_text=choice).first.click()
    page.locator("#sites li", has_text=choice).wait_for()


def compute(page: Any, expect: str = "done") -> None:
    page.click("#compute")
    page.wait_for_function(
        "['done', 'error'].includes(document.body.dataset.state)", timeout=60_000
    )
    state = page.evaluate("document.body.dataset.state")
    assert state == expect, page.inner_text("#status")


def wait_map(page: Any) -> None:
    page.wait_for_function("window.reachmap.map !== null && window.reachmap.map.loaded()")


# Point queries on a grid over the canvas: with the globe projection, MapLibre 6.17's
# box queries (including the default whole-viewport one) miss features lying wholly
# inside the box, while point queries are exact.
LAYER_HITS = """(layer) => {
    const map = window.reachmap.map, c = map.getCanvas();
    const w = c.clientWidth, h = c.clientHeight;
    let hits = 0;
    for (let i = 1; i < 16; i++) for (let j = 1; j < 12; j++) {
        const found = map.queryRenderedFeatures([w * i / 16, h * j / 12], {layers: [layer]});
        if (found.length) hits++;
    }
    return hits;
}"""


def layer_hits(page: Any, layer: str) -> int:
    """The number of grid points (of 165) on the canvas that a map layer covers now."""
    return int(page.evaluate(LAYER_HITS, layer))


def wait_layer(page: Any, layer: str) -> int:
    """Wait until a map layer is drawn; the number of grid points (of 165) it covers."""
    page.wait_for_function(f"({LAYER_HITS})({json.dumps(layer)}) > 0", timeout=30_000)
    return layer_hits(page, layer)


def wait_envelope(page: Any) -> int:
    """Wait until the envelope is drawn; the number of grid points (of 165) it covers."""
    return wait_layer(page, "envelope-fill")


def shown_totals(page: Any) -> dict[str, tuple[str, str]]:
    rows = page.eval_on_selector_all(
        "#totals [data-key]", "els => els.map(e => [e.dataset.key, e.dataset.value, e.textContent])"
    )
    return {k: (v, text) for k, v, text in rows}


def capitals_table(page: Any) -> list[dict[str, str]]:
    return list(
        page.eval_on_selector_all(
            "#capitals tbody tr",
            """rows => rows.map(r => ({name: r.cells[0].textContent,
                country: r.cells[1].textContent, status: r.cells[2].dataset.value,
                km: r.cells[3].textContent}))""",
        )
    )


def geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(Geodesic.WGS84.Inverse(a[0], a[1], b[0], b[1])["s12"]) / 1000.0


def test_reach_matches_the_api(web: Web) -> None:
    page = web.open()
    pick_system(page, "Oreshnik")
    oreshnik = httpx.get(f"{web.base}/api/v1/catalog/systems/Oreshnik", timeout=30).json()
    assert page.get_attribute("#range", "placeholder") == oreshnik["range"]["text"]
    add_place(page, "Minsk", "Minsk, BY")
    compute(page)
    assert wait_envelope(page) > 0
    for table in ("countries", "capitals", "places"):
        assert page.locator(f"#{table} tbody tr").count() > 0, table

    request = page.evaluate("window.reachmap.lastRequest")
    assert request["sites"] == [{"place": "Minsk, BY"}]
    res = httpx.post(f"{web.base}/api/v1/reach", json=request, timeout=120)
    assert res.status_code == 200, res.text
    api = res.json()

    shown = shown_totals(page)
    assert set(shown) == set(api["totals"])
    for key, want in api["totals"].items():
        value, text = shown[key]
        if isinstance(want, int):
            assert int(value) == want, key
            assert text == f"{want:,}", key
        else:
            assert value == str(want), key

    rows = capitals_table(page)
    assert len(rows) >= 20
    assert [(r["name"], r["status"]) for r in rows] == [
        (c["name"], c["status"]) for c in api["capitals"]
    ]
    assert page.locator("#countries tbody tr").count() == len(api["countries"])
    assert page.locator("#places tbody tr").count() == len(api["places"])
    sources = page.inner_text("#sources")
    for src in api["system"]["range"]["sources"]:
        assert src["publisher"] in sources and src["title"] in sources
    assert page.locator("#assumptions li").count() == len(api["assumptions"])
    page.screenshot(path=str(artifacts() / "reach.png"), full_page=True)


def test_map_click_and_explicit_range(web: Web) -> None:
    page = web.open()
    wait_map(page)
    page.evaluate(f"window.reachmap.map.jumpTo({{center: [{MINSK[1]}, {MINSK[0]}], zoom: 12}})")
    box = page.locator("#map canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator("#sites li[data-kind=latlon]").wait_for()
    site = page.evaluate("window.reachmap.state.sites[0]")
    assert site["kind"] == "latlon"
    assert abs(site["lat"] - MINSK[0]) < 0.01 and abs(site["lon"] - MINSK[1]) < 0.01
    assert site["lat"] == round(site["lat"], 4) and site["lon"] == round(site["lon"], 4)

    page.fill("#range", "500-5500 km")
    compute(page)
    assert page.evaluate("window.reachmap.lastRequest") == {
        "sites": [{"lat": site["lat"], "lon": site["lon"]}],
        "population": "places",
        "range": "500-5500 km",
    }
    wait_envelope(page)
    assert "Explicit range" in page.inner_text("#sources")

    rows = {r["name"]: r for r in capitals_table(page)}
    here = (site["lat"], site["lon"])
    for name, where, status in [
        ("Vilnius", VILNIUS, "inside-min-range"),
        ("Paris", PARIS, "reached"),
    ]:
        km = geodesic_km(here, where)
        assert rows[name]["status"] == status, name
        assert abs(float(rows[name]["km"].replace(",", "")) - km) <= 0.1, (name, km)
    assert 160 < geodesic_km(here, VILNIUS) < 500 < geodesic_km(here, PARIS) < 5500


def test_permalink_restores_the_scenario(web: Web) -> None:
    page = web.open()
    pick_system(page, "Oreshnik")
    add_place(page, "Minsk", "Minsk, BY")
    page.select_option("#deployment", index=1)
    page.click("#add-deployment")
    page.locator("#sites li[data-kind=deployment]").wait_for()
    compute(page)

    page.click("#save")
    page.wait_for_function("/^\\?s=[0-9a-f]{24}$/.test(window.location.search)")
    url = page.url
    assert url.startswith(web.base + "/?s=") and SAVED_ID.match(url[len(web.base) + 1 :])
    assert page.input_value("#permalink") == url

    def controls(p: Any) -> dict[str, Any]:
        return {
            "system": p.input_value("#system"),
            "range": p.input_value("#range"),
            "population": p.input_value("#population"),
            "sites": p.eval_on_selector_all(
                "#sites li", "els => els.map(e => [e.dataset.kind, e.querySelector('.label')"
                ".textContent])",
            ),
        }  # fmt: skip

    # no uncertainty control set: the scenario has no uncertainty table (ids as before)
    sid = url.split("?s=", 1)[1]
    saved = httpx.get(f"{web.base}/api/v1/scenarios/{sid}", timeout=30).json()["scenario"]
    assert "uncertainty" not in saved

    before, totals = controls(page), shown_totals(page)
    again = web.context.new_page()
    again.on("pageerror", lambda e: web.errors.append(str(e)))
    again.goto(url)
    again.wait_for_function("document.body.dataset.state === 'done'", timeout=60_000)
    assert controls(again) == before
    assert shown_totals(again) == totals
    assert again.input_value("#permalink") == url
    assert uncertainty_controls(again) == {
        "site-uncertainty": "", "max-range": "", "max-range-mode": "", "draws": "200",
        "seed": "0", "mode-disabled": True,
    }  # fmt: skip
    # the catalog locates the deployment's site only to within some km: certain and possible
    assert page.evaluate("document.body.dataset.mode") == "tiers"
    assert again.evaluate("document.body.dataset.mode") == "tiers"
    wait_layer(again, "certain-fill")


UNCERTAINTY_INPUTS = ("site-uncertainty", "max-range", "max-range-mode", "draws", "seed")


def uncertainty_controls(page: Any) -> dict[str, Any]:
    """The Uncertainty inputs' values, and whether the most likely maximum is disabled."""
    out: dict[str, Any] = {name: page.input_value(f"#{name}") for name in UNCERTAINTY_INPUTS}
    out["mode-disabled"] = page.is_disabled("#max-range-mode")
    return out


def all_tier_tables(page: Any) -> dict[str, Any]:
    """Everything the tier section shows: totals, the three tables, the draws line."""
    return {
        "totals": shown_totals(page),
        **{t: tier_rows(page, f"#{t}") for t in ("tier-countries", "tier-capitals", "tier-places")},
        "draws": page.inner_text("#tiers-draws"),
    }


def test_permalink_keeps_the_uncertainty(web: Web) -> None:
    """Radius, interval, most likely maximum, draws and seed: saved, restored, same tiers."""
    page = web.open()
    pick_system(page, "Oreshnik")
    add_place(page, "Minsk", "Minsk, BY")
    assert page.is_disabled("#max-range-mode")  # no interval yet
    page.fill("#site-uncertainty", "40")
    page.fill("#max-range", "1,000-1,500 km")
    assert page.is_enabled("#max-range-mode")
    page.fill("#max-range-mode", "1,200 km")
    page.fill("#draws", "150")
    page.fill("#seed", "7")
    compute(page)
    assert page.evaluate("document.body.dataset.mode") == "tiers"
    request = page.evaluate("window.reachmap.lastRequest")
    assert request == {
        "sites": [{"place": "Minsk, BY"}], "population": "places", "system": "oreshnik",
        "site_uncertainty_km": 40, "max_range": "1,000-1,500 km", "max_range_mode": "1,200 km",
        "draws": 150, "seed": 7,
    }  # fmt: skip
    shown = all_tier_tables(page)
    assert shown["tier-countries"] and shown["tier-capitals"] and shown["tier-places"]
    assert "150 draws, seed 7" in shown["draws"]
    # probabilities strictly between 0 and 1 somewhere: the seed matters to what is shown
    assert any(
        0 < float(r["P(reached)"]) < 1 for r in shown["tier-capitals"].values() if r["P(reached)"]
    )
    controls = uncertainty_controls(page)

    page.click("#save")
    page.wait_for_function("/^\\?s=[0-9a-f]{24}$/.test(window.location.search)")
    url = page.url
    sid = url.split("?s=", 1)[1]
    res = httpx.get(f"{web.base}/api/v1/scenarios/{sid}", timeout=30)
    assert res.status_code == 200, res.text
    saved = res.json()["scenario"]
    assert saved["uncertainty"] == {
        "site_km": 40.0, "max_range": "1,000-1,500 km", "max_range_mode": "1,200 km",
        "draws": 150, "seed": 7, "polygons": [],
    }  # fmt: skip
    assert saved["system"]["catalog"] == "Oreshnik"
    assert saved["sites"]["places"] == ["Minsk, BY"]

    again = web.context.new_page()
    again.on("pageerror", lambda e: web.errors.append(str(e)))
    again.goto(url)
    again.wait_for_function("document.body.dataset.state === 'done'", timeout=60_000)
    assert uncertainty_controls(again) == controls == {
        "site-uncertainty": "40", "max-range": "1,000-1,500 km", "max-range-mode": "1,200 km",
        "draws": "150", "seed": "7", "mode-disabled": False,
    }  # fmt: skip
    assert again.evaluate("document.body.dataset.mode") == "tiers"
    assert again.evaluate("window.reachmap.lastRequest") == request
    assert all_tier_tables(again) == shown
    wait_layer(again, "possible-fill")

    # the radius alone (interval emptied): the most likely maximum is disabled and not sent,
    # nor saved; a fresh save is a different scenario
    page.fill("#max-range", "")
    assert page.is_disabled("#max-range-mode")
    compute(page)
    request = page.evaluate("window.reachmap.lastRequest")
    assert "max_range" not in request and "max_range_mode" not in request
    page.click("#save")
    page.wait_for_function(f"window.location.search !== {json.dumps('?s=' + sid)}")
    page.wait_for_function("/^\\?s=[0-9a-f]{24}$/.test(window.location.search)")
    other = page.url.split("?s=", 1)[1]
    saved = httpx.get(f"{web.base}/api/v1/scenarios/{other}", timeout=30).json()["scenario"]
    assert saved["uncertainty"] == {
        "site_km": 40.0, "max_range": None, "max_range_mode": None, "draws": 150, "seed": 7,
        "polygons": [],
    }  # fmt: skip

    # a scenario with a polygon site (saved elsewhere): the page says it does not show it
    doc = {**saved, "uncertainty": {**saved["uncertainty"],
                                    "polygons": [[[53, 27], [54, 27], [54, 28]]]}}  # fmt: skip
    res = httpx.post(f"{web.base}/api/v1/scenarios", json=doc, timeout=30)
    assert res.status_code == 201, res.text
    third = web.context.new_page()
    third.on("pageerror", lambda e: web.errors.append(str(e)))
    third.goto(web.base + res.json()["url"])
    third.wait_for_function("document.body.dataset.state === 'done'", timeout=60_000)
    assert third.input_value("#site-uncertainty") == "40"
    assert "1 site somewhere in an area, which this page does not show" in third.inner_text(
        "#status"
    )


def test_bad_most_likely_maximum_shows_the_field(web: Web) -> None:
    """A most likely maximum outside the interval: the API's 422 names max_range_mode."""
    page = web.open()
    pick_system(page, "Oreshnik")
    add_place(page, "Minsk", "Minsk, BY")
    page.fill("#max-range", "1,000-1,500 km")
    page.fill("#max-range-mode", "2,000 km")
    compute(page, expect="error")
    status = page.locator("#status")
    assert status.get_attribute("data-field") == "max_range_mode"
    assert "max_range_mode" in status.inner_text()

    # saving it is refused the same way, naming the scenario's field
    page.click("#save")
    page.wait_for_function(
        "document.body.dataset.state === 'error' && "
        "document.querySelector('#status').dataset.field === 'uncertainty.max_range_mode'"
    )
    assert page.evaluate("window.location.search") == ""

    page.fill("#max-range-mode", "1,200 km")
    compute(page)
    assert page.locator("#status").get_attribute("data-field") is None
    assert page.evaluate("window.reachmap.lastRequest")["max_range_mode"] == "1,200 km"


# GeoNames coordinates (as in the gazetteer) of capitals near Minsk.
RIGA = (56.946, 24.10589)
KYIV = (50.45466, 30.5238)
WARSAW = (52.22977, 21.01178)
TALLINN = (59.43696, 24.75353)


def tier_rows(page: Any, table: str) -> dict[str, dict[str, str]]:
    """Rows of a tier table by their first cell: every cell's data-value, or its text."""
    rows = page.eval_on_selector_all(
        f"{table} tbody tr",
        "rows => rows.map(r => Array.from(r.cells, c => c.dataset.value ?? c.textContent))",
    )
    texts = page.eval_on_selector_all(
        f"{table} tbody tr", "rows => rows.map(r => Array.from(r.cells, c => c.textContent))"
    )
    heads = page.eval_on_selector_all(f"{table} thead th", "hs => hs.map(h => h.textContent)")
    return {
        r[0]: {**dict(zip(heads, r, strict=True)), "text": dict(zip(heads, t, strict=True))}
        for r, t in zip(rows, texts, strict=True)
    }


def test_site_radius_shows_certain_and_possible_tiers(web: Web) -> None:
    """Minsk known to within 50 km, range 500 km: tiers by hand from d - u and d + u."""
    u, r = 50.0, 500.0
    page = web.open()
    add_place(page, "Minsk", "Minsk, BY")
    page.fill("#range", "500 km")
    page.fill("#site-uncertainty", "50")
    page.fill("#draws", "2000")
    page.fill("#seed", "3")
    compute(page)
    assert page.evaluate("document.body.dataset.mode") == "tiers"
    request = page.evaluate("window.reachmap.lastRequest")
    assert request == {"sites": [{"place": "Minsk, BY"}], "population": "places",
                       "range": "500 km", "site_uncertainty_km": 50, "draws": 2000,
                       "seed": 3}  # fmt: skip

    # both layers are drawn, the possible one over more of the map; no plain envelope
    certain = wait_layer(page, "certain-fill")
    possible = wait_layer(page, "possible-fill")
    assert possible > certain > 0
    assert layer_hits(page, "envelope-fill") == 0
    assert page.locator("#reach-tables").is_hidden()
    assert page.locator(".legend .tiers-only").first.is_visible()
    note = page.inner_text("#tiers-note")
    assert "describe the stated uncertainty" in note and "not the world" in note

    caps = tier_rows(page, "#tier-capitals")
    for name, where in [("Riga", RIGA), ("Kyiv", KYIV), ("Warsaw", WARSAW), ("Tallinn", TALLINN)]:
        d = geodesic_km(MINSK, where)
        want = "certain" if d + u <= r else "possible" if d - u <= r else "unreachable"
        row = caps[name]
        assert row["Tier"] == want, (name, d)
        assert abs(float(row["text"]["km, least"].replace(",", "")) - (d - u)) <= 0.051, name
        assert abs(float(row["text"]["km, greatest"].replace(",", "")) - (d + u)) <= 0.051, name
        if want == "certain":
            assert row["text"]["P(reached)"] == "100.0%", name
        elif want == "unreachable":
            assert row["text"]["P(reached)"] == "0.0%", name
    assert [caps[n]["Tier"] for n in ("Kyiv", "Warsaw", "Tallinn")] == [
        "certain", "possible", "unreachable"]  # fmt: skip

    # Warsaw is reached from the part of the 50 km disc within 500 km of it: the lens of
    # two circles (planar; over 50 km far below the noise of 2,000 draws)
    d = geodesic_km(MINSK, WARSAW)
    a1 = u**2 * math.acos((d**2 + u**2 - r**2) / (2 * d * u))
    a2 = r**2 * math.acos((d**2 + r**2 - u**2) / (2 * d * r))
    a3 = 0.5 * math.sqrt((-d + u + r) * (d + u - r) * (d - u + r) * (d + u + r))
    share = (a1 + a2 - a3) / (math.pi * u**2)
    sigma = math.sqrt(share * (1 - share) / 2000)
    shown = float(caps["Warsaw"]["P(reached)"])
    assert abs(shown - share) <= 5 * sigma, (shown, share)

    # the country table is the API's, row for row
    api = httpx.post(f"{web.base}/api/v1/tiers", json=request, timeout=120).json()
    countries = tier_rows(page, "#tier-countries")
    assert len(countries) == len(api["countries"]) > 0
    for c in api["countries"]:
        row = countries[c["name"]]
        assert row["Tier"] == c["tier"]
        assert int(row["People certainly reached"]) == c["certain_population"]
        assert int(row["People possibly reached"]) == c["possible_population"]
        assert float(row["P(reached)"]) == c["probability_reached"]
    assert countries["Belarus"]["Tier"] == "certain"
    assert countries["Belarus"]["text"]["P(reached)"] == "100.0%"
    assert page.locator("#tier-places tbody tr").count() == len(api["places"])
    page.screenshot(path=str(artifacts() / "tiers.png"), full_page=True)

    # no uncertainty again: the plain reach, as before
    page.fill("#site-uncertainty", "")
    compute(page)
    assert page.evaluate("document.body.dataset.mode") == "reach"
    assert page.evaluate("window.reachmap.lastRequest") == {
        "sites": [{"place": "Minsk, BY"}],
        "population": "places",
        "range": "500 km",
    }
    wait_envelope(page)
    assert page.locator("#tiers").is_hidden()


TOKEN = "s3cret"


def test_save_needs_the_write_token(
    browser: Any, base_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """On a server started with --token, saving asks for the token, then works with it."""
    del base_url  # only for its checks (vendored MapLibre); this test runs its own server
    with Server(tmp_path_factory.mktemp("token"), "--token", TOKEN) as server:
        url = server.url
        web = Web(browser, url)
        try:
            page = web.open()
            assert page.get_attribute("#token", "type") == "password"
            assert page.input_value("#token") == ""
            pick_system(page, "Oreshnik")
            add_place(page, "Minsk", "Minsk, BY")

            page.click("#save")
            page.wait_for_function("document.body.dataset.state === 'error'")
            status = page.locator("#status")
            assert status.get_attribute("data-field") == "Authorization"
            text = status.inner_text()
            assert "401" in text and "token" in text, text
            assert page.evaluate("document.activeElement.id") == "token"
            assert page.evaluate("window.location.search") == ""

            page.fill("#token", TOKEN)
            page.click("#save")
            page.wait_for_function("/^\\?s=[0-9a-f]{24}$/.test(window.location.search)")
            assert SAVED_ID.match(page.url[len(url) + 1 :])
            assert page.input_value("#permalink") == page.url
            assert TOKEN not in page.url
            assert page.evaluate("document.body.dataset.state") != "error"
            # Kept for this tab only: sessionStorage, never localStorage.
            assert TOKEN in page.evaluate("Object.values(sessionStorage)")
            assert TOKEN not in page.evaluate("Object.values(localStorage)")
            page.reload()
            page.wait_for_function("document.body.dataset.ready === 'true'")
            assert page.input_value("#token") == TOKEN
        finally:
            web.context.close()
        assert not web.errors, f"uncaught errors in the page: {web.errors}"


def test_exports_download_files(web: Web) -> None:
    page = web.open()
    pick_system(page, "Oreshnik")
    add_place(page, "Minsk", "Minsk, BY")

    with page.expect_download() as info:
        page.click("#export-geojson")
    download = info.value
    assert download.suggested_filename.endswith((".geojson", ".json"))
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert data["features"] and all(f["type"] == "Feature" for f in data["features"])

    with page.expect_download() as info:
        page.click("#export-csv")
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) >= 2 and "name" in rows[0]
    assert page.evaluate("document.body.dataset.state") != "error"


def test_bad_range_shows_the_field(web: Web) -> None:
    page = web.open()
    add_place(page, "Minsk", "Minsk, BY")
    page.fill("#range", "12 parsecs")
    compute(page, expect="error")
    status = page.locator("#status")
    assert status.get_attribute("data-field") == "range"
    assert "range" in status.inner_text()
    # The page still works: fix the range and compute.
    page.fill("#range", "1000 km")
    compute(page)
    wait_envelope(page)
    assert page.locator("#status").get_attribute("data-field") is None


ARTICLE = (
    "Russia will deploy the Oreshnik missile in Belarus. It has a range of between 310 to "
    "3,400 miles and can cover all of Europe."
)
NOTHING = "the weather was mild and the rain stopped."
# Markup in an article is text: it must show as written, never as elements.
MARKUP = "<i>Iskander</i> launchers are stationed in Kaliningrad & <b>nearby</b>."


def read_article(page: Any, text: str) -> None:
    page.fill("#article", text)
    page.click("#ingest")  # sets #ingest-result[data-state=busy] before its first await
    page.wait_for_function(
        "['done', 'error'].includes(document.querySelector('#ingest-result').dataset.state)",
        timeout=60_000,
    )
    state = page.evaluate("document.querySelector('#ingest-result').dataset.state")
    assert state == "done", page.inner_text("#status")


def shown_marks(page: Any) -> list[tuple[int, str]]:
    return [
        (int(i), text)
        for i, text in page.eval_on_selector_all(
            "#ingest-result mark", "ms => ms.map(m => [m.dataset.index, m.textContent])"
        )
    ]


def test_read_an_article(web: Web) -> None:
    page = web.open()
    page.click("#ingest-panel > summary")
    read_article(page, ARTICLE)
    res = httpx.post(
        f"{web.base}/api/v1/ingest",
        json={"text": ARTICLE, "on": None, "source": "article"},
        timeout=120,
    )
    assert res.status_code == 200, res.text
    api = res.json()
    assert api["nothing_found"] is False
    extractions = api["extractions"]

    rows = page.eval_on_selector_all(
        "#extractions tbody tr",
        "rows => rows.map(r => [r.dataset.kind, r.cells[2].textContent,"
        " Number(r.dataset.start), Number(r.dataset.end)])",
    )
    assert [tuple(r) for r in rows] == [
        (x["kind"], x["text"], x["start"], x["end"]) for x in extractions
    ]
    listed = {(kind, text) for kind, text, _, _ in rows}
    assert {("system", "Oreshnik"), ("country", "Belarus"),
            ("claim", "can cover all of Europe")} <= listed  # fmt: skip
    assert ("range", "between 310 to 3,400 miles") in listed

    # Every highlight is the article's text at the API's offsets; nested spans (the system
    # inside its deployment sentence, the region inside its claim) are all highlighted.
    marks = shown_marks(page)
    for i, text in marks:
        x = extractions[i]
        assert text == ARTICLE[x["start"] : x["end"]] == x["text"], x
    assert sorted(i for i, _ in marks) == list(range(len(extractions)))
    assert page.text_content("#ingest-result .article-marked") == ARTICLE

    checks = page.eval_on_selector_all(
        "#ingest-checks > ul > li", "els => els.map(e => [e.dataset.region, e.dataset.verdict])"
    )
    assert [tuple(c) for c in checks] == [
        (c["region"], c.get("verdict", "not-run")) for c in api["checks"]
    ]
    assert checks and checks[0][1] in {"holds", "holds with exceptions", "does not hold"}

    with page.expect_download() as info:
        page.click("#download-review")
    download = info.value
    assert download.suggested_filename == "article.review.toml"
    assert Path(download.path()).read_text(encoding="utf-8") == api["review_toml"]
    page.locator("#ingest-panel").screenshot(path=str(artifacts() / "ingest.png"))

    # "Use": the system and the range go to the controls, and /reach accepts them
    # ("between 310 to 3,400 miles", as reports write it)
    page.locator("#extractions tr[data-kind=system] button", has_text="Use").click()
    assert page.input_value("#system") == "oreshnik"
    page.locator("#extractions tr[data-kind=range] button", has_text="Use").click()
    assert page.input_value("#range") == "between 310 to 3,400 miles"
    add_place(page, "Minsk", "Minsk, BY")
    compute(page)
    assert page.evaluate("window.reachmap.lastRequest")["range"] == "between 310 to 3,400 miles"

    # Markup stays text; a place extraction adds a site.
    read_article(page, MARKUP)
    assert page.text_content("#ingest-result .article-marked") == MARKUP
    assert page.locator("#ingest-result .article-marked :is(i, b)").count() == 0
    api = httpx.post(f"{web.base}/api/v1/ingest", json={"text": MARKUP}, timeout=120).json()
    for i, text in shown_marks(page):
        assert text == MARKUP[api["extractions"][i]["start"] : api["extractions"][i]["end"]]
    page.locator("#extractions tr[data-kind=place]", has_text="Kaliningrad").locator(
        "button", has_text="Add site"
    ).click()
    page.locator("#sites li", has_text="Kaliningrad, RU").wait_for()

    read_article(page, NOTHING)
    assert "Nothing to extract" in page.inner_text("#ingest-result")
    assert page.locator("#extractions").count() == 0
    assert page.locator("#ingest-result mark").count() == 0
    assert page.locator("#download-review").is_hidden()
