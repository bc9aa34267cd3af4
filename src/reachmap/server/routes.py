"""The API's endpoints: each parses, calls the core, and returns what the core found.

No geometry or arithmetic happens here; the same functions answer the CLI.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import hashlib
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi import Path as PathParam

from reachmap._version import __version__
from reachmap.errors import InputError
from reachmap.server.schemas import (
    DRAW_BUDGET,
    MAX_DRAWS,
    CheckRequest,
    CheckResponse,
    ClassifyRequest,
    ClassifyResponse,
    ErrorBody,
    IngestRequest,
    IngestResponse,
    ReachRequest,
    ReachResponse,
    SiteIn,
    TiersRequest,
    TiersResponse,
)

__all__ = ["ERRORS", "bundled_catalog", "check_draw_budget", "router"]

ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "Bad input; `field` names it."},
    413: {"model": ErrorBody, "description": "Request body too large."},
}
router = APIRouter(responses=ERRORS)

# ---- helpers ---------------------------------------------------------------------


def check_draw_budget(draws: int, n_sites: int, population: str, *, field: str) -> None:
    """Refuse more draws x sites than one request may cost (see ``DRAW_BUDGET``)."""
    budget = DRAW_BUDGET.get(population, min(DRAW_BUDGET.values()))
    if draws > MAX_DRAWS or draws * n_sites > budget:
        most = min(MAX_DRAWS, budget // max(n_sites, 1))
        raise InputError(
            field, draws,
            f"at most {most:,} draws for {n_sites} site(s) with population {population!r} "
            f"(draws x sites <= {budget:,})",
        )  # fmt: skip


def bundled_catalog() -> Any:
    """Return the bundled catalog (loaded once per process)."""
    from reachmap.catalog.store import load_catalog

    return load_catalog()


def _sites(items: Sequence[SiteIn]) -> list[Any]:
    from reachmap.analysis.scenario import deployment_site
    from reachmap.world.sites import Site, resolve_site

    sites = []
    for i, s in enumerate(items):
        where = f"sites.{i}"
        if s.place is not None:
            sites.append(resolve_site(s.place, field=f"{where}.place"))
        elif s.deployment is not None:
            site = deployment_site(bundled_catalog(), s.deployment, field=f"{where}.deployment")
            sites.append(site)
        else:
            assert s.lat is not None and s.lon is not None
            name = s.name or f"{s.lat:.4f}, {s.lon:.4f}"
            sites.append(Site(name=name, lat=s.lat, lon=s.lon))
    return sites


def _range(system: str | None, range_text: str | None) -> tuple[Any, Any]:
    """Return the range to use and the catalog system (or None)."""
    from reachmap.geo.units import parse_range

    record = bundled_catalog().find_system(system) if system is not None else None
    if range_text is not None:
        return parse_range(range_text, field="range"), record
    assert record is not None
    return record.range.km, record


def _population(request: Request, spec: str, sites: Sequence[Any], max_km: float) -> Any:
    from reachmap.analysis.reach import population_for

    allowed = request.app.state.settings.populations
    if spec not in allowed:
        raise InputError("population", spec, "one of " + ", ".join(allowed) + " on this server")
    return population_for(spec, sites, max_km)


def _source(s: Any) -> dict[str, Any]:
    return {"id": s.id, "publisher": s.publisher, "title": s.title, "date": str(s.date),
            "url": s.url}  # fmt: skip


def _system(record: Any) -> dict[str, Any]:
    catalog = bundled_catalog()
    rng = record.range
    return {
        "id": record.id,
        "name": record.name,
        "aliases": list(record.aliases),
        "owner": record.owner,
        "class": record.class_,
        "basing": list(record.basing),
        "status": record.status,
        "range": {
            "text": rng.text,
            "meaning": rng.meaning,
            "status": rng.status,
            "min_km": rng.km.min_km,
            "max_km": rng.km.max_km,
            "sources": [_source(s) for s in catalog.sources_of(rng)],
        },
        "deployments": [d.id for d in catalog.deployments_of(record.id)],
    }


def _uncertain_sites(items: Sequence[SiteIn], radius_km: float | None) -> list[Any]:
    """Sites as discs: ``radius_km`` for all, else a deployment's catalog uncertainty."""
    from reachmap.analysis.uncertainty import UncertainSite

    catalog = bundled_catalog()
    out = []
    for item, site in zip(items, _sites(items), strict=True):
        radius = radius_km
        if radius is None and item.deployment is not None:
            radius = catalog.sites[catalog.deployments[item.deployment].site].uncertainty_km
        out.append(UncertainSite(site, radius_km=radius or 0.0))
    return out


