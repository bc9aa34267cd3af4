"""The ``reachmap`` command line: a thin layer that parses, calls the core, and reports.

Every input is checked before anything is computed or written; a bad input prints
one line naming the field and what is allowed, and exits with code 2.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from typer.exceptions import TyperException

from reachmap import __version__
from reachmap.errors import InputError, ReachmapError

__all__ = ["app"]

app = typer.Typer(
    name="reachmap",
    help="What can a strategic system reach from where it is deployed, and who lives there.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out_console = Console(soft_wrap=True)  # one-line results stay one line when piped
err_console = Console(stderr=True)


def main_entry() -> None:
    """Run the CLI; usage errors (unknown option, bad option type) print one line, exit 2."""
    try:
        code = app(prog_name="reachmap", standalone_mode=False)
    except typer.Abort:
        err_console.print("aborted", highlight=False)
        sys.exit(1)
    except TyperException as err:  # typer's usage errors (click's, vendored)
        message = err.format_message()
        if message:  # (no arguments at all: the help was printed, nothing to add)
            err_console.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(getattr(err, "exit_code", 2))
    sys.exit(code if isinstance(code, int) else 0)


def _fail(err: ReachmapError) -> NoReturn:
    err_console.print(f"error: {err}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _version(value: bool) -> None:
    if value:
        out_console.print(f"reachmap {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Map what a strategic system can reach from where it is deployed, and who lives there."""


