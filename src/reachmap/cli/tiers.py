"""The command line's uncertainty parts: tier tables for ``reach`` and ``reachmap sweep``.

Kept apart from :mod:`reachmap.cli.reach` so that each file stays about one thing
(:mod:`reachmap.cli.main` registers :func:`sweep`); the same rules hold: parse, call the
core, report, and turn a bad input into one line and exit code 2.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from reachmap.cli.app import err_console, fail, out_console
from reachmap.errors import InputError, ReachmapError

if TYPE_CHECKING:  # rich's tables and bars load when a command prints one, not at start-up
    from rich.console import Console
    from rich.progress import Progress

__all__ = ["print_tiers", "progress_bar", "sweep"]



def progress_bar(label: str) -> Progress:
    """Return a rich progress bar on stderr (``label``, bar, done/total, elapsed)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def _p(x: float) -> str:
    return "–" if math.isnan(x) else f"{100 * x:.0f}%"


def print_tiers(result: Any, console: Console | None = None, *, rows: int = 25) -> None:
    """Print an :class:`~reachmap.analysis.probability.UncertainResult` as tables.

    Parameters
    ----------
    result : UncertainResult
        Tiers and (with draws) probabilities.
    console : rich.console.Console, optional
        Where to print (default: stdout).
    rows : int
        Most countries and capitals listed per table.
    """
    from rich.table import Table

    c = console or out_console
    sites = "; ".join(s.label for s in result.sites)
    c.print(
        f"[bold]Under uncertainty:[/] sites {sites}; range {result.range.text}", highlight=False
    )
    mc = f"{result.draws} Monte Carlo draws, seed {result.seed}" if result.draws else "no draws"
    table = Table(title=f"Countries by tier ({mc})")
    for col in ("country", "tier", "certainly reached", "possibly reached", "P(reached)",
                "P(all of it)"):  # fmt: skip
        table.add_column(col, justify="left" if col in ("country", "tier") else "right")
    listed = [*result.countries_in("certain"), *result.countries_in("possible")]
    for row in listed[:rows]:
        table.add_row(
            f"{row.name} ({row.iso2})" if row.iso2 else row.name,
            row.tier + (" (all)" if row.certain_full else ""),
            f"{row.certain_population:,}",
            f"{row.possible_population:,}",
            _p(row.probability_reached),
            _p(row.probability_full),
        )
    if len(listed) > rows:
        table.caption = f"{len(listed) - rows} more countries certainly or possibly reached"
    c.print(table)
    caps = Table(title="Capitals by tier")
    for col in ("tier", "count", "capitals (distance from the nearest site's area; P)"):
        caps.add_column(col)
    for tier in ("certain", "possible"):
        items = result.capitals_in(tier)
        shown = items[:12]
        text = ", ".join(
            f"{x.name} {x.min_km:,.0f}–{x.max_km:,.0f} km"
            + ("" if math.isnan(x.probability) or tier == "certain" else f" {_p(x.probability)}")
            for x in shown
        )
        if len(shown) < len(items):
            text += f", … ({len(items) - len(shown)} more)"
        caps.add_row(tier, str(len(items)), text)
    c.print(caps)
    spread = ""
    if not math.isnan(result.population_mean):
        spread = (
            f"; over the draws {result.population_mean:,.0f} on average "
            f"(5–95%: {result.population_p05:,.0f}–{result.population_p95:,.0f})"
        )
    c.print(
        f"People certainly reached: [bold]{result.population_certain:,}[/], possibly: "
        f"{result.population_possible:,}{spread} (source: {result.population_source}). "
        "Probabilities describe the stated uncertainty of sites and range, not the world.",
        highlight=False,
    )


def sweep(
    spec_path: Annotated[
        Path, typer.Argument(help="Sweep file (TOML); see examples/sweeps/belarus.toml.")
    ],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Directory for results.parquet, results.csv, summary.md."),
    ] = Path("sweep-out"),
    scheduler: Annotated[
        str | None,
        typer.Option(help="Address of an existing Dask scheduler, e.g. tcp://host:8786."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Start this many local Dask worker processes (default: in-process)."),
    ] = None,
) -> None:
    """Run a grid of uncertain reach scenarios on Dask; write tidy results and a summary."""
    from reachmap.analysis.reach import POPULATION_CHOICES, load_population
    from reachmap.analysis.sweep import load_sweep, summary_markdown, write_outputs
    from reachmap.batch import dask_client, run_on_dask

    try:
        if out.exists() and not out.is_dir():
            raise InputError("out", str(out), "a directory (it is a file)")
        spec = load_sweep(spec_path)
        scenarios = spec.scenarios()
        if scheduler is None:  # build/open the grids once here, not in every worker
            for pop in spec.grid.populations:
                if pop in POPULATION_CHOICES:
                    load_population(pop)
        started = time.perf_counter()
        with (
            dask_client(scheduler=scheduler, workers=workers) as client,
            progress_bar(f"{len(scenarios)} scenarios") as bar,
        ):
            task = bar.add_task("sweep", total=len(scenarios))
            rows = run_on_dask(spec, client, progress=lambda n: bar.update(task, completed=n))
        seconds = time.perf_counter() - started
        written = write_outputs(rows, out, spec=spec, seconds=seconds)
    except ReachmapError as err:
        fail(err)
        return
    text = summary_markdown(rows, spec=spec, seconds=seconds).splitlines()
    if len(text) > 60:
        text = [*text[:60], f"… {len(text) - 60} more lines in {out / 'summary.md'}"]
    out_console.print("\n".join(text), markup=False, highlight=False)
    for path in written:
        err_console.print(f"wrote {path}", highlight=False, soft_wrap=True)