def _uncertain_range(body: TiersRequest) -> tuple[Any, Any]:
    """Return the uncertain range and the catalog system (or None), as ``/reach`` reads them.

    An explicit ``range`` overrides the system's; ``max_range`` replaces the maximum.
    """
    from reachmap.analysis.uncertainty import UncertainRange, parse_interval
    from reachmap.rules.classification import classifiable

    if body.max_range is None and body.max_range_mode is not None:
        raise InputError(
            "max_range_mode", body.max_range_mode, "a most likely value only with a 'max_range'"
        )
    interval = None
    if body.max_range is not None:
        interval = parse_interval(body.max_range, field="max_range", mode=body.max_range_mode)
    rng, record = _range(body.system, body.range)
    try:
        if body.range is not None:
            return UncertainRange.from_range(rng, max_interval=interval), record
        subject = classifiable(system=body.system)
        return UncertainRange.from_classifiable(subject, max_interval=interval), record
    except InputError as err:
        if interval is None:
            raise
        raise InputError("max_range", body.max_range, err.allowed) from err


def _analyze(request: Request, body: ReachRequest) -> tuple[Any, Any]:
    from reachmap.analysis.reach import analyze

    rng, record = _range(body.system, body.range)
    sites = _sites(body.sites)
    raster = _population(request, body.population, sites, rng.max_km)
    return analyze(sites, rng, raster), record


# ---- read-only endpoints -----------------------------------------------------------


@router.get("/health", tags=["meta"])
def health(request: Request) -> dict[str, str]:
    """Report whether the server and its database answer."""
    store = request.app.state.store
    if not store.ping():
        raise HTTPException(503, "the database does not answer")
    return {"status": "ok", "version": __version__, "database": store.backend}


@router.get("/places", tags=["gazetteer"])
def places(
    q: Annotated[str, Query(min_length=1, max_length=200, description="A place name.")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, list[dict[str, Any]]]:
    """Search the bundled gazetteer (GeoNames places of about 1,000 people and more)."""
    from reachmap.world.gazetteer import search_places

    found = search_places(q, limit=limit)
    return {
        "places": [
            {"name": p.name, "country": p.country, "lat": p.lat, "lon": p.lon,
             "population": int(p.population), "label": p.label}
            for p in found
        ]
    }  # fmt: skip


@router.get("/catalog/systems", tags=["catalog"])
def systems() -> dict[str, list[dict[str, Any]]]:
    """List every catalog system with its sourced range."""
    catalog = bundled_catalog()
    return {"systems": [_system(s) for s in sorted(catalog.systems.values(), key=_by_name)]}


def _by_name(record: Any) -> str:
    return str(record.name).casefold()


@router.get(
    "/catalog/systems/{system}",
    tags=["catalog"],
    responses={404: {"model": ErrorBody, "description": "No such system."}},
)
def system(system: Annotated[str, PathParam(max_length=200)]) -> dict[str, Any]:
    """Return one catalog system by id, name or alias."""
    try:
        record = bundled_catalog().find_system(system)
    except InputError as err:
        raise HTTPException(
            404, {"message": str(err), "field": "system", "allowed": err.allowed}
        ) from None
    return _system(record)


@router.get("/catalog/deployments", tags=["catalog"])
def deployments() -> dict[str, list[dict[str, Any]]]:
    """List the catalog deployments with their sites and sources."""
    catalog = bundled_catalog()
    out = []
    for dep in sorted(catalog.deployments.values(), key=lambda d: d.id):
        site = catalog.sites[dep.site]
        out.append(
            {
                "id": dep.id,
                "system": dep.system,
                "site": {
                    "id": site.id, "name": site.name, "lat": site.lat, "lon": site.lon,
                    "country": site.country, "uncertainty_km": site.uncertainty_km,
                    "status": site.status,
                },
                "host": dep.host,
                "owner": dep.owner,
                "status": dep.status,
                "sources": [_source(s) for s in catalog.sources_of(dep)],
            }
        )  # fmt: skip
    return {"deployments": out}


@router.get("/regions", tags=["claims"])
def regions() -> dict[str, list[dict[str, str]]]:
    """List the bundled regions a claim can name."""
    from reachmap.world.regions import load_regions

    return {
        "regions": [
            {"id": r.id, "name": r.name, "kind": r.kind}
            for r in sorted(load_regions().values(), key=lambda r: r.id)
        ]
    }


@router.get(
    "/basemap/countries",
    tags=["meta"],
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}, "description": "GeoJSON"}},
)
def basemap(request: Request) -> Response:
    """Return the bundled country outlines as a GeoJSON FeatureCollection.

    The body is built and gzip-compressed once per process; it carries an ``ETag`` (a hash
    of the body) and ``Cache-Control: public, no-cache``, so a browser revalidates and a
    repeat with ``If-None-Match`` gets a 304 without a body.
    """
    body = _basemap_body()
    headers = {"ETag": body.etag, "Cache-Control": "public, no-cache", "Vary": "Accept-Encoding"}
    if _etag_matches(request.headers.get("if-none-match"), body.etag):
        return Response(status_code=304, headers=headers)
    if _accepts_gzip(request.headers.get("accept-encoding")):
        # set here, so the GZip middleware passes the body through instead of compressing again
        headers["Content-Encoding"] = "gzip"
        return Response(body.gzip, media_type="application/geo+json", headers=headers)
    return Response(body.raw, media_type="application/geo+json", headers=headers)


