"""Claim checks: does "it can cover all of <region>" hold, and with which exceptions.

A claim is judged on a :class:`reachmap.analysis.reach.ReachResult` (who and what is within
reach of the sites) against a region's members on a date:

* **holds**: every member country is fully reached and every member capital is
  reached;
* **holds with exceptions**: not everything is reached, but at least ``threshold``
  (default 90%) of the region's area *and* of its population are; every exception
  is listed;
* **does not hold**: otherwise.

Exceptions name each member country not fully reached (with its share) and each
member capital not reached, saying whether it lies inside the minimum-range hole
(too close) or beyond the maximum range, with its distance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from reachmap.analysis.reach import ReachResult
from reachmap.coverage.places import BEYOND, IN_HOLE, REACHED, reach_points
from reachmap.errors import InputError

__all__ = [
    "HOLDS",
    "HOLDS_WITH_EXCEPTIONS",
    "NOT_HOLD",
    "RegionLike",
    "Verdict",
    "check_region",
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
        if not self.exceptions:
            return head
        return head + "\n" + "\n".join(f"  - {e}" for e in self.exceptions)


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
    if getattr(region, "kind", None) == "cities":
        return _check_cities(result, region, on=on, claim=claim, threshold=threshold)
    members = tuple(sorted(set(region.members_on(on))))
    if not members:
        raise InputError("region", region.name, f"a region with members on {on.isoformat()}")
    rows = [c for c in result.countries if c.iso2 in members]
    area = sum(c.area_km2 for c in rows)
    area_hit = sum(c.area_reached_km2 for c in rows)
    people = sum(c.population for c in rows)
    people_hit = sum(min(c.population_reached_estimate, c.population) for c in rows)
    caps = [c for c in result.capitals if c.country in members]
    caps_hit = [c for c in caps if c.status == REACHED]

    exceptions: list[str] = []
    for c in sorted(rows, key=lambda c: c.name):
        if c.status == "full":
            continue
        if c.status == IN_HOLE:
            exceptions.append(f"{c.name}: inside the minimum-range hole, nothing of it reached")
        else:
            exceptions.append(f"{c.name}: {100 * c.area_share:.1f}% of its area within reach")
    for cap in sorted(caps, key=lambda c: c.nearest_km):
        if cap.status != REACHED:
            exceptions.append(
                f"capital {cap.name} ({cap.country}): {_WHERE[cap.status]}, "
                f"{cap.nearest_km:,.0f} km from {cap.nearest_site}"
            )
    area_share = area_hit / area if area > 0 else 0.0
    pop_share = people_hit / people if people > 0 else 0.0
    verdict = _decide(exceptions, area_share, pop_share, threshold)
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
    )


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
        }
        for v in verdicts
    ]