@app.command()
def reach(
    site: Annotated[
        list[str] | None,
        typer.Option(
            "--site",
            "-s",
            help="Place name ('Minsk', 'Paris, FR') or 'lat,lon'. Repeat for a union.",
        ),
    ] = None,
    range_text: Annotated[
        str | None,
        typer.Option(
            "--range",
            "-r",
            help="Range as published: '500-5500 km', '310 to 3,400 miles', 'up to 1,000 nmi'.",
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="table|json|geojson|csv (stdout); also kml|gpkg with --out. "
            "Default: table, or from the --out file suffix.",
        ),
    ] = None,
    population: Annotated[
        str,
        typer.Option(
            "--population",
            "-p",
            help="Who lives there: 'places' (GeoNames places, an estimate), 'default' "
            "(bundled dasymetric grid, 30 arc-seconds; built on first use), 'default-2.5m', "
            "or a population GeoTIFF in lat/lon (GHS-POP, WorldPop, GPW, LandScan).",
        ),
    ] = "places",
    out: Annotated[
        list[Path] | None,
        typer.Option(
            "--out",
            "-o",
            help="Write to FILE (repeatable; format from the suffix: .geojson "
            ".json .csv .kml .gpkg .txt .md). A summary is still printed.",
        ),
    ] = None,
    site_km: Annotated[
        float,
        typer.Option(
            "--site-km",
            help="Each site lies somewhere within this many km of the point given: "
            "adds tiers (certain / possible / unreachable) and probabilities.",
        ),
    ] = 0.0,
    max_range: Annotated[
        str | None,
        typer.Option(
            "--max-range",
            help="The maximum range is only known to an interval, e.g. '4,500-5,500 km' "
            "(replaces the maximum of --range, which may then be omitted).",
        ),
    ] = None,
    max_range_mode: Annotated[
        str | None,
        typer.Option(
            "--max-range-mode",
            help="Most likely maximum range (draws are then triangular, not uniform).",
        ),
    ] = None,
    draws: Annotated[
        int,
        typer.Option(help="Monte Carlo draws for probabilities under uncertainty (0: tiers only)."),
    ] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the draws (same seed, same numbers).")] = 0,
) -> None:
    """Countries, capitals and people within reach of one or more sites.

    With --site-km or --max-range, places and countries are also put in tiers
    (certainly, possibly or not reachable) and given seeded Monte Carlo probabilities.
    """
    from reachmap.export import (
        FILE_FORMATS,
        FORMATS,
        check_out_path,
        format_for_path,
        render,
        write,
    )
    from reachmap.reach import analyze, population_for, resolve_site
    from reachmap.units import parse_range

    all_formats = [*FORMATS, "kml", "gpkg"]
    try:
        if not site:
            raise InputError("site", "", "at least one --site (a place name or 'lat,lon')")
        if range_text is None and max_range is None:
            raise InputError("range", "", "a --range such as '500-5500 km' or '310 to 3,400 miles'")
        if max_range_mode is not None and max_range is None:
            raise InputError("max_range_mode", max_range_mode, "a --max-range interval with it")
        if fmt is not None and fmt not in all_formats:
            raise InputError("format", fmt, "one of " + ", ".join(all_formats))
        if fmt is not None and len(out or []) > 1:
            raise InputError(
                "format",
                fmt,
                "no --format with several --out files "
                "(each file's format comes from its suffix: " + ", ".join(FILE_FORMATS) + ")",
            )
        targets = [(p, format_for_path(p, fmt)) for p in (out or [])]
        for path, _ in targets:
            check_out_path(path)
        if not targets and fmt in ("kml", "gpkg"):
            raise InputError(
                "format",
                fmt,
                f"--out FILE with {fmt} (it is a binary or "
                "multi-layer format); on the terminal use one of " + ", ".join(FORMATS),
            )
        sites = [resolve_site(s, field="site") for s in site]
        uncertain = _uncertainty(
            range_text, sites, site_km=site_km, max_range=max_range, mode=max_range_mode,
            draws=draws, seed=seed,
        )  # fmt: skip
        if range_text is not None:
            rng = parse_range(range_text, field="range")
        else:  # only --max-range: the table shows its widest reach
            assert uncertain is not None
            rng = uncertain[1].nominal
        reach_km = uncertain[1].best[1] + site_km if uncertain is not None else rng.max_km
        raster = population_for(population, sites, reach_km)
    except ReachmapError as err:
        _fail(err)

    with err_console.status("Computing reach on the WGS84 ellipsoid…"):
        result = analyze(sites, rng, raster)
    tiers = None
    if uncertain:
        from reachmap.clitiers import progress_bar
        from reachmap.probability import analyze_uncertain

        with progress_bar("Monte Carlo draws") as bar:
            task = bar.add_task("draws", total=max(draws, 1))
            tiers = analyze_uncertain(
                uncertain[0], uncertain[1], raster, draws=draws, seed=seed,
                progress=lambda n: bar.update(task, completed=n),
            )  # fmt: skip
    try:
        write(result, targets, tiers)
    except ReachmapError as err:
        _fail(err)
    for path, path_fmt in targets:
        err_console.print(f"wrote {path} ({path_fmt})", highlight=False, soft_wrap=True)
    if targets or (fmt or "table") == "table":
        _print_table(result)
        if tiers is not None:
            from reachmap.clitiers import print_tiers

            print_tiers(tiers, out_console)
    else:
        sys.stdout.write(render(result, fmt or "table", tiers))


def _uncertainty(
    range_text: str | None,
    sites: list[Any],
    *,
    site_km: float,
    max_range: str | None,
    mode: str | None,
    draws: int,
    seed: int,
) -> tuple[list[Any], Any] | None:
    """Uncertain sites and range from the reach options, or None if nothing is uncertain."""
    from reachmap.uncertainty import MAX_DRAWS, UncertainRange, UncertainSite, parse_interval
    from reachmap.units import parse_range

    if not 0 <= draws <= MAX_DRAWS:
        raise InputError("draws", draws, f"a whole number from 0 to {MAX_DRAWS:,}")
    if not 0 <= seed < 2**63:
        raise InputError("seed", seed, "a whole number from 0 to 2**63 - 1")
    usites = [UncertainSite(s, radius_km=site_km) for s in sites]  # checks site_km
    if site_km == 0 and max_range is None:
        return None
    interval = parse_interval(max_range, field="max_range", mode=mode) if max_range else None
    if range_text is not None:
        rng = UncertainRange.from_range(parse_range(range_text, field="range"),
                                        max_interval=interval)  # fmt: skip
    else:
        assert interval is not None
        rng = UncertainRange.from_range(parse_range(f"{interval.hi_km!r} km"),
                                        max_interval=interval)  # fmt: skip
    return usites, rng


