"""From an article's extractions to a review file and a report that runs the checks.

The review file (TOML) lists proposals for a person to confirm: catalog systems
named, new system names, ranges, deployments, quantities, dates, treaties and
the claims to check, each with its sentence and character offsets in the
article. Nothing in it is added to the catalog by reachmap.

The report runs every claim ("can cover all of Europe") that the article gives
enough to run: a system (from the catalog, or a range stated in the article) and
a site (a place named in a deployment sentence, or the catalog's deployment of
that system in that country). reachmap does not pick sites: a claim without one
is listed as not run, with what is missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import tomli_w

from reachmap.errors import ReachmapError
from reachmap.ingest.extract import Extraction, Extractions

__all__ = ["ClaimCheck", "render_ingest_report", "review_document", "review_toml", "run_checks"]

_SECTIONS = {
    "system": "systems", "system-candidate": "system_candidates", "range": "ranges",
    "deployment": "deployments", "quantity": "quantities", "date": "dates",
    "treaty": "treaties", "claim": "claims", "place": "places", "country": "countries",
    "region": "regions",
}  # fmt: skip


def _plain(value: Any) -> Any:
    """TOML has no null: drop None values, recursively."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def review_document(ex: Extractions, *, source: str = "article") -> dict[str, Any]:
    """Build the review document: proposals by kind, each with sentence and offsets."""
    doc: dict[str, Any] = {
        "article": {
            "source": source,
            "sha256": hashlib.sha256(ex.text.encode("utf-8")).hexdigest(),
            "characters": len(ex.text),
            "extracted_on": dt.date.today().isoformat(),
            "note": "Proposals read from the article by rules, for a person to confirm: set "
            "confirmed = true on what the article really states, delete the rest. Offsets "
            "are character offsets in the article (Python string indices).",
            "nothing_found": ex.empty,
        }
    }
    for x in ex.items:
        entry = {"confirmed": False, **_plain(x.to_dict())}
        entry.pop("kind")
        doc.setdefault(_SECTIONS[x.kind], []).append(entry)
    drafts = _drafts(ex)
    if drafts:
        doc["draft"] = drafts
    return doc


