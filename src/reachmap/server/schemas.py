"""Request and response models of the HTTP API (they make its OpenAPI schema).

Requests forbid unknown fields and carry the server's limits as constraints, so
that a bad request is a 422 naming its field before anything is computed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reachmap.analysis.scenario import IsoDate
from reachmap.geo.geodesy import MAX_RADIUS_KM

__all__ = [
    "DRAW_BUDGET",
    "MAX_BODY_BYTES",
    "MAX_DRAWS",
    "MAX_SITES",
    "CheckRequest",
    "CheckResponse",
    "ClassifyRequest",
    "ClassifyResponse",
    "ErrorBody",
    "IngestRequest",
    "IngestResponse",
    "ReachRequest",
    "ReachResponse",
    "SiteIn",
    "TiersRequest",
    "TiersResponse",
]

#: Most sites one request may name.
MAX_SITES = 100
#: Largest request body accepted, in bytes.
MAX_BODY_BYTES = 1_000_000
#: Most Monte Carlo draws one request may ask for.
MAX_DRAWS = 2000
#: Most draws x sites one request may ask for, by population source: one request stays
#: around ten seconds on one core (measured: about 1.5 ms per site and draw on the
#: places, 12 ms on the 2.5' grid, 45 ms on the 30" grid).
DRAW_BUDGET = {"places": 5000, "default-2.5m": 800, "default": 200}
#: Largest site radius, in kilometres (as the catalog's ``uncertainty_km``).
MAX_SITE_RADIUS_KM = 1000.0

Population = Literal["places", "default", "default-2.5m"]


Basing = Literal["ground", "sea", "air"]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, populate_by_name=True)


class SiteIn(_In):
    """A site: exactly one of ``place``, ``lat`` + ``lon``, or ``deployment``."""

    place: ShortText | None = Field(
        default=None, description="A place name ('Minsk', 'Paris, FR') or 'lat,lon'."
    )
    lat: Annotated[float, Field(ge=-90.0, le=90.0)] | None = None
    lon: Annotated[float, Field(ge=-180.0, le=180.0)] | None = None
    name: Annotated[str, Field(max_length=200)] | None = Field(
        default=None, description="A label for a lat/lon site."
    )
    deployment: ShortText | None = Field(default=None, description="A catalog deployment id.")

    @model_validator(mode="after")
    def _exactly_one(self) -> SiteIn:
        given = [self.place is not None, self.lat is not None or self.lon is not None]
        given.append(self.deployment is not None)
        if sum(given) != 1:
            raise ValueError("give exactly one of 'place', 'lat' and 'lon', or 'deployment'")
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both 'lat' and 'lon'")
        if self.name is not None and self.lat is None:
            raise ValueError("'name' labels a lat/lon site only")
        return self


def _system_or_range(system: str | None, range_: str | None) -> None:
    if system is None and range_ is None:
        raise ValueError("give a catalog 'system', a 'range' as published, or both")


class ReachRequest(_In):
    """What to compute: sites, and a catalog system or a published range (or both)."""

    sites: Annotated[list[SiteIn], Field(min_length=1, max_length=MAX_SITES)]
    system: ShortText | None = Field(default=None, description="Catalog name, alias or id.")
    range: ShortText | None = Field(
        default=None,
        description="Range as published ('500-5500 km', '310 to 3,400 miles'); "
        "overrides the system's range.",
    )
    population: Population = "places"

    @model_validator(mode="after")
    def _needs_range(self) -> ReachRequest:
        _system_or_range(self.system, self.range)
        return self


class TiersRequest(ReachRequest):
    """A reach analysis under uncertainty: tiers and Monte Carlo probabilities.

    Sites are known to a radius, the maximum range to an interval; places and countries
    are certainly, possibly or not reached.
    """

    site_uncertainty_km: Annotated[float, Field(ge=0.0, le=MAX_SITE_RADIUS_KM)] | None = Field(
        default=None,
        description="Radius, in km, of the disc every site lies in. Absent: catalog "
        "deployments take their site's uncertainty_km, places and points are exact.",
    )
    max_range: ShortText | None = Field(
        default=None,
        description="Interval of the maximum range ('4,500-5,500 km', '3,400 miles'); "
        "replaces the maximum of the system or range.",
    )
    max_range_mode: ShortText | None = Field(
        default=None,
        description="Most likely maximum range (one figure, within max_range): the draws "
        "are then triangular, else uniform.",
    )
    draws: Annotated[int, Field(ge=0, le=MAX_DRAWS)] = Field(
        default=200, description="Monte Carlo draws (0: tiers only, no probabilities)."
    )
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = Field(
        default=0, description="Seed of the draws: the same seed gives the same numbers."
    )


class ClassifyRequest(_In):
    """A catalog system or a published range, to classify under the regimes."""

    system: ShortText | None = None
    range: ShortText | None = None
    basing: Basing | None = Field(default=None, description="Default: the system's first.")
    system_class: Literal["ballistic", "cruise", "hypersonic glide"] | None = Field(
        default=None, alias="class"
    )
    payload_kg: Annotated[float, Field(ge=0.0, le=1e6)] | None = None
    max_estimates: bool = Field(
        default=False,
        description="The range text is a spread of estimates of the maximum, not a min-max.",
    )
    on: IsoDate | None = Field(default=None, description="Date of the question (default today).")

    @model_validator(mode="after")
    def _one_of(self) -> ClassifyRequest:
        if (self.system is None) == (self.range is None):
            raise ValueError("give exactly one of a catalog 'system' or a 'range'")
        if self.range is not None and self.basing is None:
            raise ValueError("a 'range' needs a 'basing' (ground, sea or air)")
        return self


class CheckRequest(_In):
    """A claim "can cover all of <region>" for sites and a system or range."""

    region: ShortText = Field(description="Region id or name (europe, nato, eu, a country).")
    sites: Annotated[list[SiteIn], Field(min_length=1, max_length=MAX_SITES)]
    system: ShortText | None = None
    range: ShortText | None = None
    on: IsoDate | None = None
    population: Population = "places"
    threshold: Annotated[float, Field(gt=0.0, le=1.0)] = 0.9
    claim: Annotated[str, Field(max_length=500)] = "can cover all of the region"

    @model_validator(mode="after")
    def _needs_range(self) -> CheckRequest:
        _system_or_range(self.system, self.range)
        return self


class IngestRequest(_In):
    """An article, as plain text."""

    # 80,000 characters: even escaped as \uXXXX pairs in JSON, the body stays under 1 MB
    text: Annotated[str, Field(max_length=80_000, description="The article (plain text).")]
    on: IsoDate | None = Field(default=None, description="Date for region memberships.")
    source: Annotated[str, Field(max_length=200)] = "article"


# ---- responses -------------------------------------------------------------------


class ErrorDetail(BaseModel):
    """One error: the HTTP status, the field at fault and what it allows."""

    status: int
    field: str | None
    message: str
    allowed: str | None = None


class ErrorBody(BaseModel):
    """The one shape of every error response."""

    error: ErrorDetail


class RangeOut(BaseModel):
    """The range used, in kilometres."""

    text: str
    min_km: float
    max_km: float = Field(le=MAX_RADIUS_KM)
    boundary_tolerance_km: float


class SiteOut(BaseModel):
    """A resolved site."""

    name: str
    lat: float
    lon: float
    country: str
    label: str


class Totals(BaseModel):
    """Headline numbers of a reach analysis."""

    countries_full: int
    countries_partial: int
    countries_inside_min_range: int
    capitals_reached: int
    capitals_inside_min_range: int
    capitals_beyond_max_range: int
    places_count: int
    places_reached: int
    places_population_reached: int
    population_reached_estimate: int
    world_population: int
    population_source: str


class CountryOut(BaseModel):
    """A country with some of its area or people within reach."""

    iso2: str
    iso3: str
    name: str
    continent: str
    status: str
    area_km2: float
    area_reached_km2: float
    area_share: float
    population: int
    places_population: int
    places_population_reached: int
    population_reached_estimate: int


class CapitalOut(BaseModel):
    """A capital, its status and distance from the nearest site."""

    name: str
    country: str
    lat: float
    lon: float
    population: int
    status: str
    nearest_km: float
    nearest_site: str


class PlaceOut(BaseModel):
    """One of the most populous places reached."""

    name: str
    country: str
    lat: float
    lon: float
    population: int
    nearest_km: float
    nearest_site: str


class SourceOut(BaseModel):
    """A catalog source."""

    id: str
    publisher: str
    title: str
    date: str
    url: str | None = None


class SystemRangeOut(BaseModel):
    """A system's published range, as the catalog records it."""

    text: str
    meaning: str
    status: str
    min_km: float
    max_km: float
    sources: list[SourceOut]