def _print_table(result: object) -> None:
    from reachmap.reach import ReachResult

    assert isinstance(result, ReachResult)
    t = result.to_dict()["totals"]
    rng = result.range
    c = out_console
    sites = ", ".join(f"{s.label} ({s.lat:.4f}, {s.lon:.4f})" for s in result.sites)
    c.print(f"[bold]Sites:[/] {sites}")
    c.print(f"[bold]Range:[/] {rng.text!r} → {rng.min_km:,.1f}–{rng.max_km:,.1f} km")
    table = Table(title="Countries within reach", show_lines=False)
    for col in ("country", "status", "area reached", "est. population reached"):
        table.add_column(col, justify="left" if col in ("country", "status") else "right")
    rows = [
        *result.countries_with("full"),
        *result.countries_with("partial"),
        *result.countries_with("inside-min-range"),
    ]
    for row in rows:
        table.add_row(
            f"{row.name} ({row.iso2})" if row.iso2 else row.name,
            row.status,
            f"{100 * row.area_share:.1f}%",
            f"{row.population_reached_estimate:,}",
        )
    c.print(table)
    caps = Table(title="Capitals")
    for col in ("status", "count", "capitals (nearest site distance)"):
        caps.add_column(col)
    for status in ("reached", "inside-min-range", "beyond-max-range"):
        items = result.capitals_with(status)
        shown = items if status != "beyond-max-range" else items[:8]
        text = ", ".join(f"{x.name} {x.nearest_km:,.0f} km" for x in shown)
        if len(shown) < len(items):
            text += f", … ({len(items) - len(shown)} more)"
        caps.add_row(status, str(len(items)), text)
    c.print(caps)
    c.print(
        f"Places within reach: {t['places_reached']:,} of {t['places_count']:,} "
        f"(population {t['places_population_reached']:,}). Estimated population within reach: "
        f"[bold]{t['population_reached_estimate']:,}[/] of {t['world_population']:,} "
        f"(source: {result.population_source})."
    )


@app.command()
def distance(
    a: Annotated[str, typer.Argument(help="Place name or 'lat,lon'.")],
    b: Annotated[str, typer.Argument(help="Place name or 'lat,lon'.")],
) -> None:
    """Geodesic distance between two places on WGS84, in km, miles and nautical miles."""
    from reachmap.geodesy import inverse
    from reachmap.reach import resolve_site
    from reachmap.units import KM_PER_MILE, KM_PER_NMI

    try:
        sa = resolve_site(a, field="A")
        sb = resolve_site(b, field="B")
    except ReachmapError as err:
        _fail(err)
    km, az = inverse(lat1=sa.lat, lon1=sa.lon, lat2=sb.lat, lon2=sb.lon)
    out_console.print(
        f"{sa.label} → {sb.label}: [bold]{km:,.3f} km[/] ({km / KM_PER_MILE:,.2f} mi, "
        f"{km / KM_PER_NMI:,.2f} nmi); initial azimuth {az % 360:.2f}°",
        highlight=False,
    )


@app.command()
def place(
    name: Annotated[str, typer.Argument(help="Name to look up (any spelling GeoNames knows).")],
    limit: Annotated[int, typer.Option(help="How many matches to show.")] = 10,
) -> None:
    """Look up a place in the bundled gazetteer (GeoNames), with close matches."""
    from reachmap.gazetteer import search_places

    try:
        if not 1 <= limit <= 100:
            raise InputError("limit", limit, "a whole number from 1 to 100")
        if not name.strip():
            raise InputError("name", name, "a place name")
        found = search_places(name, limit=limit)
    except ReachmapError as err:
        _fail(err)
    if not found:
        _fail(InputError("name", name, "a place the bundled GeoNames data knows"))
    table = Table(title=f"Places matching {name!r}")
    for col in ("name", "country", "lat", "lon", "population", "capital"):
        table.add_column(col, justify="right" if col in ("lat", "lon", "population") else "left")
    for p in found:
        table.add_row(
            p.name,
            p.country,
            f"{p.lat:.5f}",
            f"{p.lon:.5f}",
            f"{p.population:,}",
            "yes" if p.is_capital else "",
        )
    out_console.print(table)


