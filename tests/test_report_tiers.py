"""Reach under uncertainty in the HTML report and on its map: parsed, and checked
against hand computations (GeographicLib distances, disc geometry), never against
figures the code printed before."""

from __future__ import annotations

import io
import math
import re

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from matplotlib.colors import to_rgb
from PIL import Image
from pyproj import CRS, Transformer

from reachmap.analysis.probability import METHOD, analyze_uncertain
from reachmap.analysis.reach import analyze, resolve_site
from reachmap.analysis.scenario import Scenario, run_scenario
from reachmap.analysis.uncertainty import POSSIBLE, Interval, UncertainRange, UncertainSite
from reachmap.catalog.store import load_catalog
from reachmap.geo.units import parse_range
from reachmap.report.scenario import render_scenario
from reachmap.report.staticmap import (
    _CERTAIN_ALPHA,
    _LAND,
    _OCEAN,
    _POSSIBLE_ALPHA,
    _POSSIBLE_FILL,
    _REACH_FILL,
    _TIER_STYLE,
    render_map_png,
)
from reachmap.report.tiers import tiers_view
from reachmap.world.tables import load_places
from tests.test_report import embedded_png, parse

GEOD = Geodesic.WGS84
DRAWS, SEED = 200, 5


def _km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    return GEOD.Inverse(a_lat, a_lon, b_lat, b_lon)["s12"] / 1000.0


def _number(cell: str) -> float:
    return float(cell.replace(",", "").replace("%", ""))


@pytest.fixture(scope="module")
def krychaw():
    """Oreshnik at the catalog's Krychaw site (a disc: the catalog's uncertainty_km)."""
    catalog = load_catalog()
    site = catalog.sites[catalog.deployments["oreshnik-belarus"].site]
    max_km = catalog.find_system("Oreshnik").range.max_range_km
    run = run_scenario(
        Scenario.model_validate({
            "title": "Oreshnik at Krychaw & its uncertainty", "on": "2026-11-25",
            "population": "places", "system": {"catalog": "Oreshnik"},
            "sites": {"deployments": ["oreshnik-belarus"]},
            "uncertainty": {"draws": DRAWS, "seed": SEED},
        })
    )  # fmt: skip
    html = render_scenario(run)
    return site, max_km, run, html, parse(html)


def _section_html(html: str) -> str:
    i = html.index('<section id="tiers">')
    return html[i : html.index("</section>", i)]


# ---- the section ------------------------------------------------------------------------


def test_the_section_follows_the_map_with_its_tables(krychaw) -> None:
    *_, page = krychaw
    ids = list(page.sections)
    assert ids[:3] == ["scenario", "map", "tiers"]
    assert page.sections["tiers"]["h2"] == ["Reach under uncertainty"]
    p = ["P(reached)"]
    expected = {
        "tiers-sites": ["Site", "Centre (WGS84)", "Where it may be"],
        "tiers-range": ["", "Value"],
        "tiers-totals": ["", "Certainly reached", "Possibly, not certainly",
                         "Certainly or possibly"],
        "tiers-countries": ["Country", "ISO code", "Tier", "Certainly reached in full",
                            "People certainly reached", "People possibly reached",
                            "P(reached)", "P(fully covered)"],
        "tiers-capitals-certain": ["Capital", "Country", "Least distance (km)",
                                   "Greatest distance (km)", *p],
        "tiers-capitals-possible": ["Capital", "Country", "Least distance (km)",
                                    "Greatest distance (km)", *p],
    }  # fmt: skip
    for table, headers in expected.items():
        assert page.tables[table]["headers"] == headers, table
        assert page.tables[table]["rows"], table


def test_the_uncertainty_is_stated(krychaw) -> None:
    site, max_km, *_, page = krychaw
    (row,) = page.tables["tiers-sites"]["rows"]
    assert row[0] == f"{site.name} ({site.country})"
    assert f"within {site.uncertainty_km:g} km of the centre" in row[2]
    rows = dict(map(tuple, page.tables["tiers-range"]["rows"]))
    assert rows["Monte Carlo draws"] == f"{DRAWS} (seed {SEED})"
    assert rows["Minimum range"] == "none"
    assert rows["Maximum range"] == f"{max_km:,.0f} km"


def test_probabilities_are_labelled_as_the_stated_uncertainty(krychaw) -> None:
    *_, html, page = krychaw
    section = " ".join(_section_html(html).split())
    assert section.count("not of anything in the world") >= 3  # lead, countries, capitals
    assert f"{DRAWS} seeded" in section
    assert METHOD in " ".join(page.sections["tiers"]["p"])
    # the sampling error is stated: at most 0.5 / sqrt(draws), in percentage points
    assert f"at most {50 / math.sqrt(DRAWS):.1f} percentage points" in section


