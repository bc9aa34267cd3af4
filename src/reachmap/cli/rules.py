"""``reachmap classify`` and ``check``: a range against the regimes, a claim against a region."""

from __future__ import annotations

from typing import Annotated

import typer

from reachmap.cli.app import app, err_console, fail, out_console, parse_day
from reachmap.errors import InputError, ReachmapError

__all__ = ["check", "classify"]


@app.command()
def classify(
    system: Annotated[
        str | None, typer.Argument(help="A catalog system (name, alias or id).")
    ] = None,
    range_text: Annotated[
        str | None, typer.Option("--range", "-r", help="Range as published, if no system.")
    ] = None,
    basing: Annotated[
        str | None, typer.Option(help="ground, sea or air (default: the system's first basing).")
    ] = None,
    system_class: Annotated[
        str | None, typer.Option("--class", help="ballistic, cruise or hypersonic glide.")
    ] = None,
    payload_kg: Annotated[float | None, typer.Option(help="Payload in kg (for MTCR).")] = None,
    max_estimates: Annotated[
        bool,
        typer.Option(
            "--max-estimates",
            help="The --range text is a spread of estimates of the MAXIMUM range "
            "('4,500-5,000 km'), not a minimum and a maximum.",
        ),
    ] = False,
    on: Annotated[
        str | None, typer.Option(help="Date YYYY-MM-DD for 'in force' (default: today).")
    ] = None,
) -> None:
    """Which arms-control rules a range falls under (INF, MTCR Category I, New START), and when."""
    import datetime as dt

    from reachmap.rules.classification import classifiable
    from reachmap.rules.classification import classify as classify_range

    try:
        if (system is None) == (range_text is None):
            raise InputError("system", system or "", "a catalog system or --range, not both")
        day = parse_day(on) if on else dt.date.today()
        if range_text is not None and basing is None:
            raise InputError("basing", "", "ground, sea or air (needed with --range)")
        subject = classifiable(
            system=system, range_text=range_text, basing=basing, system_class=system_class,
            max_estimates=max_estimates,
        )  # fmt: skip
        findings = classify_range(
            range_km=subject.capability_km,
            basing=subject.basing,
            system_class=subject.system_class,
            payload_kg=payload_kg,
            on=day,
        )
    except ReachmapError as err:
        fail(err)
    title, rng, capability, basing = (
        subject.subject,
        subject.range_km,
        subject.capability_km,
        subject.basing,
    )
    low, high = capability
    cap = f"{high:,.1f} km" if low == high else f"{low:,.1f}–{high:,.1f} km (estimates)"
    out_console.print(
        f"[bold]{title}[/] → {rng.min_km:,.1f}–{rng.max_km:,.1f} km; range capability {cap}; "
        f"{basing}"
    )
    for f in findings:
        force = "in force" if f.in_force else "not in force"
        out_console.print(f"- [bold]{f.regime}[/]: {f.verdict} ({force} on {day}). {f.reason}")


@app.command()
def check(
    region_name: Annotated[
        str, typer.Option("--region", help="Region id or name (europe, nato, eu, a country code).")
    ],
    site: Annotated[
        list[str] | None, typer.Option("--site", "-s", help="Place name or 'lat,lon' (repeat).")
    ] = None,
    deployment: Annotated[
        list[str] | None, typer.Option("--deployment", help="Catalog deployment id (repeat).")
    ] = None,
    system: Annotated[str | None, typer.Option(help="A catalog system.")] = None,
    range_text: Annotated[
        list[str] | None,
        typer.Option("--range", "-r", help="Range as published (once; default: the system's)."),
    ] = None,
    on: Annotated[
        str | None, typer.Option(help="Membership date YYYY-MM-DD (default: today).")
    ] = None,
    population: Annotated[
        str,
        typer.Option(
            "--population",
            "-p",
            help="Who lives there: places (GeoNames estimate), default (30″ grid), "
            "default-2.5m, or a GeoTIFF path.",
        ),
    ] = "places",
) -> None:
    """Check "it can cover all of <region>": the verdict in parts, the region's definition.

    Prints the headline, the part that decides it (capitals, territory, people, the
    minimum-range hole), what the region counts and leaves out, and every exception.
    With --deployment and no --system or --range, the deployment's system is used.
    """
    import datetime as dt

    from reachmap.analysis.claims import check_region
    from reachmap.analysis.reach import analyze, population_for, resolve_site
    from reachmap.analysis.scenario import deployment_site, deployment_system
    from reachmap.catalog.store import load_catalog
    from reachmap.geo.units import parse_range
    from reachmap.world.regions import region as find_region

    try:
        ranges = range_text or []
        if len(ranges) > 1:
            raise InputError(
                "range",
                " and ".join(ranges),
                "one --range per check (use `reach` for several rings)",
            )
        catalog = load_catalog()
        if system is None and not ranges:
            system = deployment_system(catalog, deployment or [])
        if (system is None) == (not ranges):
            raise InputError("system", system or "", "a catalog --system or a --range, not both")
        day = parse_day(on) if on else dt.date.today()
        rng = catalog.find_system(system).range.km if system else parse_range(ranges[0])
        sites = [resolve_site(s) for s in (site or [])]
        sites += [deployment_site(catalog, d) for d in (deployment or [])]
        if not sites:
            raise InputError("site", "", "at least one --site or --deployment")
        reg = find_region(region_name)
        raster = population_for(population, sites, rng.max_km)
    except ReachmapError as err:
        fail(err)
    with err_console.status("Computing reach on the WGS84 ellipsoid…"):
        result = analyze(sites, rng, raster)
    try:
        verdict = check_region(result, reg, on=day)
        need_lines: list[str] = []
        if reg.kind not in ("cities", "capitals"):
            from reachmap.analysis.claims import needed_text, region_range_needed
            from reachmap.analysis.reach import load_population

            grid = raster if getattr(raster, "country_runs", None) is not None else None
            with err_console.status("Finding the range the claim needs…"):
                need = region_range_needed(
                    result, reg, on=day, raster=grid or load_population("default-2.5m")
                )
            need_lines = needed_text(need)
    except ReachmapError as err:
        fail(err)
    out_console.print(str(verdict), highlight=False)
    if need_lines:
        out_console.print("  range needed: " + need_lines[0], highlight=False)
        for line in need_lines[1:]:
            out_console.print("    " + line, highlight=False)
