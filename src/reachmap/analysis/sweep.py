"""Sweeps: a grid of uncertain reach analyses, one tidy row per scenario and region.

A sweep file (TOML) names the values of each dimension; the scenarios are every
combination of them: *systems* (catalog systems and explicit published ranges) ×
*maximum-range intervals* × *sites* (each place or deployment alone) × *site radii* ×
*population sources*. Each scenario is one :func:`reachmap.analysis.probability.analyze_uncertain`
run, reported for every *region* (and the whole world)::

    title = "Intermediate-range systems in Belarus"
    on = 2026-11-25        # date of region memberships (NATO, EU ...)
    draws = 200            # Monte Carlo draws per scenario (0: tiers only)
    seed = 1

    [grid]
    systems = ["Oreshnik"]
    ranges = ["500-5,500 km"]          # explicit published ranges (ground-based)
    max_ranges = ["4,500-5,500 km"]    # optional: intervals replacing each maximum range
    sites = ["Minsk"]                  # place names or "lat,lon"
    deployments = ["oreshnik-belarus"] # catalog deployments (their site's radius)
    site_km = [0, 30]                  # optional: radii (km) for every site
    populations = ["places", "default-2.5m"]
    regions = ["europe", "nato", "eu"]

:func:`scenario_rows` computes one scenario (it is what a Dask worker runs);
:func:`run_serial` runs them all in this process, and :mod:`reachmap.batch` on Dask.
Each scenario's Monte Carlo seed is derived from the sweep's seed and the scenario's
index, so the numbers do not depend on where or in which order scenarios run.

The sweep takes the sites and systems it is given; it never chooses or ranks sites.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Final

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from reachmap.analysis.scenario import IsoDate, read_toml_model
from reachmap.errors import InputError

__all__ = [
    "SWEEP_COLUMNS",
    "SweepScenario",
    "SweepSpec",
    "load_sweep",
    "run_serial",
    "scenario_rows",
    "write_outputs",
]

#: Most scenarios one sweep file may expand to.
MAX_SCENARIOS: Final = 10_000


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


_Texts = Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=500)]


class SweepGrid(_Model):
    """The values of each dimension of the sweep."""

    systems: _Texts = []
    ranges: _Texts = []
    max_ranges: _Texts = []
    sites: _Texts = []
    deployments: _Texts = []
    site_km: Annotated[list[Annotated[float, Field(ge=0.0, le=1000.0)]], Field(max_length=100)] = []
    populations: _Texts = ["places"]
    regions: _Texts = []

    @model_validator(mode="after")
    def _some(self) -> SweepGrid:
        if not self.systems and not self.ranges:
            raise ValueError("give at least one of 'systems' (catalog) or 'ranges' (as published)")
        if not self.sites and not self.deployments:
            raise ValueError("give at least one of 'sites' (places) or 'deployments' (catalog)")
        if not self.populations:
            raise ValueError("give at least one population source")
        return self


class SweepSpec(_Model):
    """A whole sweep file."""

    title: str = "sweep"
    on: IsoDate = Field(default_factory=dt.date.today)
    draws: Annotated[int, Field(ge=0, le=100_000)] = 0
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    grid: SweepGrid

    def scenarios(self) -> list[SweepScenario]:
        """Every combination of the grid's values, in a fixed order."""
        g = self.grid
        systems = [("system", s) for s in g.systems] + [("range", r) for r in g.ranges]
        sites = [("place", s) for s in g.sites] + [("deployment", d) for d in g.deployments]
        radii: list[float | None] = list(g.site_km) or [None]
        max_ranges: list[str | None] = list(g.max_ranges) or [None]
        combos = itertools.product(systems, max_ranges, sites, radii, g.populations)
        out = [
            SweepScenario(
                index=i, system_kind=sk, system=sv, max_range=mr, site_kind=tk, site=tv,
                site_km=r, population=p, draws=self.draws,
                seed=int(np.random.SeedSequence([self.seed, i]).generate_state(1)[0]),
                regions=tuple(g.regions), on=self.on,
            )
            for i, ((sk, sv), mr, (tk, tv), r, p) in enumerate(combos)
        ]  # fmt: skip
        if len(out) > MAX_SCENARIOS:
            raise InputError("grid", f"{len(out):,} scenarios", f"at most {MAX_SCENARIOS:,}")
        return out


@dataclass(frozen=True)
class SweepScenario:
    """One scenario of a sweep: plain values, cheap to send to a worker."""

    index: int
    system_kind: str  # "system" (catalog) or "range" (published text, ground-based)
    system: str
    max_range: str | None
    site_kind: str  # "place" or "deployment"
    site: str
    site_km: float | None
    population: str
    draws: int
    seed: int
    regions: tuple[str, ...]
    on: dt.date