@app.command()
def report(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML); see examples/.")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="HTML file to write (default: the scenario's name .html)."
        ),
    ] = None,
) -> None:
    """Render a scenario file into a self-contained HTML report (map, tables, sources)."""
    from reachmap.export import check_out_path
    from reachmap.report import write_report
    from reachmap.scenario import load_scenario, render_scenario, run_scenario

    target = out or scenario.with_suffix(".html")
    try:
        check_out_path(target)
        sc = load_scenario(scenario)
        with err_console.status("Computing the scenario…"):
            run = run_scenario(sc)
            page = render_scenario(run, scenario_text=scenario.read_text(encoding="utf-8"))
        write_report(target, page)
    except ReachmapError as err:
        _fail(err)
    for v in run.verdicts:
        out_console.print(f"{v.claim} ({v.region}): [bold]{v.verdict}[/]", highlight=False)
    err_console.print(f"wrote {target}", highlight=False, soft_wrap=True)


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

    from reachmap.classification import classifiable
    from reachmap.classification import classify as classify_range

    try:
        if (system is None) == (range_text is None):
            raise InputError("system", system or "", "a catalog system or --range, not both")
        day = _parse_day(on) if on else dt.date.today()
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
        _fail(err)
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


def _parse_day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise InputError("on", text, "a date YYYY-MM-DD") from None


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
        str | None, typer.Option("--range", "-r", help="Range as published.")
    ] = None,
    on: Annotated[
        str | None, typer.Option(help="Membership date YYYY-MM-DD (default: today).")
    ] = None,
    population: Annotated[str, typer.Option("--population", "-p")] = "places",
) -> None:
    """Check "it can cover all of <region>": verdict, numbers and every exception."""
    import datetime as dt

    from reachmap.catalog import load_catalog
    from reachmap.claims import check_region
    from reachmap.reach import analyze, population_for, resolve_site
    from reachmap.regions import region as find_region
    from reachmap.scenario import deployment_site
    from reachmap.units import parse_range

    try:
        if (system is None) == (range_text is None):
            raise InputError("system", system or "", "a catalog --system or a --range, not both")
        day = _parse_day(on) if on else dt.date.today()
        catalog = load_catalog()
        rng = catalog.find_system(system).range.km if system else parse_range(str(range_text))
        sites = [resolve_site(s) for s in (site or [])]
        sites += [deployment_site(catalog, d) for d in (deployment or [])]
        if not sites:
            raise InputError("site", "", "at least one --site or --deployment")
        reg = find_region(region_name)
        raster = population_for(population, sites, rng.max_km)
    except ReachmapError as err:
        _fail(err)
    with err_console.status("Computing reach on the WGS84 ellipsoid…"):
        result = analyze(sites, rng, raster)
    try:
        verdict = check_region(result, reg, on=day)
    except ReachmapError as err:
        _fail(err)
    out_console.print(str(verdict), highlight=False)