@dataclass(frozen=True)
class _Body:
    raw: bytes
    gzip: bytes
    etag: str


@functools.cache
def _basemap_body() -> _Body:
    from reachmap.geo.envelope import to_geojson
    from reachmap.world.tables import load_countries

    countries = load_countries()
    features = [
        {
            "type": "Feature",
            "properties": {"iso2": str(countries.iso2[i]), "name": str(countries.name[i])},
            "geometry": to_geojson(countries.geometry[i], precision=3),
        }
        for i in range(len(countries.iso2))
    ]
    raw = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    etag = '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'
    return _Body(raw=raw, gzip=gzip.compress(raw, compresslevel=9, mtime=0), etag=etag)


def _etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, RFC 9110 13.1.2)."""
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or etag in (t.removeprefix("W/") for t in tags)


def _accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether to send gzip: the GZip middleware's own rule ("gzip" named in the header)."""
    return "gzip" in (accept_encoding or "")


# ---- computations ------------------------------------------------------------------


@router.post("/reach", tags=["reach"])
def reach(request: Request, body: ReachRequest) -> ReachResponse:
    """Countries, capitals, places and people within reach of the sites."""
    from reachmap.geo.envelope import to_geojson

    result, record = _analyze(request, body)
    out = result.to_dict()
    out["system"] = _system(record) if record is not None else None
    out["envelope"] = {
        "type": "Feature",
        "properties": {"min_km": result.range.min_km, "max_km": result.range.max_km},
        "geometry": to_geojson(result.envelope),
    }
    return ReachResponse.model_validate(out)


@router.post("/tiers", tags=["reach"])
def tiers(request: Request, body: TiersRequest) -> TiersResponse:
    """Reach under uncertainty: certain, possible and unreachable places and countries.

    Sites are discs (``site_uncertainty_km``, or a deployment's catalog uncertainty); the
    maximum range may be an interval (``max_range``). Tiers are exact; with ``draws``,
    seeded Monte Carlo probabilities of the stated uncertainty (not of the world).
    """
    from reachmap.analysis.probability import analyze_uncertain
    from reachmap.geo.envelope import to_geojson
    from reachmap.geo.geodesy import MAX_RADIUS_KM

    urange, record = _uncertain_range(body)
    sites = _uncertain_sites(body.sites, body.site_uncertainty_km)
    check_draw_budget(body.draws, len(sites), body.population, field="draws")
    reach_km = min(urange.best[1] + max(s.radius_km for s in sites), MAX_RADIUS_KM)
    raster = _population(request, body.population, [s.site for s in sites], reach_km)
    result = analyze_uncertain(sites, urange, raster, draws=body.draws, seed=body.seed)
    out = result.to_dict()
    out["system"] = _system(record) if record is not None else None
    out["certain_envelope"] = to_geojson(result.certain_envelope)
    out["possible_envelope"] = to_geojson(result.possible_envelope)
    return TiersResponse.model_validate(out)


_MEDIA = {"geojson": "application/geo+json", "kml": "application/vnd.google-earth.kml+xml",
          "csv": "text/csv; charset=utf-8"}  # fmt: skip


