"""Scenario files: one TOML file that fully reproduces a report.

A scenario names a system (from the catalog, or an explicit published range and
basing), the sites (place names, ``"lat,lon"``, or catalog deployments), the
population source, the date that regimes and region memberships are judged on, and
the claims to check. Example (``examples/belarus-intermediate-range.toml``)::

    title = "An intermediate-range system in Belarus"
    on = 2026-11-25
    population = "places"

    [system]
    catalog = "Oreshnik"

    [sites]
    deployments = ["oreshnik-belarus"]

    [uncertainty]
    draws = 200
    seed = 1

    [[claims]]
    text = "can cover all of Europe"
    region = "europe"

The optional ``[uncertainty]`` table states what is known only roughly: a radius for
every site (``site_km``; absent, catalog deployments take their site's
``uncertainty_km`` and places are exact), the maximum range as an interval
(``max_range``, with an optional most likely ``max_range_mode``), areas that further
sites lie somewhere in (``polygons``, vertices as ``[lat, lon]``), and the seeded Monte
Carlo ``draws`` and ``seed``. Whenever anything is uncertain (a site radius, a polygon,
or a range that is not one figure) the report adds reach tiers (certain, possible,
unreachable; see :mod:`reachmap.analysis.uncertainty`) and, with draws, probabilities of the
stated uncertainty; the rest of the report uses the sites' centres (a polygon's
centroid) and the published range. No table is read as an empty one: a catalog
deployment whose site has an ``uncertainty_km`` still gets tiers (without draws).

:func:`run_scenario` computes everything; :func:`reachmap.report.scenario.render_scenario`
turns it into the self-contained HTML report.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from reachmap.analysis.reach import (
    ReachResult,
    Site,
    analyze,
    population_for,
)
from reachmap.analysis.uncertainty import (
    MAX_DRAWS,
    MAX_SITE_RADIUS_KM,
    Interval,
    UncertainRange,
    UncertainSite,
    parse_interval,
    uncertain_sites,
)
from reachmap.errors import InputError
from reachmap.geo.units import RangeKm

if TYPE_CHECKING:
    from reachmap.analysis.probability import UncertainResult

__all__ = [
    "Scenario",
    "ScenarioRun",
    "deployment_site",
    "deployment_system",
    "load_scenario",
    "read_toml_model",
    "run_scenario",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ScenarioSystem(_Model):
    """The system: a catalog entry, or an explicit range (as published) and basing."""

    catalog: str | None = None
    range: str | None = None
    basing: str | None = None
    class_: str | None = Field(default=None, alias="class")
    payload_kg: float | None = None
    max_estimates: bool = False  # the range text is a spread of estimates of the maximum

    @model_validator(mode="after")
    def _one_of(self) -> ScenarioSystem:
        if (self.catalog is None) == (self.range is None):
            raise ValueError("give exactly one of 'catalog' (a system) or 'range' (as published)")
        if self.range is not None and self.basing is None:
            raise ValueError("an explicit 'range' needs a 'basing' (ground, sea or air)")
        return self


class ScenarioSites(_Model):
    """Where the system is: place names or ``"lat,lon"``, and/or catalog deployments."""

    places: list[str] = []
    deployments: list[str] = []

    @model_validator(mode="after")
    def _some(self) -> ScenarioSites:
        if not self.places and not self.deployments:
            raise ValueError("give at least one of 'places' or 'deployments'")
        return self


def _number_only(value: object) -> object:
    """Let only a number through (pydantic would read ``true`` as 1 and ``"30"`` as 30)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    raise ValueError("a number")


