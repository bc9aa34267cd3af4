"""``reachmap reach``, ``distance`` and ``place``: what a range covers, and where places are."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from reachmap.cli.app import app, err_console, fail, out_console
from reachmap.errors import InputError, ReachmapError

__all__ = ["distance", "place", "reach"]


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
    ranges: Annotated[
        list[str] | None,
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
    from reachmap.analysis.reach import analyze, population_for, resolve_site
    from reachmap.geo.units import parse_range
    from reachmap.report.export import (
        FILE_FORMATS,
        FORMATS,
        check_out_path,
        format_for_path,
        render,
        write,
    )

    all_formats = [*FORMATS, "kml", "gpkg"]
    try:
        if ranges and len(ranges) > 1:  # several rings in one map: not yet (issue 13, item 5)
            raise InputError("range", " and ".join(ranges), "one --range per analysis")
        range_text = ranges[0] if ranges else None
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
        fail(err)

    with err_console.status("Computing reach on the WGS84 ellipsoid…"):
        result = analyze(sites, rng, raster)
    tiers = None
    if uncertain:
        from reachmap.analysis.probability import analyze_uncertain
        from reachmap.cli.tiers import progress_bar

        with progress_bar("Monte Carlo draws") as bar:
            task = bar.add_task("draws", total=max(draws, 1))
            tiers = analyze_uncertain(
                uncertain[0], uncertain[1], raster, draws=draws, seed=seed,
                progress=lambda n: bar.update(task, completed=n),
            )  # fmt: skip
    try:
        write(result, targets, tiers)
    except ReachmapError as err:
        fail(err)
    for path, path_fmt in targets:
        err_console.print(f"wrote {path} ({path_fmt})", highlight=False, soft_wrap=True)
    if targets or (fmt or "table") == "table":
        _print_table(result)
        if tiers is not None:
            from reachmap.cli.tiers import print_tiers

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
    from reachmap.analysis.uncertainty import (
        MAX_DRAWS,
        UncertainRange,
        UncertainSite,
        parse_interval,
    )
    from reachmap.geo.units import parse_range

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
    from reachmap.analysis.reach import ReachResult

    assert isinstance(result, ReachResult)
    t = result.to_dict()["totals"]
    rng = result.range
    c = out_console
    sites = ", ".join(f"{s.label} ({s.lat:.4f}, {s.lon:.4f})" for s in result.sites)
    c.print(f"[bold]Sites:[/] {sites}")
    c.print(f"[bold]Range:[/] {rng.text!r} → {rng.min_km:,.1f}–{rng.max_km:,.1f} km")
    from rich.table import Table

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
    from reachmap.geo.geodesy import inverse
    from reachmap.geo.units import KM_PER_MILE, KM_PER_NMI
    from reachmap.world.sites import resolve_site

    try:
        sa = resolve_site(a, field="A")
        sb = resolve_site(b, field="B")
    except ReachmapError as err:
        fail(err)
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
    from reachmap.world.gazetteer import search_places

    try:
        if not 1 <= limit <= 100:
            raise InputError("limit", limit, "a whole number from 1 to 100")
        if not name.strip():
            raise InputError("name", name, "a place name")
        found = search_places(name, limit=limit)
    except ReachmapError as err:
        fail(err)
    if not found:
        fail(InputError("name", name, "a place the bundled GeoNames data knows"))
    from rich.table import Table

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
