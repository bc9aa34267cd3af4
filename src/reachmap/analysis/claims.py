"""Claim checks: does "it can cover all of <region>" hold, and with which exceptions.

A claim is judged on a :class:`reachmap.analysis.reach.ReachResult` (who and what is within
reach of the sites) against a region on a date, **in parts**, each holding or failing
on its own:

* **capitals**: every capital of the region reached (by exact distance);
* **territory**: the share of the region's area within reach (all of it, to
  :data:`~reachmap.coverage.places.FULL_SHARE`, for the part to hold);
* **people**: the share of the region's population within reach (likewise);
* **minimum-range hole** (when the range has a minimum): what of the region lies
  too close to every site; the part holds when nothing does.

A region counts what its definition says (:meth:`reachmap.world.regions.Region.describe`):
geographic Europe counts Russia west of the Urals and metropolitan France, measured
on the parts of :mod:`reachmap.world.parts` (on the population grid: the part's cells,
:mod:`reachmap.coverage.cells`; without a grid: the part's polygon inside the
envelope, and the country's population times the share of its GeoNames places'
population in the part). Every verdict prints the definition and what it left out.

The headline:

* **holds**: every part holds;
* **holds with exceptions**: not every part holds, but at least ``threshold``
  (default 90%) of the region's area *and* of its population are reached; every
  exception is listed;
* **does not hold**: otherwise; the headline names the part(s) below the threshold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import shapely

from reachmap.analysis.reach import ReachResult
from reachmap.coverage.places import BEYOND, FULL_SHARE, IN_HOLE, REACHED, reach_points
from reachmap.errors import InputError
from reachmap.geo.geodesy import area_km2

__all__ = [
    "HOLDS",
    "HOLDS_WITH_EXCEPTIONS",
    "NOT_HOLD",
    "RegionLike",
    "Verdict",
    "VerdictPart",
    "check_region",
    "needed_text",
    "region_cells",
    "region_range_needed",
    "verdict_rows",
]

HOLDS = "holds"
HOLDS_WITH_EXCEPTIONS = "holds with exceptions"
NOT_HOLD = "does not hold"


class RegionLike(Protocol):
    """What a claim check needs of a region: a name and its member countries on a date."""

    @property
    def name(self) -> str:
        """Display name, e.g. ``"NATO"``."""

    def members_on(self, on: dt.date) -> list[str]:
        """ISO 3166-1 alpha-2 codes of the member countries on ``on``."""


@dataclass(frozen=True)
class VerdictPart:
    """One part of a verdict: capitals, territory, people or the minimum-range hole.

    Attributes
    ----------
    name : str
        ``"capitals"``, ``"territory"``, ``"people"`` or ``"hole"`` (or ``"cities"``
        for a city list).
    holds : bool
        Whether this part holds on its own.
    share : float
        Share reached (0 to 1): of the capitals, the area or the people; for the hole,
        the share of the region's area inside it.
    summary : str
        One line in words, with the numbers.
    """

    name: str
    holds: bool
    share: float
    summary: str


@dataclass(frozen=True)
class Verdict:
    """The verdict on one claim, with the numbers and every exception.

    Attributes
    ----------
    claim : str
        The claim as worded (e.g. ``"can cover all of Europe"``).
    region : str
        Region name.
    on : datetime.date
        Date of the region's membership used.
    verdict : str
        ``"holds"``, ``"holds with exceptions"`` or ``"does not hold"``.
    area_share, population_share : float
        Share (0 to 1) of the members' area and population within reach (for a city
        list: of the cities, and of their population).
    capitals_reached, capitals_total : int
        Member capitals within reach, and all member capitals.
    exceptions : tuple of str
        One line per member country not fully reached and per capital not reached.
    threshold : float
        Share of area and population needed for "holds with exceptions".
    members : tuple of str
        ISO2 codes of the members on ``on``.
    """

    claim: str
    region: str
    on: dt.date
    verdict: str
    area_share: float
    population_share: float
    capitals_reached: int
    capitals_total: int
    exceptions: tuple[str, ...]
    threshold: float
    members: tuple[str, ...] = field(repr=False)
    unit: str = "countries"  # "cities": area_share is then the share of the cities reached
    definition: str = ""
    parts: tuple[VerdictPart, ...] = ()
    counted: tuple[str, ...] = ()
    decided_by: str = ""

    def __str__(self) -> str:
        if self.unit == "cities":
            numbers = (
                f"{self.capitals_reached} of {self.capitals_total} cities "
                f"({100 * self.population_share:.1f}% of their population) within reach"
            )
        else:
            numbers = (
                f"{100 * self.area_share:.1f}% of the area, {100 * self.population_share:.1f}% "
                f"of the population and {self.capitals_reached} of {self.capitals_total} "
                "capitals within reach"
            )
        head = (
            f"{self.claim!r} ({self.region}, members on {self.on.isoformat()}): {self.verdict}; "
            + numbers
        )
        lines = [head]
        if self.decided_by:
            lines.append(f"  decided by: {self.decided_by}")
        if self.definition:
            lines.append(f"  region: {self.definition}")
        lines.extend(f"  counted: {c}" for c in self.counted)
        lines.extend(
            f"  {p.name}: {'holds' if p.holds else 'fails'} - {p.summary}" for p in self.parts
        )
        lines.extend(f"  - {e}" for e in self.exceptions)
        return "\n".join(lines)


def check_region(
    result: ReachResult,
    region: RegionLike,
    *,
    on: dt.date,
    claim: str | None = None,
    threshold: float = 0.9,
) -> Verdict:
    """Judge "can cover all of <region>" on an analysis.

    Parameters
    ----------
    result : ReachResult
        The reach analysis (sites, range, countries and capitals).
    region : RegionLike
        The region; its members are taken on ``on``.
    on : datetime.date
        Date for the region's membership (e.g. the date of the statement).
    claim : str, optional
        Wording of the claim; defaults to ``"can cover all of <region name>"``.
    threshold : float
        Share of the members' area and population (0 to 1) needed for "holds with
        exceptions".

    Returns
    -------
    Verdict

    Raises
    ------
    InputError
        If the region has no member on that date, or the threshold is not in (0, 1].
    """
    if not 0.0 < threshold <= 1.0:
        raise InputError("threshold", threshold, "a share greater than 0 and at most 1")
    if getattr(region, "kind", None) in ("cities", "capitals"):
        return _check_cities(result, region, on=on, claim=claim, threshold=threshold)
    members = tuple(sorted(set(region.members_on(on))))
    if not members:
        raise InputError("region", region.name, f"a region with members on {on.isoformat()}")
    measured = _measure(result, region, members)
    area = sum(m.area for m in measured)
    area_hit = sum(m.area_reached for m in measured)
    people = sum(m.people for m in measured)
    people_hit = sum(min(m.people_reached, m.people) for m in measured)
    cities = getattr(region, "cities_on", None)
    if cities is not None:
        names = {(str(n), str(c)) for n, c in zip(cities(on).name, cities(on).country, strict=True)}
        caps = [c for c in result.capitals if (c.name, c.country) in names]
    else:
        caps = [c for c in result.capitals if c.country in members]
    caps_hit = [c for c in caps if c.status == REACHED]

    exceptions: list[str] = []
    for m in sorted(measured, key=lambda m: m.name):
        if m.area <= 0 or m.area_reached >= FULL_SHARE * m.area:
            continue
        what = "its area" if m.whole else "its counted part"
        if m.area_reached == 0 and m.in_hole:
            exceptions.append(f"{m.name}: inside the minimum-range hole, nothing of it reached")
        else:
            exceptions.append(
                f"{m.name}: {100 * m.area_reached / m.area:.1f}% of {what} within reach"
            )
    for cap in sorted(caps, key=lambda c: c.nearest_km):
        if cap.status != REACHED:
            exceptions.append(
                f"capital {cap.name} ({cap.country}): {_WHERE[cap.status]}, "
                f"{cap.nearest_km:,.0f} km from {cap.nearest_site}"
            )
    area_share = area_hit / area if area > 0 else 0.0
    pop_share = people_hit / people if people > 0 else 0.0
    parts = [
        VerdictPart(
            "capitals",
            len(caps_hit) == len(caps),
            len(caps_hit) / len(caps) if caps else 1.0,
            f"{len(caps_hit)} of {len(caps)} capitals within reach" + _not_reached(caps),
        ),
        VerdictPart(
            "territory",
            area_share >= FULL_SHARE,
            area_share,
            f"{100 * area_share:.1f}% of {area:,.0f} km² within reach",
        ),
        VerdictPart(
            "people",
            pop_share >= FULL_SHARE,
            pop_share,
            f"{100 * pop_share:.1f}% of {people:,.0f} people within reach "
            f"({result.population_source})",
        ),
    ]
    if result.range.min_km > 0:
        parts.append(_hole_part(result, measured, caps, area, people))
    verdict, decided = _decide_parts(parts, area_share, pop_share, threshold)
    describe = getattr(region, "describe", None)
    return Verdict(
        claim=claim or f"can cover all of {region.name}",
        region=region.name,
        on=on,
        verdict=verdict,
        area_share=area_share,
        population_share=pop_share,
        capitals_reached=len(caps_hit),
        capitals_total=len(caps),
        exceptions=tuple(exceptions),
        threshold=threshold,
        members=members,
        definition=describe(on) if describe is not None else "",
        parts=tuple(parts),
        counted=tuple(
            f"{m.name}: {m.area:,.0f} of {m.whole_area:,.0f} km² (left out: {m.excluded})"
            for m in measured
            if not m.whole
        ),
        decided_by=decided,
    )


@dataclass(frozen=True)
class _Measured:
    """One member as the region counts it: its (part's) area and people, all and reached."""

    iso2: str
    name: str
    whole: bool
    area: float
    area_reached: float
    people: float
    people_reached: float
    in_hole: bool
    whole_area: float = 0.0
    excluded: str = ""
    hole_area: float = 0.0
    hole_people: float = 0.0


def _measure(result: ReachResult, region: Any, members: Sequence[str]) -> list[_Measured]:
    """Measure each member, whole or as the region's cut counts it."""
    parts = region.parts() if hasattr(region, "parts") else {}
    by_iso = {c.iso2: c for c in result.countries if c.iso2}
    hole = _hole_of(result)
    out: list[_Measured] = []
    for iso2 in members:
        row = by_iso.get(iso2)
        if row is None:
            continue
        part = parts.get(iso2)
        if part is None:
            h_area, h_people = hole.whole(iso2, row) if hole is not None else (0.0, 0.0)
            out.append(
                _Measured(
                    iso2, row.name, True, row.area_km2, row.area_reached_km2,
                    float(row.population), float(row.population_reached_estimate),
                    row.status == IN_HOLE, row.area_km2, "", h_area, h_people,
                )
            )  # fmt: skip
            continue
        a, a_hit, p, p_hit = _part_numbers(result, row, part)
        h_area, h_people = hole.part(iso2, row, part) if hole is not None else (0.0, 0.0)
        out.append(
            _Measured(
                iso2, row.name, False, a, a_hit, p, p_hit, a_hit == 0 and h_area > 0,
                part.whole_area_km2, part.excluded, h_area, h_people,
            )
        )  # fmt: skip
    return out


def _country_index(iso2: str) -> int:
    from reachmap.world.tables import load_countries

    return int(load_countries().index_of(iso2))


def _grid_sums(result: ReachResult, cells: Any, iso2: str) -> tuple[float, float]:
    """Area (km²) and people of one country's cells among ``cells``."""
    raster = result.population
    assert raster is not None
    if cells.rows.size == 0:
        return 0.0, 0.0
    k = _country_index(iso2)
    idx, people = raster.interval_sums_by_country(cells.rows, cells.starts, cells.stops)
    idx2, areas = raster.interval_areas_by_country(cells.rows, cells.starts, cells.stops)
    p = float(people[idx == k].sum())
    a = float(areas[idx2 == k].sum())
    return a, p


def _places_share(iso2: str, part: Any, reached_only: bool, result: ReachResult) -> float:
    """Share of a country's GeoNames places' population in the part (and reached)."""
    from reachmap.world.tables import load_places

    places = load_places()
    mine = np.flatnonzero(places.country == iso2)
    pop = places.population[mine].astype(np.float64)
    total = float(pop.sum())
    if total <= 0:
        return 0.0
    inside = part.holds(places.lat[mine], places.lon[mine])
    if reached_only:
        sites = [(s.lat, s.lon) for s in result.sites]
        st = reach_points(
            lat=places.lat[mine], lon=places.lon[mine], sites=sites,
            min_km=result.range.min_km, max_km=result.range.max_km,
        ).status  # fmt: skip
        inside &= st == REACHED
    return float(pop[inside].sum()) / total


def _part_numbers(result: ReachResult, row: Any, part: Any) -> tuple[float, float, float, float]:
    """Area, area reached, people and people reached of one member's counted part."""
    if result.population is not None and result.covered is not None:
        from reachmap.coverage.cells import intersect_intervals, polygon_cells

        cells = polygon_cells(result.population.grid, part.geometry)
        area, people = _grid_sums(result, cells, part.iso2)
        hit = intersect_intervals(cells, result.covered)
        area_hit, people_hit = _grid_sums(result, hit, part.iso2)
        return area, min(area_hit, area), people, people_hit
    env = result.envelope
    area = part.area_km2
    area_hit = (
        min(area_km2(shapely.intersection(part.geometry, env)), area) if not env.is_empty else 0.0
    )
    people = row.population * _places_share(part.iso2, part, False, result)
    people_hit = row.population * _places_share(part.iso2, part, True, result)
    return area, area_hit, people, people_hit


@dataclass(frozen=True)
class _Hole:
    """The minimum-range hole, to measure what of each member lies in it."""

    result: ReachResult
    geometry: Any
    cells: Any

    def whole(self, iso2: str, row: Any) -> tuple[float, float]:
        if self.cells is not None:
            return _grid_sums(self.result, self.cells, iso2)
        geom = self._country(iso2)
        a = area_km2(shapely.intersection(geom, self.geometry))
        share = a / row.area_km2 if row.area_km2 > 0 else 0.0
        return a, row.population * share

    def part(self, iso2: str, row: Any, part: Any) -> tuple[float, float]:
        if self.cells is not None:
            from reachmap.coverage.cells import intersect_intervals, polygon_cells

            cells = polygon_cells(self.result.population.grid, part.geometry)  # type: ignore[union-attr]
            return _grid_sums(self.result, intersect_intervals(cells, self.cells), iso2)
        a = area_km2(shapely.intersection(part.geometry, self.geometry))
        share = a / part.area_km2 if part.area_km2 > 0 else 0.0
        return a, row.population * share

    @staticmethod
    def _country(iso2: str) -> Any:
        from reachmap.world.tables import load_countries

        return load_countries().geometry[_country_index(iso2)]


def _hole_of(result: ReachResult) -> _Hole | None:
    """Return the minimum-range hole: nearer than the minimum to a site, reached from none."""
    lo = result.range.min_km
    if lo <= 0:
        return None
    latlon = [(s.lat, s.lon) for s in result.sites]
    if result.population is not None:
        from reachmap.coverage.cells import subtract_intervals
        from reachmap.coverage.raster import covered_intervals

        inner = covered_intervals(result.population.grid, latlon, min_km=0.0, max_km=lo)
        # the hole: nearer than the minimum to some site and reached from none
        hole = subtract_intervals(inner, result.covered) if result.covered is not None else inner
        return _Hole(result, None, hole)
    from reachmap.geo.envelope import envelope

    inner_geom = envelope(latlon, min_km=0.0, max_km=lo)
    hole_geom = shapely.difference(inner_geom, result.envelope)
    return _Hole(result, hole_geom, None)


def _hole_part(
    result: ReachResult,
    measured: Sequence[_Measured],
    caps: Sequence[Any],
    area: float,
    people: float,
) -> VerdictPart:
    """Say what of the region lies inside the minimum-range hole."""
    h_area = sum(m.hole_area for m in measured)
    h_people = sum(m.hole_people for m in measured)
    inside = [c for c in caps if c.status == IN_HOLE]
    share = h_area / area if area > 0 else 0.0
    names = ", ".join(
        f"{c.name} ({c.nearest_km:,.0f} km)" for c in sorted(inside, key=lambda c: c.nearest_km)
    )
    pop_share = h_people / people if people > 0 else 0.0
    summary = (
        f"nearer than {result.range.min_km:,.0f} km, reached from no site: "
        f"{100 * share:.1f}% of the territory ({h_area:,.0f} km²), {100 * pop_share:.1f}% "
        f"of the people, {len(inside)} capital{'s' if len(inside) != 1 else ''}"
        + (f": {names}" if names else "")
    )
    return VerdictPart("hole", h_area <= 0 and not inside, share, summary)


def _not_reached(caps: Sequence[Any]) -> str:
    missing = [c for c in caps if c.status != REACHED]
    if not missing:
        return ""
    shown = ", ".join(
        f"{c.name} {c.nearest_km:,.0f} km" for c in sorted(missing, key=lambda c: c.nearest_km)[:5]
    )
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    return f"; not reached: {shown}{more}"


def _decide_parts(
    parts: Sequence[VerdictPart], area_share: float, pop_share: float, threshold: float
) -> tuple[str, str]:
    """Return the headline verdict and the part(s) that decide it (module docstring)."""
    if all(p.holds for p in parts):
        return HOLDS, "every part holds"
    below = [
        f"{name} {100 * share:.1f}% < {100 * threshold:.0f}%"
        for name, share in (("territory", area_share), ("people", pop_share))
        if share < threshold
    ]
    if below:
        return NOT_HOLD, "; ".join(below)
    failing = ", ".join(p.name for p in parts if not p.holds)
    return HOLDS_WITH_EXCEPTIONS, (
        f"territory and people at least {100 * threshold:.0f}%; not holding: {failing}"
    )


#: How an exception says where an unreached place lies.
_WHERE = {IN_HOLE: "inside the minimum-range hole", BEYOND: "beyond maximum range"}


def _decide(exceptions: Sequence[str], share: float, pop_share: float, threshold: float) -> str:
    """Apply the verdict rule of the module docstring."""
    if not exceptions:
        return HOLDS
    if share >= threshold and pop_share >= threshold:
        return HOLDS_WITH_EXCEPTIONS
    return NOT_HOLD


def _check_cities(
    result: ReachResult, region: Any, *, on: dt.date, claim: str | None, threshold: float
) -> Verdict:
    """Judge a city-list region by its cities, each by exact distance."""
    cities = region.cities_on(on)
    if len(cities) == 0:
        raise InputError("region", region.name, f"a region with cities on {on.isoformat()}")
    sites = [(s.lat, s.lon) for s in result.sites]
    reach = reach_points(
        lat=cities.lat, lon=cities.lon, sites=sites, min_km=result.range.min_km,
        max_km=result.range.max_km, with_distance=True,
    )  # fmt: skip
    assert reach.nearest_km is not None and reach.nearest_site is not None
    exceptions = []
    for i in np.argsort(reach.nearest_km, kind="stable"):
        status = str(reach.status[i])
        if status == REACHED:
            continue
        exceptions.append(
            f"{cities.name[i]} ({cities.country[i]}): {_WHERE[status]}, "
            f"{reach.nearest_km[i]:,.0f} km from {result.sites[int(reach.nearest_site[i])].label}"
        )
    hit = reach.status == REACHED
    share = float(hit.mean())
    people = float(cities.population.sum())
    pop_share = float(cities.population[hit].sum()) / people if people > 0 else share
    verdict = _decide(exceptions, share, pop_share, threshold)
    return Verdict(
        claim=claim or f"can cover all of {region.name}",
        region=region.name,
        on=on,
        verdict=verdict,
        area_share=share,
        population_share=pop_share,
        capitals_reached=int(hit.sum()),
        capitals_total=len(cities),
        exceptions=tuple(exceptions),
        threshold=threshold,
        members=tuple(sorted({str(c) for c in cities.country})),
        unit="cities",
        definition=region.describe(on) if hasattr(region, "describe") else "",
        parts=(
            VerdictPart(
                "cities",
                bool(hit.all()),
                share,
                f"{int(hit.sum())} of {len(cities)} within reach, by exact distance",
            ),
        ),
        decided_by="every city reached"
        if hit.all()
        else (f"{len(cities) - int(hit.sum())} of {len(cities)} not reached"),
    )


def region_cells(raster: Any, region: Any, on: dt.date) -> Any:
    """Return the cells of a region on a population grid: members whole, or their parts.

    Parameters
    ----------
    raster : PopulationRaster
        A grid that knows its countries' cells (``country_runs``: the bundled grids).
    region : Region
        The region.
    on : datetime.date
        Date of its membership.

    Returns
    -------
    RowIntervals
    """
    from reachmap.coverage.cells import intersect_intervals, merge_intervals, polygon_cells
    from reachmap.coverage.raster import RowIntervals
    from reachmap.world.tables import load_countries

    runs = getattr(raster, "country_runs", None)
    if runs is None:
        raise InputError(
            "population", raster.description, "a bundled grid (default or default-2.5m)"
        )
    countries = load_countries()
    parts = region.parts()
    whole, pieces = [], []
    for iso2 in region.members_on(on):
        k = countries.index_of(iso2)
        pick = runs.country == k
        cells = RowIntervals(
            runs.rows[pick].astype(np.int64),
            runs.starts[pick].astype(np.int64),
            runs.stops[pick].astype(np.int64),
        )
        if iso2 in parts:
            pieces.append(
                intersect_intervals(cells, polygon_cells(raster.grid, parts[iso2].geometry))
            )
        else:
            whole.append(cells)
    every = [*whole, *pieces]
    return merge_intervals(
        RowIntervals(
            np.concatenate([c.rows for c in every]) if every else np.zeros(0, np.int64),
            np.concatenate([c.starts for c in every]) if every else np.zeros(0, np.int64),
            np.concatenate([c.stops for c in every]) if every else np.zeros(0, np.int64),
        )
    )


def region_range_needed(result: ReachResult, region: Any, *, on: dt.date, raster: Any) -> Any:
    """Return the smallest maximum range that reaches the region's capitals, land and people.

    From the analysis's sites, on ``raster`` (a bundled grid), with the analysis's
    minimum range for the hole (see :mod:`reachmap.analysis.needed`).

    Returns
    -------
    RangeNeeded
    """
    from reachmap.analysis.needed import range_needed

    caps = region.cities_on(on)
    return range_needed(
        raster=raster,
        sites=[(s.lat, s.lon) for s in result.sites],
        site_labels=[s.label for s in result.sites],
        region_cells=region_cells(raster, region, on),
        capitals=[
            (str(n), float(a), float(b))
            for n, a, b in zip(caps.name, caps.lat, caps.lon, strict=True)
        ],
        min_km=result.range.min_km,
    )


def needed_text(need: Any) -> list[str]:
    """Say, in lines, what range the claim needs (for the CLI and reports)."""
    from reachmap.world.tables import load_countries

    out = []
    if need.capitals_km is not None:
        out.append(
            f"all its capitals need {need.capitals_km:,.0f} km from {need.capital_site} "
            f"({need.capital} decides it)"
        )
    if need.territory_km is not None and need.territory_at is not None:
        lat, lon = need.territory_at
        k = need.territory_country
        where = f" in {load_countries().name[k]}" if k is not None and k >= 0 else ""
        out.append(
            f"all its territory needs {need.territory_km:,.0f} km (the farthest cell, "
            f"{lat:.2f}, {lon:.2f}{where})"
        )
    if need.people_km is not None:
        out.append(f"{100 * need.people_share:.0f}% of its people need {need.people_km:,.0f} km")
    if need.hole is not None and (need.hole.cells or need.hole.capitals):
        caps = ", ".join(f"{n} ({km:,.0f} km)" for n, km in need.hole.capitals)
        out.append(
            f"inside the {need.hole.min_km:,.0f} km minimum: {need.hole.area_km2:,.0f} km², "
            f"{need.hole.people:,.0f} people" + (f", capitals {caps}" if caps else "")
        )
    out.append(f"on {need.grid}")
    return out


def verdict_rows(verdicts: Sequence[Verdict]) -> list[dict[str, object]]:
    """Turn verdicts into plain dicts (for JSON and tables)."""
    return [
        {
            "claim": v.claim,
            "region": v.region,
            "on": v.on.isoformat(),
            "verdict": v.verdict,
            "area_share": round(v.area_share, 6),
            "population_share": round(v.population_share, 6),
            "capitals_reached": v.capitals_reached,
            "capitals_total": v.capitals_total,
            "threshold": v.threshold,
            "exceptions": list(v.exceptions),
            "definition": v.definition,
            "decided_by": v.decided_by,
            "parts": [
                {"name": p.name, "holds": p.holds, "share": round(p.share, 6), "summary": p.summary}
                for p in v.parts
            ],
            "counted": list(v.counted),
        }
        for v in verdicts
    ]