@app.command()
def ingest(
    article: Annotated[Path, typer.Argument(help="The article, as a plain-text file (UTF-8).")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Review file to write (default: ARTICLE.review.toml)."),
    ] = None,
    report_path: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Markdown report of the extractions and the claim checks "
            "(default: ARTICLE.report.md).",
        ),
    ] = None,
    on: Annotated[
        str | None, typer.Option(help="Date for region memberships YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """Read an article: its systems, ranges, places, deployments and claims, for review."""
    import datetime as dt

    from reachmap.export import check_out_path
    from reachmap.ingest import extract
    from reachmap.ingestreview import render_ingest_report, review_toml, run_checks
    from reachmap.report import write_report

    review = out or article.with_suffix(".review.toml")
    report_file = report_path or article.with_suffix(".report.md")
    try:
        day = _parse_day(on) if on else dt.date.today()
        for target in (review, report_file):
            check_out_path(target)
        try:
            text = article.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(
                "article", str(article), f"a readable UTF-8 text file ({err})"
            ) from None
        ex = extract(text)
        checks = run_checks(ex, on=day)
        toml_text = review_toml(ex, source=article.name)
        md = render_ingest_report(ex, checks, source=article.name)
        write_report(review, toml_text)
        write_report(report_file, md)
    except ReachmapError as err:
        _fail(err)
    if ex.empty:
        out_console.print("nothing to extract: the article names no system, range, place, "
                          "deployment, quantity, date, treaty or claim reachmap reads",
                          highlight=False)  # fmt: skip
    else:
        counts: dict[str, int] = {}
        for x in ex.items:
            counts[x.kind] = counts.get(x.kind, 0) + 1
        out_console.print(", ".join(f"{n} {k}" for k, n in counts.items()), highlight=False)
        for c in checks:
            result = c.get("verdict") or f"not run ({c['not_run']})"
            out_console.print(f"claim “{c['claim']}”: [bold]{result}[/]", highlight=False)
    err_console.print(f"wrote {review} and {report_file}", highlight=False, soft_wrap=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="SQLAlchemy URL of the scenario store (default: $REACHMAP_DATABASE_URL, "
            "else a SQLite file in the user data directory); postgresql://… works too.",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="REACHMAP_API_TOKEN",
            help="Writes (saving scenarios) need 'Authorization: Bearer TOKEN'.",
        ),
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(help="Allow browser calls from this origin (repeatable; default: none)."),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Server processes (a reach analysis holds one CPU core).",
        ),
    ] = 1,
) -> None:
    """Serve the web app and the HTTP API (OpenAPI schema at /api/v1/openapi.json)."""
    import os

    try:
        import uvicorn

        from reachmap.server.app import Settings, create_app
    except ImportError as err:
        err_console.print(
            f"error: serve needs the web extra ({err.name} is missing): "
            "pip install 'reachmap[web]'",
            markup=False, highlight=False, soft_wrap=True,
        )  # fmt: skip
        raise typer.Exit(code=2) from None
    from reachmap.server.storage import default_database_url

    settings = Settings.from_env()
    settings = Settings(
        database_url=database_url or settings.database_url or default_database_url(),
        token=token or None,
        cors_origins=tuple(cors_origin or settings.cors_origins),
    )
    try:
        web = create_app(settings)  # checks the settings and migrates the database once
    except ReachmapError as err:
        _fail(err)
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    err_console.print(
        f"reachmap {__version__} serving on [bold]{url}[/] "
        f"(API docs {url}api/v1/docs; database {web.state.store.backend}; "
        f"{workers} worker{'s' if workers > 1 else ''}); Ctrl-C stops",
        highlight=False,
        soft_wrap=True,
    )
    if workers == 1:
        uvicorn.run(web, host=host, port=port, log_level="warning")
        return
    web.state.store.close()
    # each worker process builds its own app from the environment (Settings.from_env)
    assert settings.database_url is not None
    os.environ["REACHMAP_DATABASE_URL"] = settings.database_url
    os.environ["REACHMAP_CORS_ORIGINS"] = ",".join(settings.cors_origins)
    if settings.token:
        os.environ["REACHMAP_API_TOKEN"] = settings.token
    else:
        os.environ.pop("REACHMAP_API_TOKEN", None)
    uvicorn.run(
        "reachmap.server.app:create_app", factory=True, host=host, port=port,
        workers=workers, log_level="warning",
    )  # fmt: skip


catalog_app = typer.Typer(help="The sourced catalog of systems, sites, deployments and events.")
app.add_typer(catalog_app, name="catalog")


@catalog_app.command("validate")
def catalog_validate(
    directory: Annotated[
        Path | None, typer.Argument(help="Catalog directory (default: the bundled catalog).")
    ] = None,
) -> None:
    """Check every catalog file; print each problem as file:line: message (exit 1 if any)."""
    from reachmap.catalog import validate_catalog

    problems = validate_catalog(directory)
    for p in problems:
        out_console.print(str(p), markup=False, highlight=False)
    if problems:
        err_console.print(f"{len(problems)} problem(s)", highlight=False)
        raise typer.Exit(code=1)
    out_console.print("catalog OK", highlight=False)


def _register_sweep() -> None:
    from reachmap.clitiers import sweep

    app.command("sweep")(sweep)


_register_sweep()
