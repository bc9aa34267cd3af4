"""The "Reach under uncertainty" part of a report: its section, its map view and words.

A report of an analysis whose sites or range are known only roughly (see
:mod:`reachmap.analysis.uncertainty` and
:func:`reachmap.analysis.probability.analyze_uncertain`) adds a
section that states the uncertainty (each site's disc or polygon, the range's
intervals, the draws and their seed), the totals certainly and possibly reached, a
table of countries by tier and of capitals by tier, with the Monte Carlo
probabilities when there are draws, and how all of it was computed. Probabilities
are labelled everywhere as what they are: shares of seeded draws of the *stated*
uncertainty, not the chance of anything in the world.

The static map (:func:`reachmap.report.staticmap.render_map_png`) draws the two envelopes
in the view of :func:`tiers_view`, which also holds the widest possible reach.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING

from reachmap.analysis.reach import ReachResult
from reachmap.analysis.uncertainty import (
    CERTAIN,
    POSSIBLE,
    UNREACHABLE,
    UncertainRange,
    UncertainSite,
)
from reachmap.geo.geodesy import distance_km
from reachmap.report.mapview import MapView, map_view, view_radius_km
from reachmap.report.sections import ReportSection, html_table

if TYPE_CHECKING:
    from reachmap.analysis.probability import CountryTier, PlaceTier, UncertainResult

__all__ = ["TITLE", "map_alt_text", "range_text", "tiers_section", "tiers_view"]

#: Heading of the section.
TITLE = "Reach under uncertainty"

_NOT_THE_WORLD = (
    "they are probabilities under the uncertainty stated here, not of anything in the world"
)


def tiers_view(result: ReachResult, tiers: UncertainResult) -> MapView:
    """Return the map view of an analysis, widened to hold the whole possible reach.

    Parameters
    ----------
    result : ReachResult
        The analysis drawn (its sites centre the map, as :func:`map_view` says).
    tiers : UncertainResult
        The reach under uncertainty.

    Returns
    -------
    MapView
        :func:`map_view`'s centre; its radius, or :func:`view_radius_km` of the widest
        admissible maximum range plus the largest site radius, whichever is larger.
    """
    view = map_view(result)
    offset = max(
        float(distance_km(lat1=view.lat, lon1=view.lon, lat2=s.site.lat, lon2=s.site.lon))
        for s in tiers.sites
    )
    reach = tiers.range.best[1] + max(s.radius_km for s in tiers.sites)
    radius = max(view.radius_km, view_radius_km(reach, offset))
    return dataclasses.replace(view, radius_km=radius)


def range_text(rng: UncertainRange) -> str:
    """Say how an uncertain range was given, or else its two ends.

    Examples
    --------
    >>> from reachmap.analysis.uncertainty import Interval
    >>> range_text(UncertainRange(Interval(0, 0), Interval(4500, 5000)))
    'up to 4,500–5,000 km'
    >>> range_text(UncertainRange(Interval(300, 700), Interval(3000, 4000)))
    'from 300–700 km to 3,000–4,000 km'
    """
    if rng.text:
        return rng.text
    if rng.min.hi_km == 0:
        return f"up to {rng.max.text()}"
    return f"from {rng.min.text()} to {rng.max.text()}"


def _span(lo: float, hi: float) -> str:
    return f"up to {_km(hi)} km" if lo == 0 else f"{_km(lo)}–{_km(hi)} km"


def map_alt_text(tiers: UncertainResult) -> str:
    """Describe the tier layers of the map, for its ``alt`` text."""
    n = {t: len(tiers.capitals_in(t)) for t in (CERTAIN, POSSIBLE)}
    return (
        "Under the stated uncertainty the area certainly within range is shaded solid and "
        "the band possibly within range is lighter and hatched; national capitals are "
        f"marked by tier ({n[CERTAIN]} certainly reached, {n[POSSIBLE]} possibly reached)."
    )


# --------------------------------------------------------------------------- formatting


def _int(n: float) -> str:
    return f"{round(n):,}"


def _km(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}"


def _prob(p: float) -> str:
    """Format a share of draws as a percentage; one strictly between never shows 0 or 100%.

    Examples
    --------
    >>> [_prob(x) for x in (0.0, 0.0004, 0.485, 0.9996, 1.0, math.nan)]
    ['0%', '<0.1%', '48.5%', '>99.9%', '100%', '—']
    """
    if math.isnan(p):
        return "—"
    if p in (0.0, 1.0):
        return f"{100 * p:.0f}%"
    pct = 100.0 * p
    if pct < 0.1:
        return "<0.1%"
    if pct >= 99.95:
        return ">99.9%"
    return f"{pct:.1f}%"


def _deg(lat: float, lon: float) -> str:
    return f"{abs(lat):.4f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.4f}° {'E' if lon >= 0 else 'W'}"


def _where(s: UncertainSite) -> str:
    if s.polygon is not None:
        vertices = "; ".join(f"{la:g}, {lo:g}" for la, lo in s.polygon)
        return (
            f"somewhere in a polygon of {len(s.polygon)} vertices (lat, lon: {vertices}); "
            f"its centre is its centroid, at most {s.radius_km:,.1f} km from any of it"
        )
    if s.radius_km > 0:
        return f"somewhere within {s.radius_km:g} km of the centre (a disc)"
    return "at the centre (exact)"


# --------------------------------------------------------------------------- section


def _stated(tiers: UncertainResult) -> str:

    sites = html_table(
        ["Site", "Centre (WGS84)", "Where it may be"],
        [[s.site.label, _deg(s.site.lat, s.site.lon), _where(s)] for s in tiers.sites],
        table_id="tiers-sites",
    )
    rng = tiers.range
    min_lo, max_hi = rng.best
    min_hi, max_lo = rng.worst
    draws = (
        f"{tiers.draws:,} (seed {tiers.seed})"
        if tiers.draws
        else "none: tiers only, no probabilities"
    )
    rows = [
        ["Range as stated", range_text(rng)],
        ["Minimum range", "none" if rng.min.hi_km == 0 else rng.min.text()],
        ["Maximum range", rng.max.text()],
        ["Narrowest admissible range (certain)", _span(min_hi, max_lo)],
        ["Widest admissible range (possible)", _span(min_lo, max_hi)],
        ["Monte Carlo draws", draws],
        ["Population", tiers.population_source],
    ]
    return sites + "\n" + html_table(["", "Value"], rows, table_id="tiers-range")


def _totals(tiers: UncertainResult) -> str:

    rows = [
        ["GeoNames places", _int(tiers.places_certain),
         _int(tiers.places_possible - tiers.places_certain), _int(tiers.places_possible)],
        ["People", _int(tiers.population_certain),
         _int(tiers.population_possible - tiers.population_certain),
         _int(tiers.population_possible)],
    ]  # fmt: skip
    out = html_table(
        ["", "Certainly reached", "Possibly, not certainly", "Certainly or possibly"],
        rows,
        numeric=[1, 2, 3],
        caption=f"People: {tiers.population_source}.",
        table_id="tiers-totals",
    )
    if tiers.draws and not math.isnan(tiers.population_mean):
        out += (
            f"\n<p>People reached over the {tiers.draws:,} draws (seed {tiers.seed}): mean "
            f"{_int(tiers.population_mean)}; 5–95% interval {_int(tiers.population_p05)} to "
            f"{_int(tiers.population_p95)}. These figures describe the stated uncertainty, "
            "not the world.</p>"
        )
    return out


def _countries(tiers: UncertainResult) -> str:

    rows_in = [*tiers.countries_in(CERTAIN), *tiers.countries_in(POSSIBLE)]
    if not rows_in:
        return '<p class="none">No country is possibly reached.</p>'
    probs = tiers.draws > 0

    def row(c: CountryTier) -> list[str]:
        cells = [c.name, c.iso2 or "—", c.tier, "yes" if c.certain_full else "no",
                 _int(c.certain_population), _int(c.possible_population)]  # fmt: skip
        if probs:
            cells += [_prob(c.probability_reached), _prob(c.probability_full)]
        return cells

    headers = ["Country", "ISO code", "Tier", "Certainly reached in full",
               "People certainly reached", "People possibly reached"]  # fmt: skip
    caption = (
        "Certain: some of its people are reached from every admissible site and range; "
        "possible: only from some. People possibly reached include those certainly "
        f"reached. Population: {tiers.population_source}."
    )
    if probs:
        headers += ["P(reached)", "P(fully covered)"]
        caption += (
            f" P(reached), P(fully covered): share of the {tiers.draws:,} seeded draws (seed "
            f"{tiers.seed}) in which any of its people / all of them (99.99%) are reached; "
            f"{_NOT_THE_WORLD}."
        )
    return html_table(
        headers, [row(c) for c in rows_in], numeric=[4, 5, 6, 7][: 2 + 2 * probs],
        caption=caption, table_id="tiers-countries",
    )  # fmt: skip


def _capitals(tiers: UncertainResult) -> str:

    names = {c.iso2: c.name for c in tiers.countries if c.iso2}
    probs = tiers.draws > 0
    headers = ["Capital", "Country", "Least distance (km)", "Greatest distance (km)"]
    caption = (
        "Least and greatest distance from the nearest site's disc or polygon, geodesic on "
        "WGS84 (for a disc of radius u whose centre is d away: d − u and d + u)."
    )
    if probs:
        headers.append("P(reached)")
        caption += (
            f" P(reached): share of the {tiers.draws:,} seeded draws in which it is "
            f"reached; {_NOT_THE_WORLD}."
        )

    def row(c: PlaceTier) -> list[str]:
        country = f"{names[c.country]} ({c.country})" if c.country in names else c.country
        cells = [c.name, country, _km(c.min_km), _km(c.max_km)]
        return [*cells, _prob(c.probability)] if probs else cells

    parts = []
    for tier, title in ((CERTAIN, "Certainly reached"), (POSSIBLE, "Possibly reached")):
        caps = tiers.capitals_in(tier)
        parts.append(f"<h3>Capitals {title.lower()} ({len(caps)})</h3>")
        parts.append(
            html_table(headers, [row(c) for c in caps], numeric=[2, 3, 4][: 2 + probs],
                       caption=caption, table_id=f"tiers-capitals-{tier}")
            if caps
            else '<p class="none">None.</p>'
        )  # fmt: skip
    n_out = len(tiers.capitals_in(UNREACHABLE))
    parts.append(
        f"<p>{n_out:,} national capitals are unreachable: reached from no admissible site "
        "with no admissible range.</p>"
    )
    return "\n".join(parts)


def tiers_section(tiers: UncertainResult) -> ReportSection:
    """Build the report section "Reach under uncertainty".

    Parameters
    ----------
    tiers : UncertainResult
        See :func:`reachmap.analysis.probability.analyze_uncertain`.

    Returns
    -------
    ReportSection
        The uncertainty stated, the totals, the countries and the capitals by tier
        (with probabilities when there were draws) and the method; every text escaped.

    Examples
    --------
    >>> from reachmap.analysis.probability import analyze_uncertain
    >>> from reachmap.analysis.reach import resolve_site
    >>> from reachmap.analysis.uncertainty import Interval, UncertainRange
    >>> t = analyze_uncertain([UncertainSite(resolve_site("Minsk"), radius_km=50.0)],
    ...                       UncertainRange(Interval(0, 0), Interval(600, 700)))
    >>> s = tiers_section(t)
    >>> s.title, 'id="tiers-capitals-possible"' in s.html
    ('Reach under uncertainty', True)
    """
    from reachmap.analysis.probability import METHOD

    lead = (
        "The sites, the range or both are known only roughly. Every place and country "
        "falls in one of three tiers: certain, reached from every position each site may "
        "have with every admissible range; possible, reached from some; unreachable, from "
        "none. The other sections of this report use the sites' centres and the published "
        "range."
    )
    if tiers.draws:
        lead += (
            f"\n\nProbabilities (P) are shares of {tiers.draws:,} seeded Monte Carlo draws "
            f"(seed {tiers.seed}) of the sites and the range within the stated uncertainty: "
            f"{_NOT_THE_WORLD}. A share from {tiers.draws:,} draws has a standard error of "
            f"at most {50 / math.sqrt(tiers.draws):.1f} percentage points."
        )
    method = METHOD
    if any(s.polygon is not None for s in tiers.sites):
        method += (
            " The population tiers treat a polygon as the smallest disc about its centroid "
            "that holds it (sound, and looser)."
        )
    body = [
        ReportSection.from_text(TITLE, lead).html,
        "<h3>The uncertainty stated</h3>",
        _stated(tiers),
        "<h3>Totals</h3>",
        _totals(tiers),
        "<h3>Countries by tier</h3>",
        _countries(tiers),
        _capitals(tiers),
        "<h3>Method</h3>",
        ReportSection.from_text(TITLE, method).html,
    ]
    return ReportSection(TITLE, "\n".join(body))
