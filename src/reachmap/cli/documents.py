"""``reachmap report`` and ``ingest``: a scenario as an HTML report; an article read."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reachmap.cli.app import app, err_console, fail, out_console, parse_day
from reachmap.errors import InputError, ReachmapError

__all__ = ['ingest', 'report']


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
    from reachmap.analysis.scenario import load_scenario, run_scenario
    from reachmap.report.export import check_out_path
    from reachmap.report.html import write_report
    from reachmap.report.scenario import render_scenario

    target = out or scenario.with_suffix(".html")
    try:
        check_out_path(target)
        sc = load_scenario(scenario)
        with err_console.status("Computing the scenario…"):
            run = run_scenario(sc)
            page = render_scenario(run, scenario_text=scenario.read_text(encoding="utf-8"))
        write_report(target, page)
    except ReachmapError as err:
        fail(err)
    for v in run.verdicts:
        out_console.print(f"{v.claim} ({v.region}): [bold]{v.verdict}[/]", highlight=False)
    err_console.print(f"wrote {target}", highlight=False, soft_wrap=True)


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

    from reachmap.ingest.extract import extract
    from reachmap.ingest.review import render_ingest_report, review_toml, run_checks
    from reachmap.report.export import check_out_path
    from reachmap.report.html import write_report

    review = out or article.with_suffix(".review.toml")
    report_file = report_path or article.with_suffix(".report.md")
    try:
        day = parse_day(on) if on else dt.date.today()
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
        fail(err)
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