def test_totals_are_consistent(krychaw) -> None:
    *_, html, page = krychaw
    rows = {r[0]: [_number(c) for c in r[1:]] for r in page.tables["tiers-totals"]["rows"]}
    for certain, more, either in rows.values():
        assert certain + more == either and certain <= either
    m = re.search(r"mean ([\d,]+); 5–95% interval ([\d,]+) to ([\d,]+)", _section_html(html))
    assert m is not None
    mean, p05, p95 = (_number(g) for g in m.groups())
    certain, _, either = rows["People"]
    assert certain <= p05 <= mean <= p95 <= either


def test_country_rows_by_tier(krychaw) -> None:
    *_, page = krychaw
    tiers = page.column("tiers-countries", "Tier")
    assert set(tiers) == {"certain", "possible"}
    assert tiers == sorted(tiers)  # certain first ("certain" < "possible")
    certain = page.column("tiers-countries", "People certainly reached")
    possible = page.column("tiers-countries", "People possibly reached")
    for tier, c, p in zip(tiers, certain, possible, strict=True):
        assert _number(c) <= _number(p)
        assert (_number(c) > 0) == (tier == "certain")
    rows = {r[1]: r for r in page.tables["tiers-countries"]["rows"]}
    # Belarus lies wholly within a few hundred km of Krychaw, far inside 5,500 - 30 km
    assert rows["BY"][2:4] == ["certain", "yes"] and rows["BY"][6:] == ["100%", "100%"]


def _capital_coordinates() -> dict[tuple[str, str], tuple[float, float]]:
    places = load_places()
    return {
        (p.name, p.country): (p.lat, p.lon)
        for p in (places.row(int(i)) for i in np.flatnonzero(np.asarray(places.is_capital)))
    }


def _capital_key(row: list[str]) -> tuple[str, str]:
    """(name, ISO code) of a capital row: its country cell reads "Bhutan (BT)" or "SJ"."""
    m = re.fullmatch(r"(?:.*\()?(\w\w)\)?", row[1])
    assert m is not None, row
    return row[0], m.group(1)


def test_capital_tiers_match_geographiclib(krychaw) -> None:
    """A capital at distance d from the centre of a disc of radius u is certainly reached
    when d + u <= range, possibly when d - u <= range (no minimum range here)."""
    site, max_km, _, _, page = krychaw
    u = site.uncertainty_km
    want: dict[str, set[tuple[str, str]]] = {"certain": set(), "possible": set()}
    dist = {}
    for key, (lat, lon) in _capital_coordinates().items():
        d = _km(site.lat, site.lon, lat, lon)
        assert min(abs(d + u - max_km), abs(d - u - max_km)) > 1e-3  # none on a boundary
        dist[key] = d
        if d + u <= max_km:
            want["certain"].add(key)
        elif d - u <= max_km:
            want["possible"].add(key)
    assert want["certain"] and want["possible"]
    for tier, keys in want.items():
        rows = page.tables[f"tiers-capitals-{tier}"]["rows"]
        assert {_capital_key(r) for r in rows} == keys, tier
        for r in rows:
            key = _capital_key(r)
            assert abs(_number(r[2]) - (dist[key] - u)) <= 0.5  # printed to the km
            assert abs(_number(r[3]) - (dist[key] + u)) <= 0.5
            if tier == "certain":
                assert r[4] == "100%"


def test_possible_capitals_probability_is_the_share_of_the_disc(krychaw) -> None:
    """The share of a disc of radius u (30 km) whose points lie within R (5,500 km) of a
    capital d ~ R away from its centre is, to far better than the draws' error, that of
    the circular segment beyond a straight line at a = d - R from the centre:
    (acos(a/u) - (a/u) sqrt(1 - (a/u)^2)) / pi (a < 0: more than half)."""
    site, max_km, _, _, page = krychaw
    u = site.uncertainty_km
    coords = _capital_coordinates()
    rows = page.tables["tiers-capitals-possible"]["rows"]
    for r in rows:
        lat, lon = coords[_capital_key(r)]
        x = (_km(site.lat, site.lon, lat, lon) - max_km) / u  # offset of the line, in radii
        share = (math.acos(x) - x * math.sqrt(1 - x * x)) / math.pi
        sigma = math.sqrt(max(share * (1 - share), 1e-4) / DRAWS)
        assert abs(_number(r[4]) / 100 - share) <= 4 * sigma + 0.005, (r, share)


def test_no_section_without_uncertainty() -> None:
    run = run_scenario(
        Scenario.model_validate({
            "title": "t", "on": "2026-11-25", "population": "places",
            "system": {"catalog": "Oreshnik"}, "sites": {"places": ["Minsk"]},
        })
    )  # fmt: skip
    assert run.tiers is None
    page = parse(render_scenario(run))
    assert "tiers" not in page.sections and "tiers-countries" not in page.tables


# ---- the map ---------------------------------------------------------------------------

# render_map_png's layout: a 10 x 11.6 inch figure; the map axes are 9 x 9 inches,
# 0.5 inch from the left and 1.75 inch from the bottom, spanning +-1.01 view radii.
_FIG_W, _FIG_H, _AX_LEFT, _AX_BOTTOM, _AX_SIZE = 10.0, 11.6, 0.5, 1.75, 9.0


