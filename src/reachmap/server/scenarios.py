"""The API's saved scenarios: save (immutable, content-addressed), fetch, and render.

A scenario is checked in full before it is saved (every place, deployment, region and
range resolves, and its draws fit the budget), so a saved one always renders. Writes
need the server's token when one is set.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse

from reachmap.analysis.scenario import Scenario
from reachmap.errors import InputError
from reachmap.server.routes import ERRORS, bundled_catalog, check_draw_budget
from reachmap.server.schemas import ErrorBody

__all__ = ["MAX_POLYGON_VERTICES", "router"]

router = APIRouter(responses=ERRORS)

ScenarioId = Annotated[str, PathParam(min_length=1, max_length=64)]


def _require_token(request: Request, authorization: str | None) -> None:
    token = request.app.state.settings.token
    if token is None:
        return
    given = (authorization or "").removeprefix("Bearer ").strip()
    if not secrets.compare_digest(given.encode(), token.encode()):
        raise HTTPException(
            401,
            {"message": "this server needs a token to write", "field": "Authorization",
             "allowed": "Authorization: Bearer <token>"},
        )  # fmt: skip


#: Most vertices of a polygon site in a saved scenario.
MAX_POLYGON_VERTICES = 1000


def _check_uncertain_range(doc: Any) -> None:
    """Check that a scenario's maximum-range interval fits its system's range."""
    from reachmap.analysis.uncertainty import UncertainRange
    from reachmap.rules.classification import classifiable

    spec = doc.system
    subject = classifiable(
        system=spec.catalog, range_text=spec.range, basing=spec.basing or "ground",
        max_estimates=spec.max_estimates, field="system.range",
    )  # fmt: skip
    try:
        UncertainRange.from_classifiable(subject, max_interval=doc.uncertainty.max_interval())
    except InputError as err:
        raise InputError("uncertainty.max_range", err.value, err.allowed) from err


def _check_scenario(request: Request, doc: Any) -> None:
    """Resolve every reference of a scenario, so that a saved one always runs."""
    from reachmap.analysis.scenario import deployment_site
    from reachmap.geo.units import parse_range
    from reachmap.world.regions import region
    from reachmap.world.sites import resolve_site

    allowed = request.app.state.settings.populations
    if doc.population not in allowed:
        raise InputError("population", doc.population, "one of " + ", ".join(allowed))
    catalog = bundled_catalog()
    if doc.system.catalog is not None:
        catalog.find_system(doc.system.catalog)
    if doc.system.range is not None:
        parse_range(doc.system.range, field="system.range")
    unc = doc.uncertainty
    polygons = unc.polygons if unc is not None else []
    n_sites = len(doc.sites.places) + len(doc.sites.deployments) + len(polygons)
    if n_sites > request.app.state.settings.max_sites:
        raise InputError("sites", n_sites, f"at most {request.app.state.settings.max_sites} sites")
    for i, poly in enumerate(polygons):
        if len(poly) > MAX_POLYGON_VERTICES:
            raise InputError(
                f"uncertainty.polygons.{i}", f"{len(poly)} vertices",
                f"at most {MAX_POLYGON_VERTICES} vertices",
            )  # fmt: skip
    if unc is not None:
        check_draw_budget(unc.draws, n_sites, doc.population, field="uncertainty.draws")
        _check_uncertain_range(doc)
    for i, p in enumerate(doc.sites.places):
        resolve_site(p, field=f"sites.places.{i}")
    for i, d in enumerate(doc.sites.deployments):
        deployment_site(catalog, d, field=f"sites.deployments.{i}")
    for i, c in enumerate(doc.claims):
        region(c.region)
        if not 0 < c.threshold <= 1:
            raise InputError(f"claims.{i}.threshold", c.threshold, "a share in (0, 1]")


@router.post(
    "/scenarios",
    tags=["scenarios"],
    status_code=201,
    responses={
        200: {"description": "The same scenario was saved before: its id."},
        401: {"model": ErrorBody, "description": "A token is needed to write."},
    },
)
def save_scenario(
    request: Request,
    response: Response,
    doc: Scenario,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Save a scenario (immutable; its id is a hash of its content) and return its id.

    The body is the JSON form of a scenario file (see ``examples/*.toml``). Answers 201
    when the scenario is new, 200 when the same content was saved before.
    """
    _require_token(request, authorization)
    _check_scenario(request, doc)
    canonical = doc.model_dump(mode="json", by_alias=True)
    sid, created = request.app.state.store.save(canonical)
    if not created:
        response.status_code = 200
    return {"id": sid, "url": f"/?s={sid}", "created": created}


def _load_scenario(request: Request, sid: str) -> dict[str, Any]:
    doc = request.app.state.store.get(sid)
    if doc is None:
        raise HTTPException(404, {"message": f"no scenario {sid!r}", "field": "id"})
    return dict(doc)


@router.get(
    "/scenarios/{sid}",
    tags=["scenarios"],
    responses={404: {"model": ErrorBody, "description": "No such scenario."}},
)
def get_scenario(request: Request, sid: ScenarioId) -> dict[str, Any]:
    """Fetch a saved scenario by its id."""
    return {"id": sid, "scenario": _load_scenario(request, sid)}


@router.get(
    "/scenarios/{sid}/report",
    tags=["scenarios"],
    response_class=Response,
    responses={
        200: {"content": {"text/html": {}}, "description": "The report"},
        404: {"model": ErrorBody, "description": "No such scenario."},
    },
)
def scenario_report(request: Request, sid: ScenarioId) -> HTMLResponse:
    """Render a saved scenario's self-contained HTML report (as ``reachmap report``)."""
    from reachmap.analysis.scenario import run_scenario
    from reachmap.report.scenario import render_scenario

    doc = Scenario.model_validate(_load_scenario(request, sid))
    return HTMLResponse(render_scenario(run_scenario(doc)))