class SystemOut(BaseModel):
    """A catalog system with its sourced range."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    name: str
    aliases: list[str]
    owner: str
    system_class: str = Field(alias="class")
    basing: list[str]
    status: str
    range: SystemRangeOut
    deployments: list[str]


class ReachResponse(BaseModel):
    """A reach analysis (``ReachResult.to_dict()``), the system used and the envelope."""

    range: RangeOut
    sites: list[SiteOut]
    totals: Totals
    countries: list[CountryOut]
    capitals: list[CapitalOut]
    places: list[PlaceOut]
    assumptions: list[str]
    data: str
    system: SystemOut | None
    envelope: dict[str, Any] = Field(description="GeoJSON Feature (MultiPolygon, RFC 7946).")


Tier = Literal["certain", "possible", "unreachable"]


class UncertainSiteOut(BaseModel):
    """A site as a disc (centre and radius) or a polygon."""

    label: str
    lat: float
    lon: float
    radius_km: float
    polygon: list[list[float]] | None


class UncertainRangeOut(BaseModel):
    """The range's ends as intervals ``[low, high]``, in kilometres."""

    text: str
    min_km: list[float]
    max_km: list[float]
    max_mode_km: float | None


class TierTotals(BaseModel):
    """Places and people certainly and possibly reached (possible includes certain)."""

    places_certain: int
    places_possible: int
    population_certain: int
    population_possible: int
    population_mean: float | None
    population_p05: float | None
    population_p95: float | None