def _pixel(view, lat: float, lon: float, width: int) -> tuple[int, int]:
    tf = Transformer.from_crs(CRS.from_epsg(4326), CRS.from_proj4(view.proj4), always_xy=True)
    x, y = tf.transform(lon, lat)
    dpi = width / _FIG_W
    span = 2.02 * view.radius_km
    px = (_AX_LEFT + _AX_SIZE * (x / span + 0.5)) * dpi
    py = (_FIG_H - _AX_BOTTOM - _AX_SIZE * (y / span + 0.5)) * dpi
    return round(px), round(py)


def _rgb(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _blend(colour: str, under: str, alpha: float) -> np.ndarray:
    return 255 * (alpha * np.array(to_rgb(colour)) + (1 - alpha) * np.array(to_rgb(under)))


def _near(pixels: np.ndarray, colour: np.ndarray, tol: float = 9.0) -> np.ndarray:
    return np.abs(pixels - colour).max(axis=-1) <= tol


def _destination(lat: float, lon: float, az: float, km: float) -> tuple[float, float]:
    g = GEOD.Direct(lat, lon, az, km * 1000.0)
    return g["lat2"], g["lon2"]


WIDTH = 900


def test_map_draws_the_certain_zone_and_the_tier_legend(krychaw) -> None:
    site, max_km, run, _, page = krychaw
    plain = render_map_png(run.result, width_px=WIDTH)
    tiered = render_map_png(run.result, width_px=WIDTH, tiers=run.tiers)
    assert tiered != plain
    # the report embeds the tiered map
    assert embedded_png(page) == render_map_png(run.result, tiers=run.tiers)
    img, ref = _rgb(tiered), _rgb(plain)
    # 1,500 km from Krychaw (north-east, in Russia): d + u is far below the range
    lat, lon = _destination(site.lat, site.lon, 60.0, 1500.0)
    assert _km(site.lat, site.lon, lat, lon) + site.uncertainty_km < max_km
    px, py = _pixel(tiers_view(run.result, run.tiers), lat, lon, WIDTH)
    patch = img[py - 2 : py + 3, px - 2 : px + 3].reshape(-1, 3)
    certain = [_blend(_REACH_FILL, under, _CERTAIN_ALPHA) for under in (_LAND, _OCEAN)]
    assert (_near(patch, certain[0]) | _near(patch, certain[1])).mean() >= 0.8
    plain_patch = ref[py - 2 : py + 3, px - 2 : px + 3].reshape(-1, 3)
    assert (_near(plain_patch, certain[0]) | _near(plain_patch, certain[1])).mean() < 0.1
    # the legend (below the map): the certain swatch and the possible capitals' marker
    strip = img[round((_FIG_H - _AX_BOTTOM) * WIDTH / _FIG_W) :]
    ref_strip = ref[round((_FIG_H - _AX_BOTTOM) * WIDTH / _FIG_W) :]
    swatch = _blend(_REACH_FILL, "white", _CERTAIN_ALPHA)
    marker = _blend(_TIER_STYLE[POSSIBLE].color, "white", 1.0)
    assert _near(strip, swatch, 6).sum() >= 30 and _near(ref_strip, swatch, 6).sum() == 0
    assert _near(strip, marker, 12).sum() >= 4 and _near(ref_strip, marker, 12).sum() == 0


def test_map_draws_the_possible_band() -> None:
    """Minsk known to 200 km, the maximum range only to 3,000-4,000 km: a place 3,500 km
    away is possibly reached (d - u <= 4,000) but not certainly (d + u > 3,000)."""
    minsk = resolve_site("Minsk")
    result = analyze([minsk], parse_range("0-3500 km"))
    tiers = analyze_uncertain(
        [UncertainSite(minsk, radius_km=200.0)],
        UncertainRange(Interval(0, 0), Interval(3000, 4000)),
    )
    img = _rgb(render_map_png(result, width_px=WIDTH, tiers=tiers))
    view = tiers_view(result, tiers)
    assert view.radius_km >= 1.25 * (4000 + 200) + 500  # the whole band is in view
    lat, lon = _destination(minsk.lat, minsk.lon, 30.0, 3500.0)
    d = _km(minsk.lat, minsk.lon, lat, lon)
    assert d - 200 <= 4000 and d + 200 > 3000
    px, py = _pixel(view, lat, lon, WIDTH)
    patch = img[py - 4 : py + 5, px - 4 : px + 5].reshape(-1, 3)
    band = [_blend(_POSSIBLE_FILL, under, _POSSIBLE_ALPHA) for under in (_LAND, _OCEAN)]
    certain = [_blend(_REACH_FILL, under, _CERTAIN_ALPHA) for under in (_LAND, _OCEAN)]
    assert (_near(patch, band[0]) | _near(patch, band[1])).mean() >= 0.4  # between hatches
    assert (_near(patch, certain[0]) | _near(patch, certain[1])).mean() < 0.1