@router.post(
    "/export/{format}",
    tags=["reach"],
    response_class=Response,
    responses={200: {"content": {m: {} for m in _MEDIA.values()}, "description": "The file"}},
)
def export(
    request: Request,
    fmt: Annotated[Literal["geojson", "kml", "csv"], PathParam(alias="format")],
    body: ReachRequest,
) -> Response:
    """Run the same analysis as ``/reach`` and return it as a file (GeoJSON, KML or CSV)."""
    from reachmap.report.export import write

    result, _ = _analyze(request, body)
    with tempfile.TemporaryDirectory(prefix="reachmap-export-") as tmp:
        path = Path(tmp) / f"reach.{fmt}"
        write(result, [(path, fmt)])
        data = path.read_bytes()
    name = f"reach-{int(result.range.min_km)}-{int(result.range.max_km)}km.{fmt}"
    return Response(
        data,
        media_type=_MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/classify", tags=["rules"])
def classify(body: ClassifyRequest) -> ClassifyResponse:
    """Which arms-control rules a range falls under (INF, MTCR, New START), and when."""
    from reachmap.rules.classification import classifiable
    from reachmap.rules.classification import classify as classify_range

    day = body.on or dt.date.today()
    subject = classifiable(
        system=body.system, range_text=body.range, basing=body.basing,
        system_class=body.system_class, max_estimates=body.max_estimates,
    )  # fmt: skip
    findings = classify_range(
        range_km=subject.capability_km, basing=subject.basing,
        system_class=subject.system_class, payload_kg=body.payload_kg, on=day,
    )  # fmt: skip
    rng = subject.range_km
    return ClassifyResponse.model_validate(
        {
            "subject": subject.subject,
            "range_km": [rng.min_km, rng.max_km],
            "capability_km": list(subject.capability_km),
            "basing": subject.basing,
            "system_class": subject.system_class,
            "on": day,
            "findings": [
                {**vars(f), "bands": list(f.bands), "edges_km": list(f.edges_km),
                 "range_km": list(f.range_km)}
                for f in findings
            ],
        }
    )  # fmt: skip


@router.post("/check", tags=["claims"])
def check(request: Request, body: CheckRequest) -> CheckResponse:
    """Check "it can cover all of <region>": verdict, numbers and every exception."""
    from reachmap.analysis.claims import check_region
    from reachmap.analysis.reach import analyze
    from reachmap.world.regions import region

    day = body.on or dt.date.today()
    reg = region(body.region)
    rng, _ = _range(body.system, body.range)
    sites = _sites(body.sites)
    raster = _population(request, body.population, sites, rng.max_km)
    result = analyze(sites, rng, raster)
    v = check_region(result, reg, on=day, claim=body.claim, threshold=body.threshold)
    need = None
    if reg.kind not in ("cities", "capitals"):
        from reachmap.analysis.claims import needed_text, region_range_needed
        from reachmap.analysis.reach import load_population

        grid = raster if getattr(raster, "country_runs", None) is not None else None
        n = region_range_needed(result, reg, on=day, raster=grid or load_population("default-2.5m"))
        need = {
            "capitals_km": n.capitals_km, "capital": n.capital, "capital_site": n.capital_site,
            "territory_km": n.territory_km, "territory_at": n.territory_at,
            "people_km": n.people_km, "people_share": n.people_share,
            "hole": vars(n.hole) if n.hole is not None else None, "grid": n.grid,
            "text": needed_text(n),
        }  # fmt: skip
    return CheckResponse.model_validate(
        {
            "claim": v.claim, "region": v.region, "on": v.on, "verdict": v.verdict,
            "area_share": v.area_share, "population_share": v.population_share,
            "capitals_reached": v.capitals_reached, "capitals_total": v.capitals_total,
            "exceptions": list(v.exceptions), "threshold": v.threshold, "unit": v.unit,
            "text": str(v), "definition": v.definition, "decided_by": v.decided_by,
            "parts": [vars(p) for p in v.parts], "counted": list(v.counted),
            "range_needed": need,
        }
    )  # fmt: skip


@router.post("/ingest", tags=["articles"])
def ingest(body: IngestRequest) -> IngestResponse:
    """Read an article: systems, ranges, places, deployments, quantities, dates, claims."""
    from reachmap.ingest.extract import extract
    from reachmap.ingest.review import render_ingest_report, review_toml, run_checks

    ex = extract(body.text)
    checks = run_checks(ex, on=body.on)
    return IngestResponse(
        nothing_found=ex.empty,
        extractions=[x.to_dict() for x in ex.items],  # type: ignore[misc]
        checks=[dict(c) for c in checks],
        review_toml=review_toml(ex, source=body.source),
        report_markdown=render_ingest_report(ex, checks, source=body.source),
    )