#: The columns of a sweep's output, in order (one row per scenario and region).
SWEEP_COLUMNS: Final = (
    "scenario", "system", "range", "max_range", "site", "site_lat", "site_lon", "site_km",
    "population_source", "region", "region_name", "countries", "countries_certain_full",
    "countries_possible", "population", "population_certain", "population_possible",
    "population_mean", "population_p05", "population_p95", "probability_any",
    "probability_all", "draws", "seed",
)  # fmt: skip


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file; every reference is resolved before anything runs.

    Raises
    ------
    InputError
        Unreadable file, TOML syntax error, a field missing or not allowed (the message
        names its path, e.g. ``grid.site_km.1``), or an unknown system, place,
        deployment, region or population source.
    """
    spec = read_toml_model(path, SweepSpec, kind="sweep")
    check_references(spec)
    return spec


def check_references(spec: SweepSpec) -> None:
    """Resolve every system, range, place, deployment, region and population once.

    Raises
    ------
    InputError
        The first reference that does not resolve, with its field.
    """
    from reachmap.analysis.reach import POPULATION_CHOICES
    from reachmap.analysis.uncertainty import parse_interval, uncertain_sites
    from reachmap.rules.classification import classifiable

    g = spec.grid
    for s in g.systems:
        classifiable(system=s, field="grid.systems")
    for r in g.ranges:
        classifiable(range_text=r, basing="ground", field="grid.ranges")
    for m in g.max_ranges:
        parse_interval(m, field="grid.max_ranges")
    uncertain_sites(places=g.sites, deployments=g.deployments, field="grid")
    for region_id in g.regions:
        _region_rows(region_id, spec.on)
    for pop in g.populations:
        if pop in POPULATION_CHOICES:
            continue
        if not pop.lower().endswith((".tif", ".tiff")):
            raise InputError(
                "grid.populations", pop,
                "one of " + ", ".join(POPULATION_CHOICES) + " or a GeoTIFF path",
            )  # fmt: skip
        if not Path(pop).is_file():
            raise InputError("grid.populations", pop, "a GeoTIFF file that exists")
    spec.scenarios()


def _region_rows(region_id: str, on: dt.date) -> tuple[str, np.ndarray, list[Any]]:
    """Name, country-table rows and counted parts of a region on a date.

    A member the region counts in part (geographic Europe's Russia, the metropolitan
    EU's France) is measured on that part: its row is left out and its part returned.
    """
    from reachmap.world.regions import region

    reg = region(region_id)
    if reg.kind in ("cities", "capitals"):
        raise InputError(
            "grid.regions", region_id, "a region of countries (a continent, group or country)"
        )
    parts = reg.parts()
    rows = np.asarray(reg.countries_on(on), dtype=np.int64)
    whole = np.array([i for i in rows if str(_countries().iso2[i]) not in parts], dtype=np.int64)
    return reg.name, whole, [parts[k] for k in sorted(parts) if k in reg.members_on(on)]


def _countries() -> Any:
    from reachmap.world.tables import load_countries

    return load_countries()


@functools.lru_cache(maxsize=4)
def _population(spec: str) -> Any:
    from reachmap.analysis.reach import load_population

    return load_population(spec)


def scenario_rows(sc: SweepScenario) -> list[dict[str, Any]]:
    """Compute one scenario; one row per region, then the world, in :data:`SWEEP_COLUMNS`.

    Parameters
    ----------
    sc : SweepScenario
        The scenario (from :meth:`SweepSpec.scenarios`).

    Returns
    -------
    list of dict
    """
    from reachmap.analysis.probability import analyze_uncertain
    from reachmap.analysis.uncertainty import UncertainRange, parse_interval, uncertain_sites
    from reachmap.rules.classification import classifiable

    if sc.system_kind == "system":
        subject = classifiable(system=sc.system, field="grid.systems")
    else:
        subject = classifiable(range_text=sc.system, basing="ground", field="grid.ranges")
    interval = parse_interval(sc.max_range, field="grid.max_ranges") if sc.max_range else None
    rng = UncertainRange.from_classifiable(subject, max_interval=interval)
    places = [sc.site] if sc.site_kind == "place" else []
    deployments = [sc.site] if sc.site_kind == "deployment" else []
    (site,) = uncertain_sites(
        places=places, deployments=deployments, radius_km=sc.site_km, field="grid"
    )
    regions = [(r, *_region_rows(r, sc.on)) for r in sc.regions]
    parts = [p for _, _, _, ps in regions for p in ps]
    result = analyze_uncertain(
        [site], rng, _population(sc.population), draws=sc.draws, seed=sc.seed, parts=parts
    )
    name = subject.system.name if subject.system is not None else f"range {sc.system}"
    base = {
        "scenario": sc.index,
        "system": name,
        "range": rng.text,
        "max_range": sc.max_range or "",
        "site": site.site.label,
        "site_lat": site.site.lat,
        "site_lon": site.site.lon,
        "site_km": site.radius_km,
        "population_source": result.population_source,
        "draws": sc.draws,
        "seed": sc.seed,
    }
    n = len(result.countries)
    columns, first = [], n
    for rid, rname, rows, ps in regions:  # a region's parts are the next columns after n
        columns.append((rid, rname, np.concatenate([rows, np.arange(first, first + len(ps))])))
        first += len(ps)
    columns.append(("world", "World", np.arange(n, dtype=np.int64)))
    return [base | _region_stats(result, rid, rname, cols) for rid, rname, cols in columns]


def _region_stats(result: Any, rid: str, rname: str, rows: np.ndarray) -> dict[str, Any]:
    rows = rows.astype(np.int64)
    every = (*result.countries, *result.parts)
    countries = [every[i] for i in rows]
    stats: dict[str, Any] = {
        "region": rid,
        "region_name": rname,
        "countries": len(countries),
        "countries_certain_full": sum(c.certain_full for c in countries),
        "countries_possible": sum(c.tier != "unreachable" for c in countries),
        "population": sum(c.population for c in countries),
        "population_certain": sum(c.certain_population for c in countries),
        "population_possible": sum(c.possible_population for c in countries),
    }
    draws = result.draw_population
    if draws.shape[0] and rows.size:
        people = draws[:, rows].sum(axis=1)
        stats |= {
            "population_mean": float(people.mean()),
            "population_p05": float(np.percentile(people, 5)),
            "population_p95": float(np.percentile(people, 95)),
            "probability_any": float((people > 0).mean()),
            "probability_all": float(result.draw_full[:, rows].all(axis=1).mean()),
        }
    else:
        nan = float("nan")
        stats |= dict.fromkeys(
            ("population_mean", "population_p05", "population_p95", "probability_any",
             "probability_all"), nan,
        )  # fmt: skip
    return stats


def run_serial(
    spec: SweepSpec, *, progress: Callable[[int], None] | None = None
) -> list[dict[str, Any]]:
    """Run every scenario here, one after another: the reference for :mod:`reachmap.batch`.

    Parameters
    ----------
    spec : SweepSpec
        The sweep.
    progress : callable, optional
        Called with the number of scenarios done after each one.

    Returns
    -------
    list of dict
        The rows, by scenario then region (see :data:`SWEEP_COLUMNS`).
    """
    rows: list[dict[str, Any]] = []
    for k, sc in enumerate(spec.scenarios()):
        rows.extend(scenario_rows(sc))
        if progress is not None:
            progress(k + 1)
    return rows


def write_outputs(
    rows: Sequence[dict[str, Any]], out_dir: str | Path, *, spec: SweepSpec, seconds: float
) -> list[Path]:
    """Write ``results.parquet``, ``results.csv`` and ``summary.md`` into ``out_dir``.

    Files are written to temporary names and renamed, so a failed run leaves no
    half-written output.

    Returns
    -------
    list of Path
        The files written.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist([{c: r[c] for c in SWEEP_COLUMNS} for r in rows])
    targets = {
        "results.parquet": lambda p: pq.write_table(table, p),
        "results.csv": lambda p: pacsv.write_csv(table, p),
        "summary.md": lambda p: Path(p).write_text(
            summary_markdown(rows, spec=spec, seconds=seconds), encoding="utf-8"
        ),
    }
    written = []
    tmp_paths = []
    try:
        for name, write in targets.items():
            tmp = out / f".{name}.tmp"
            tmp_paths.append(tmp)
            write(str(tmp))
        for name, tmp in zip(targets, tmp_paths, strict=True):
            tmp.replace(out / name)
            written.append(out / name)
    finally:
        for tmp in tmp_paths:
            tmp.unlink(missing_ok=True)
    return written


def _pct(x: float) -> str:
    return "–" if x != x else f"{100 * x:.1f}%"


def _people(x: float) -> str:
    return "–" if x != x else f"{x / 1e6:,.1f} M"


def summary_markdown(rows: Sequence[dict[str, Any]], *, spec: SweepSpec, seconds: float) -> str:
    """Render a readable summary of a sweep: one line per scenario and region."""
    n_sc = len({r["scenario"] for r in rows})
    lines = [
        f"# {spec.title}",
        "",
        f"{n_sc} scenarios, {spec.draws} Monte Carlo draws each (seed {spec.seed}), "
        f"regions as on {spec.on.isoformat()}; computed in {seconds:.1f} s.",
        "",
        "People certainly / possibly reached, and with draws the mean and the share of "
        "draws in which every country of the region is wholly reached (P(all)). "
        "Probabilities describe the stated uncertainty of sites and ranges, not the world.",
        "",
        "| # | system | max range | site | population | region | certain | possible | "
        "mean | P(all) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['scenario']} | {r['system']} | {r['max_range'] or r['range']} | "
            f"{r['site']} ± {r['site_km']:g} km | {r['population_source']} | "
            f"{r['region_name']} | {_people(r['population_certain'])} | "
            f"{_people(r['population_possible'])} | {_people(r['population_mean'])} | "
            f"{_pct(r['probability_all'])} |"
        )
    return "\n".join(lines) + "\n"