def _polygon(vertices: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Check that vertices ``[lat, lon]`` make a simple polygon a site can lie in."""
    try:
        UncertainSite.from_polygon(vertices)
    except InputError as err:
        raise ValueError(
            f"[lat, lon] vertices in degrees; {err.value} is not allowed, expected {err.allowed}"
        ) from err
    return vertices


#: The radius, in kilometres, of the disc every site lies in.
_SiteKm = Annotated[float, BeforeValidator(_number_only), Field(ge=0.0, le=MAX_SITE_RADIUS_KM)]
#: An area a site lies somewhere in: at least three ``[lat, lon]`` vertices.
SitePolygon = Annotated[list[tuple[float, float]], AfterValidator(_polygon)]


class ScenarioUncertainty(_Model):
    """What is known only roughly: the sites' positions and the maximum range.

    Examples
    --------
    >>> u = ScenarioUncertainty(max_range="4,500-5,500 km", draws=200, seed=1)
    >>> u.max_interval().text()
    '4,500–5,500 km'
    """

    site_km: _SiteKm | None = None  # absent: deployments take their site's uncertainty_km
    max_range: str | None = None
    max_range_mode: str | None = None
    draws: Annotated[int, Field(strict=True, ge=0, le=MAX_DRAWS)] = 0
    seed: Annotated[int, Field(strict=True, ge=0, le=2**32 - 1)] = 0
    polygons: list[SitePolygon] = []

    @field_validator("max_range")
    @classmethod
    def _interval(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_interval(value, field="max_range")
            except InputError as err:
                raise ValueError(err.allowed) from err
        return value

    @field_validator("max_range_mode")
    @classmethod
    def _mode(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        if "max_range" not in info.data:
            return value  # max_range itself is wrong: that error is reported
        if info.data["max_range"] is None:
            raise ValueError("a most likely value only with a 'max_range'")
        try:
            parse_interval(info.data["max_range"], field="max_range", mode=value)
        except InputError as err:
            raise ValueError(err.allowed) from err
        return value

    def max_interval(self) -> Interval | None:
        """Return the maximum range's interval, or None when none is stated."""
        if self.max_range is None:
            return None
        return parse_interval(self.max_range, field="max_range", mode=self.max_range_mode)


class ScenarioClaim(_Model):
    """A claim to check: "can cover all of <region>"."""

    text: str
    region: str
    threshold: float = 0.9


def _date_only(value: object) -> object:
    """Let only a date or its ISO text through (pydantic would read 0 as 1970-01-01)."""
    if isinstance(value, str | dt.date):
        return value
    raise ValueError("a date, YYYY-MM-DD")


#: A date: a TOML date, or ``YYYY-MM-DD`` text (never a number).
IsoDate = Annotated[dt.date, BeforeValidator(_date_only)]


class Scenario(_Model):
    """A whole scenario file."""

    title: str
    description: str = ""
    on: IsoDate
    population: str = "places"
    system: ScenarioSystem
    sites: ScenarioSites
    uncertainty: ScenarioUncertainty | None = None
    claims: list[ScenarioClaim] = []

    @model_serializer(mode="wrap")
    def _without_absent_uncertainty(self, handler: SerializerFunctionWrapHandler) -> Any:
        # A scenario without an [uncertainty] table keeps the JSON form (and so the
        # content-addressed id) it had before the table existed.
        data = handler(self)
        if self.uncertainty is None and isinstance(data, dict):
            data.pop("uncertainty", None)
        return data


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Raises
    ------
    InputError
        Unreadable file, TOML syntax error, or a field that is missing or not
        allowed; the message names the field path (e.g. ``system.range``).
    """
    return read_toml_model(path, Scenario, kind="scenario")


_M = TypeVar("_M", bound=BaseModel)


def read_toml_model(path: str | Path, model: type[_M], *, kind: str) -> _M:
    """Read a user's TOML file and validate it with a pydantic model.

    Parameters
    ----------
    path : str or Path
        The file.
    model : type of pydantic.BaseModel
        What the file must hold.
    kind : str
        What the file is (``"scenario"``, ``"sweep"``): the field of file errors.

    Raises
    ------
    InputError
        Unreadable file or TOML syntax error (field ``kind``), or the first field that
        is missing or not allowed (field ``"<file name>: <field path>"``).
    """
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(kind, str(p), f"a readable TOML file ({err.strerror})") from err
    except tomllib.TOMLDecodeError as err:
        raise InputError(kind, str(p), f"valid TOML ({err})") from err
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or kind
        raise InputError(f"{p.name}: {where}", first.get("input", ""), first["msg"]) from err


@dataclass(frozen=True)
class ScenarioRun:
    """Everything a scenario produced."""

    scenario: Scenario
    range_km: RangeKm
    basing: str
    system_class: str | None
    system_name: str
    result: ReachResult
    findings: tuple[Any, ...]
    verdicts: tuple[Any, ...]
    figures: tuple[tuple[str, str, str, str], ...]  # (what, figure, status, sources)
    tiers: UncertainResult | None = None  # reach under uncertainty, when anything is uncertain


def deployment_system(
    catalog: Any, deployment_ids: Sequence[str], *, field: str = "deployment"
) -> str | None:
    """Return the one system the deployments name (None if no deployment is given).

    Raises
    ------
    InputError
        If a deployment id is unknown, or the deployments name different systems.
    """
    systems = []
    for dep_id in deployment_ids:
        dep = catalog.deployments.get(dep_id)
        if dep is None:
            raise InputError(
                field,
                dep_id,
                "a deployment id in the catalog: " + ", ".join(sorted(catalog.deployments)),
            )
        systems.append(str(dep.system))
    if len(set(systems)) > 1:
        raise InputError(
            "system",
            "",
            f"a --system or --range: the deployments name {', '.join(sorted(set(systems)))}",
        )
    return systems[0] if systems else None


def deployment_site(catalog: Any, deployment_id: str, *, field: str = "deployment") -> Site:
    """Return the launch site of a catalog deployment, as a :class:`reachmap.analysis.reach.Site`.

    Raises
    ------
    InputError
        If the catalog has no such deployment (the message lists the ids).
    """
    dep = catalog.deployments.get(deployment_id)
    if dep is None:
        raise InputError(
            field, deployment_id, "a deployment id in the catalog: "
            + ", ".join(sorted(catalog.deployments))
        )  # fmt: skip
    site = catalog.sites[dep.site]
    return Site(name=site.name, lat=site.lat, lon=site.lon, country=site.country)


def run_scenario(scenario: Scenario) -> ScenarioRun:
    """Compute a scenario: reach, regime classification, claims and sourced figures.

    The reach, the claims and the regimes use the sites' centres (a polygon's centroid)
    and the published range. When anything is uncertain (a site radius, a polygon, or a
    range that is not one figure: a catalog spread of estimates of the maximum, or
    ``uncertainty.max_range``), ``tiers`` holds the reach under that uncertainty
    (:func:`reachmap.analysis.probability.analyze_uncertain`), on the same population source.
    """
    from reachmap.analysis.claims import check_region
    from reachmap.analysis.probability import analyze_uncertain
    from reachmap.catalog.store import load_catalog
    from reachmap.geo.geodesy import MAX_RADIUS_KM
    from reachmap.rules.classification import classifiable, classify
    from reachmap.world.regions import region as find_region

    catalog = load_catalog()
    figures: list[tuple[str, str, str, str]] = []

    def cite(record: Any) -> str:
        return "; ".join(
            f"{s.publisher}, “{s.title}” ({s.date})" for s in catalog.sources_of(record)
        )

    spec = scenario.system
    subject = classifiable(
        system=spec.catalog, range_text=spec.range, basing=spec.basing,
        system_class=spec.class_, max_estimates=spec.max_estimates, field="system.range",
    )  # fmt: skip
    rng, capability = subject.range_km, subject.capability_km
    basing, system_class = subject.basing, subject.system_class
    system = subject.system
    if system is not None:
        name = system.name
        figures.append(
            (f"{system.name}: range", system.range.text, system.range.status, cite(system.range))
        )
        for other in system.other_ranges:
            figures.append((f"{system.name}: range (other)", other.text, other.status, cite(other)))
    else:
        name = f"a system with range {spec.range}"

    unc = scenario.uncertainty or ScenarioUncertainty()
    usites = uncertain_sites(
        places=scenario.sites.places, deployments=scenario.sites.deployments,
        polygons=unc.polygons, radius_km=unc.site_km, field="sites",
    )  # fmt: skip
    sites: list[Site] = [u.site for u in usites]  # centres (a polygon's centroid)
    for dep_id in scenario.sites.deployments:
        dep = catalog.deployments[dep_id]
        site = catalog.sites[dep.site]
        figures.append(
            (f"Deployment {dep.id}", f"{dep.system} at {site.name} ({dep.status})", dep.status,
             cite(dep))
        )  # fmt: skip
        figures.append(
            (f"Site {site.name}", f"{site.lat:.4f}, {site.lon:.4f} ± {site.uncertainty_km:g} km",
             site.status, cite(site))
        )  # fmt: skip

    urange = _uncertain_range(subject, unc)
    uncertain = not urange.is_exact or any(u.radius_km > 0 for u in usites)
    reach_km = rng.max_km
    if uncertain:  # the population window must hold every possibly reached cell
        widest = urange.best[1] + max(u.radius_km for u in usites)
        reach_km = max(reach_km, min(widest, MAX_RADIUS_KM))
    raster = population_for(scenario.population, sites, reach_km)
    result = analyze(sites, rng, raster)
    tiers = None
    if uncertain:
        tiers = analyze_uncertain(usites, urange, raster, draws=unc.draws, seed=unc.seed)
    findings = classify(
        range_km=capability, basing=basing, system_class=system_class, payload_kg=spec.payload_kg,
        on=scenario.on,
    )  # fmt: skip
    verdicts = tuple(
        check_region(result, find_region(c.region), on=scenario.on, claim=c.text,
                     threshold=c.threshold)
        for c in scenario.claims
    )  # fmt: skip
    return ScenarioRun(
        scenario=scenario,
        range_km=rng,
        basing=basing,
        system_class=system_class,
        system_name=name,
        result=result,
        findings=tuple(findings),
        verdicts=verdicts,
        figures=tuple(figures),
        tiers=tiers,
    )


def _uncertain_range(subject: Any, unc: ScenarioUncertainty) -> UncertainRange:
    """Return the system's range with its uncertainty (``max_range`` replaces the maximum)."""
    try:
        return UncertainRange.from_classifiable(subject, max_interval=unc.max_interval())
    except InputError as err:
        if unc.max_range is None:
            raise
        raise InputError("uncertainty.max_range", unc.max_range, err.allowed) from err