def _slug(name: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", name.lower())) or "system"


def _drafts(ex: Extractions) -> dict[str, Any]:
    """Draft catalog records (the catalog's TOML shape) for what the catalog lacks.

    A new system name gets a system record with the range stated nearest after it (or
    none), a deployment statement a deployment record; both cite the article as
    ``sources = ["article"]``, whose publisher, title and date a person must fill in.
    """
    systems = []
    ranges = [x for x in ex.of("range") if x.value.get("status") == "parsed"]
    for x in ex.of("system-candidate"):
        record: dict[str, Any] = {
            "id": _slug(x.value["name"]), "name": x.value["name"], "sources": ["article"],
            "from_characters": [x.start, x.end],
        }  # fmt: skip
        near = [r for r in ranges if r.sentence_start == x.sentence_start and r.start > x.start]
        if near:
            record["range"] = {"text": near[0].text, "status": "reported",
                               "sources": ["article"]}  # fmt: skip
        systems.append(record)
    deployments = [
        {
            "system": d.value["system"], "host": d.value["host"],
            "places": d.value["places"], "status": "reported", "sources": ["article"],
            "from_characters": [d.start, d.end],
        }
        for d in ex.of("deployment") if d.value.get("host")
    ]  # fmt: skip
    if not systems and not deployments:
        return {}
    out: dict[str, Any] = {
        "note": "Draft catalog records in the catalog's shape, for a person to complete and "
        "copy into src/reachmap/data/catalog/ (reachmap catalog validate checks them). Fill "
        "in the article's source record; nothing here is added by reachmap.",
        "source": {
            "id": "article", "publisher": "", "title": "", "date": "",
            "note": "fill in: publisher, title and date of the article",
        },
    }
    if systems:
        out["systems"] = systems
    if deployments:
        out["deployments"] = deployments
    return out


def review_toml(ex: Extractions, *, source: str = "article") -> str:
    """Return the review document as TOML text."""
    return tomli_w.dumps(review_document(ex, source=source))


class ClaimCheck(dict[str, Any]):
    """One claim and what came of checking it (a dict: JSON-ready)."""


def _before(items: list[Extraction], x: Extraction) -> list[Extraction]:
    return [y for y in items if y.start <= x.start]


def run_checks(ex: Extractions, *, on: dt.date | None = None) -> list[ClaimCheck]:
    """Check every claim the article states, where it states enough to run it.

    Parameters
    ----------
    ex : Extractions
        From :func:`reachmap.ingest.extract.extract`.
    on : datetime.date, optional
        Date the region membership is judged on (default today).

    Returns
    -------
    list of ClaimCheck
        One per claim: ``verdict`` and ``summary`` when run, else ``not_run`` (why).
    """
    from reachmap.analysis.claims import check_region
    from reachmap.analysis.reach import analyze, resolve_site
    from reachmap.analysis.scenario import deployment_site
    from reachmap.catalog.store import load_catalog
    from reachmap.geo.units import parse_range
    from reachmap.world.regions import region

    on = on or dt.date.today()
    catalog = load_catalog()
    out: list[ClaimCheck] = []
    systems = [x for x in ex.items if x.kind == "system"]
    ranges = [
        x for x in ex.items
        if x.kind == "range" and x.value.get("status") == "parsed" and x.value["range_context"]
    ]  # fmt: skip
    deployments = ex.of("deployment")
    for claim in ex.of("claim"):
        check = ClaimCheck(claim=claim.text, sentence=claim.sentence, start=claim.start,
                           end=claim.end, region=claim.value["region"])  # fmt: skip
        out.append(check)
        sys_list = _before(systems, claim) or systems
        rng_list = _before(ranges, claim) or ranges
        sys_x = sys_list[-1] if sys_list else None
        rng_x = rng_list[-1] if rng_list else None
        if sys_x is not None:
            check["system"] = catalog.systems[sys_x.value["id"]].name
        if rng_x is not None:  # the article's own figure is what its claim rests on
            rng = parse_range(" ".join(rng_x.text.split()))
            check["range"] = f"{rng_x.text} (as stated in the article)"
        elif sys_x is not None:
            record = catalog.systems[sys_x.value["id"]]
            rng = record.range.km
            check["range"] = f"{record.range.text} (catalog, {record.range.status})"
        else:
            check["not_run"] = "the article names no catalog system and states no range"
            continue
        sites = []
        for dep in deployments:
            if sys_x is not None and dep.value.get("system") != sys_x.value["id"]:
                continue  # a deployment of another system says nothing of this claim
            for name in dep.value.get("places", []):
                sites.append(resolve_site(name))
            if not dep.value.get("places") and sys_x is not None:
                host = dep.value.get("host")
                for d in catalog.deployments_of(sys_x.value["id"]):
                    if d.host == host:
                        sites.append(deployment_site(catalog, d.id))
                        check.setdefault("catalog_deployments", []).append(d.id)
        if not sites:
            check["not_run"] = (
                "no site: the article names no place of deployment and the catalog has no "
                "deployment of this system there (reachmap does not choose sites; add one "
                "in the review file)"
            )
            continue
        check["sites"] = sorted({s.label for s in sites})
        try:
            verdict = check_region(analyze(sites, rng), region(claim.value["region"]), on=on,
                                   claim=claim.text)  # fmt: skip
        except ReachmapError as err:
            check["not_run"] = str(err)
            continue
        check["verdict"] = verdict.verdict
        check["summary"] = str(verdict)
    return out


def render_ingest_report(
    ex: Extractions, checks: list[ClaimCheck], *, source: str = "article"
) -> str:
    """Return a Markdown report: what the article states, and the claims checked."""
    lines = [f"# What the article states: {source}", ""]
    if ex.empty:
        lines += ["Nothing to extract: the article names no system, range, place, deployment, "
                  "quantity, date, treaty or claim that reachmap reads.", ""]  # fmt: skip
        return "\n".join(lines)
    lines += ["Proposals read by rules, for a person to confirm (see the review file).", ""]
    for kind, title in _SECTIONS.items():
        items = ex.of(kind)
        if not items:
            continue
        lines += [f"## {title.replace('_', ' ').capitalize()} ({len(items)})", ""]
        for x in items:
            detail = ""
            if kind == "range":
                v = x.value
                detail = (f" = {v['min_km']:,.1f}–{v['max_km']:,.1f} km (converted)"
                          if v.get("status") == "parsed" else f" — rejected: {v['reason']}")
            elif kind == "quantity":
                hi = "open" if x.value["high"] is None else f"{x.value['high']:g}"
                detail = f" → {x.value['low']:g}–{hi} ({x.value['basis']})"
            elif kind == "deployment":
                detail = f" → {x.value['system']} in {x.value['host']}"
            lines.append(f"- “{x.text}” (characters {x.start}–{x.end}){detail}")
        lines.append("")
    lines += ["## Claim checks", ""]
    if not checks:
        lines += ["The article makes no claim of the form “can cover all of <region>”.", ""]
    for c in checks:
        lines.append(f"- “{c['claim']}” ({c['region']}):")
        if "not_run" in c:
            lines.append(f"  not run: {c['not_run']}")
        else:
            lines.append(f"  range {c['range']}; sites {', '.join(c['sites'])}")
            lines.append(f"  **{c['verdict']}**: {c['summary']}")
    lines.append("")
    return "\n".join(lines)