class CountryTierOut(BaseModel):
    """A country's tier, its people certainly and possibly reached, its probabilities."""

    iso2: str
    name: str
    population: int
    certain_population: int
    possible_population: int
    tier: Tier
    certain_full: bool
    probability_reached: float | None
    probability_full: float | None
    population_mean: float | None
    population_p05: float | None
    population_p95: float | None


class PlaceTierOut(BaseModel):
    """A place's tier, distance bounds from the nearest site, and probability."""

    name: str
    country: str
    lat: float
    lon: float
    population: int
    tier: Tier
    min_km: float
    max_km: float
    probability: float | None


class TiersResponse(BaseModel):
    """``UncertainResult.to_dict()``, the system used, and the two envelopes."""

    sites: list[UncertainSiteOut]
    range: UncertainRangeOut
    draws: int
    seed: int | None
    population_source: str
    totals: TierTotals
    countries: list[CountryTierOut]
    capitals: list[PlaceTierOut]
    places: list[PlaceTierOut]
    method: str
    system: SystemOut | None
    certain_envelope: dict[str, Any] = Field(
        description="GeoJSON geometry (MultiPolygon, RFC 7946): reached for every "
        "admissible site and range."
    )
    possible_envelope: dict[str, Any] = Field(
        description="GeoJSON geometry (MultiPolygon, RFC 7946): reached for some."
    )


class FindingOut(BaseModel):
    """What one regime says about the range."""

    regime_id: str
    regime: str
    kind: str
    verdict: str
    bands: list[str]
    edges_km: list[float]
    reason: str
    range_km: list[float]
    on: dt.date
    in_force: bool
    in_force_from: dt.date
    in_force_until: dt.date | None
    until_status: str | None


class ClassifyResponse(BaseModel):
    """Regime findings for a range capability."""

    subject: str
    range_km: list[float]
    capability_km: list[float]
    basing: str
    system_class: str | None
    on: dt.date
    findings: list[FindingOut]


class VerdictPartOut(BaseModel):
    """One part of a verdict, holding or failing on its own."""

    name: str
    holds: bool
    share: float
    summary: str


class CheckResponse(BaseModel):
    """The verdict on a claim, with its numbers and every exception."""

    claim: str
    region: str
    on: dt.date
    verdict: str
    area_share: float
    population_share: float
    capitals_reached: int
    capitals_total: int
    exceptions: list[str]
    threshold: float
    unit: str
    text: str
    definition: str = Field(description="What the region counts, one line.")
    decided_by: str = Field(description="The part(s) that decide the headline.")
    parts: list[VerdictPartOut] = Field(
        description="capitals, territory, people and (with a minimum range) the hole"
    )
    counted: list[str] = Field(description="Members counted in part, and what was left out.")
    range_needed: dict[str, Any] | None = Field(
        default=None,
        description="The smallest maximum range that reaches the region's capitals, territory "
        "and 99% of its people from these sites (on the population grid used, or the bundled "
        "2.5′ grid), and what lies inside the minimum range; null for a city list.",
    )


class ExtractionOut(BaseModel):
    """One thing the article states, with its character offsets."""

    kind: str
    text: str
    start: int
    end: int
    sentence: str
    sentence_start: int
    sentence_end: int
    value: dict[str, Any]
    numbers: list[float]


class IngestResponse(BaseModel):
    """What an article states, the review file, and the claims checked."""

    nothing_found: bool
    extractions: list[ExtractionOut]
    checks: list[dict[str, Any]]
    review_toml: str
    report_markdown: str
