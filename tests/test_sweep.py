"""Sweeps: the grid of scenarios, Dask against serial, tidy files, and the CLI.

References: the serial run (the same computation in one process) for the Dask run;
:func:`reachmap.analysis.probability.analyze_uncertain` called directly for one scenario's row;
GeographicLib distances for tiers in ``reachmap reach --site-km``; region member lists.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from distributed import Client, LocalCluster
from geographiclib.geodesic import Geodesic

from reachmap.analysis.probability import analyze_uncertain
from reachmap.analysis.reach import resolve_site
from reachmap.analysis.sweep import SWEEP_COLUMNS, SweepSpec, load_sweep, run_serial
from reachmap.analysis.uncertainty import UncertainRange, uncertain_sites
from reachmap.batch import run_on_dask
from reachmap.rules.classification import classifiable
from reachmap.world.regions import region

from .test_cli import assert_one_error_line, invoke, plain

ON = dt.date(2026, 11, 25)
SPEC = {
    "title": "test sweep",
    "on": ON,
    "draws": 25,
    "seed": 3,
    "grid": {
        "systems": ["Oreshnik"],
        "ranges": ["500-2,000 km"],
        "sites": ["Minsk"],
        "deployments": ["oreshnik-belarus"],
        "site_km": [0.0, 40.0],
        "regions": ["europe", "nato"],
        "populations": ["places"],
    },
}


def same_rows(a: list[dict], b: list[dict]) -> bool:
    def same(x, y) -> bool:
        return x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))

    return len(a) == len(b) and all(
        r.keys() == s.keys() and all(same(r[k], s[k]) for k in r) for r, s in zip(a, b, strict=True)
    )


@pytest.fixture(scope="module")
def spec() -> SweepSpec:
    return SweepSpec.model_validate(SPEC)


@pytest.fixture(scope="module")
def serial(spec) -> list[dict]:
    return run_serial(spec)


def test_grid_is_every_combination(spec, serial) -> None:
    scenarios = spec.scenarios()
    assert len(scenarios) == 2 * 2 * 2  # systems+ranges x sites+deployments x radii
    assert len(serial) == len(scenarios) * 3  # europe, nato, world
    assert [r["region"] for r in serial[:3]] == ["europe", "nato", "world"]
    assert len({s.seed for s in scenarios}) == len(scenarios)
    for row in serial:
        assert set(row) == set(SWEEP_COLUMNS)
        assert row["population_certain"] <= row["population_possible"] <= row["population"]
        if row["site_km"] > 0:
            assert row["population_certain"] <= row["population_mean"] <= row["population_possible"]
            assert 0.0 <= row["probability_all"] <= row["probability_any"] <= 1.0
    nato = region("nato").members_on(ON)
    assert {r["countries"] for r in serial if r["region"] == "nato"} == {len(nato)}


def test_a_row_equals_the_analysis_run_directly(spec, serial) -> None:
    sc = spec.scenarios()[3]  # Oreshnik, Krychaw deployment, 40 km
    assert (sc.system, sc.site, sc.site_km) == ("Oreshnik", "oreshnik-belarus", 40.0)
    sites = uncertain_sites(deployments=["oreshnik-belarus"], radius_km=40.0)
    rng = UncertainRange.from_classifiable(classifiable(system="Oreshnik"))
    direct = analyze_uncertain(sites, rng, draws=25, seed=sc.seed)
    world = next(r for r in serial if r["scenario"] == 3 and r["region"] == "world")
    # region rows sum the countries' whole numbers: off by at most 1/2 per country
    half = len(direct.countries) / 2
    assert world["population_certain"] == pytest.approx(direct.population_certain, abs=half)
    assert world["population_possible"] == pytest.approx(direct.population_possible, abs=half)
    assert world["population_mean"] == pytest.approx(direct.draw_population.sum(axis=1).mean())
    assert world["countries_certain_full"] == sum(c.certain_full for c in direct.countries)


def test_local_cluster_with_two_worker_processes_equals_serial(spec, serial) -> None:
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        pids = client.run(os.getpid)
        assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()
        done: list[int] = []
        rows = run_on_dask(spec, client, progress=done.append)
    assert done == list(range(1, len(spec.scenarios()) + 1))
    assert same_rows(rows, serial)


def write_spec(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


SPEC_TOML = """
title = "cli sweep"
on = 2026-11-25
draws = 10
seed = 1
[grid]
ranges = ["1,000 km"]
sites = ["Minsk", "Vilnius"]
site_km = [25]
regions = ["eu"]
"""


def test_cli_sweep_writes_parquet_csv_and_summary(tmp_path) -> None:
    spec = write_spec(tmp_path / "s.toml", SPEC_TOML)
    out = tmp_path / "out"
    result = invoke("sweep", spec, "--out", out)
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(out / "results.parquet").to_pylist()
    with open(out / "results.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(SWEEP_COLUMNS)
    assert len(table) == len(rows) == 2 * 2  # two sites x (eu, world)
    assert [r["site"] for r in table] == [
        "Minsk (BY)",
        "Minsk (BY)",
        "Vilnius (LT)",
        "Vilnius (LT)",
    ]
    for t, c in zip(table, rows, strict=True):
        assert float(c["population_certain"]) == t["population_certain"]
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "cli sweep" in summary and "Vilnius (LT) ± 25 km" in summary
    assert "Vilnius (LT) ± 25 km" in plain(result.stdout)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (SPEC_TOML.replace("site_km = [25]", "site_km = [-1]"), "s.toml: grid.site_km.0"),
        (SPEC_TOML.replace('regions = ["eu"]', 'regions = ["atlantis"]'), "region"),
        (SPEC_TOML.replace('ranges = ["1,000 km"]', 'ranges = ["far"]'), "grid.ranges"),
        (SPEC_TOML.replace("draws = 10", "draws = -1"), "s.toml: draws"),
        (SPEC_TOML.replace("seed = 1", "seeds = 1"), "s.toml: seeds"),
        (SPEC_TOML + 'populations = ["nowhere.txt"]\n', "grid.populations"),
        (SPEC_TOML + 'populations = ["/nonexistent/pop.tif"]\n', "grid.populations"),
    ],
)
def test_cli_sweep_bad_input_exits_2_and_writes_nothing(tmp_path, text, field) -> None:
    spec = write_spec(tmp_path / "s.toml", text)
    out = tmp_path / "out"
    result = invoke("sweep", spec, "--out", out)
    assert_one_error_line(result, field)
    assert not out.exists()


def test_cli_sweep_refuses_workers_with_a_scheduler(tmp_path) -> None:
    spec = write_spec(tmp_path / "s.toml", SPEC_TOML)
    result = invoke("sweep", spec, "--scheduler", "tcp://127.0.0.1:9", "--workers", "2")
    assert_one_error_line(result, "workers")
    result = invoke("sweep", spec, "--scheduler", "http://x")
    assert_one_error_line(result, "scheduler")


def test_load_sweep_names_the_file_and_field(tmp_path) -> None:
    spec = write_spec(tmp_path / "s.toml", SPEC_TOML.replace("[grid]", "[grid]\nsystems = [1]"))
    with pytest.raises(Exception, match=r"s\.toml: grid\.systems\.0"):
        load_sweep(spec)


# ------------------------------------------------------------ reach --site-km / --max-range


def test_reach_with_a_site_radius_prints_tiers_that_match_hand_computation() -> None:
    minsk = resolve_site("Minsk")
    u, reach = 30.0, 800.0
    result = invoke("reach", "--site", "Minsk", "--range", f"{reach} km", "--site-km", str(u),
                    "--draws", "50", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    tiers = doc["uncertainty"]
    assert tiers["draws"] == 50 and tiers["sites"][0]["radius_km"] == u
    g = Geodesic.WGS84
    checked = 0
    for cap in tiers["capitals"]:
        d = g.Inverse(minsk.lat, minsk.lon, cap["lat"], cap["lon"])["s12"] / 1000.0
        if abs(d - reach) < u + 1e-3 or abs(d + u - reach) < 1e-3:
            continue  # on an edge: the hand rule needs more digits than we print
        want = "certain" if d + u <= reach else "possible" if d - u <= reach else "unreachable"
        assert cap["tier"] == want, (cap["name"], d)
        assert cap["min_km"] == pytest.approx(max(d - u, 0.0), abs=1e-6)
        checked += 1
    assert checked > 100
    possible = [c for c in tiers["capitals"] if c["tier"] == "possible"]
    assert possible and all(0.0 <= c["probability"] <= 1.0 for c in possible)
    # the plain result is unchanged by the uncertainty options
    assert doc["range"]["max_km"] == reach


def test_reach_table_shows_tier_tables() -> None:
    result = invoke("reach", "--site", "Minsk", "--max-range", "1,000-1,200 km", "--draws", "20")
    assert result.exit_code == 0, result.stderr
    text = plain(result.stdout)
    assert "Countries by tier (20 Monte Carlo draws, seed 0)" in text
    assert "Capitals by tier" in text and "People certainly reached" in text


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--site-km", "-1"], "site_uncertainty_km"),
        (["--site-km", "5000"], "site_uncertainty_km"),
        (["--max-range", "far"], "max_range"),
        (["--max-range-mode", "900 km"], "max_range_mode"),
        (["--max-range", "800-1000 km", "--max-range-mode", "1200 km"], "max_range_mode"),
        (["--site-km", "10", "--draws", "-1"], "draws"),
        (["--max-range", "700-900 km", "--range", "800-900 km"], "range"),
    ],
)
def test_reach_uncertainty_bad_input(args, field) -> None:
    result = invoke("reach", "--site", "Minsk", "--range", "1000 km", *args)
    if "--range" in args:
        result = invoke("reach", "--site", "Minsk", *args)
    assert_one_error_line(result, field)


def test_sweep_seeds_do_not_depend_on_order() -> None:
    spec = SweepSpec.model_validate(SPEC)
    a = [s.seed for s in spec.scenarios()]
    assert a == [s.seed for s in SweepSpec.model_validate(SPEC).scenarios()]
    assert a[0] == int(np.random.SeedSequence([3, 0]).generate_state(1)[0])


def test_reach_files_carry_the_tier_zones_and_tiers(tmp_path) -> None:
    import pyogrio
    from shapely.geometry import Point, shape

    minsk = resolve_site("Minsk")
    files = [tmp_path / f"r.{ext}" for ext in ("geojson", "gpkg", "csv", "json")]
    args = ["reach", "--site", "Minsk", "--range", "800 km", "--site-km", "30", "--draws", "20"]
    result = invoke(*args, *[x for f in files for x in ("--out", f)])
    assert result.exit_code == 0, result.stderr
    fc = json.loads(files[0].read_text(encoding="utf-8"))
    zones = {f["properties"]["kind"]: shape(f["geometry"]) for f in fc["features"]
             if f["properties"]["kind"] in ("certain", "possible")}  # fmt: skip
    g = Geodesic.WGS84

    def at(km: float) -> Point:
        p = g.Direct(minsk.lat, minsk.lon, 70.0, km * 1000.0)
        return Point(p["lon2"], p["lat2"])

    # certain: within 800 - 30 = 770 km of the centre; possible: within 830 km (±10 km margin)
    assert zones["certain"].contains(at(760)) and not zones["certain"].contains(at(780))
    assert zones["possible"].contains(at(820)) and not zones["possible"].contains(at(840))
    caps = [f["properties"] for f in fc["features"] if f["properties"]["kind"] == "capital"]
    assert {c["tier"] for c in caps} >= {"certain", "unreachable"}
    layers = {name for name, _ in pyogrio.list_layers(files[1])}
    assert {"certain", "possible", "capitals", "envelope"} <= layers
    with open(files[2], newline="", encoding="utf-8") as f:
        rows = {r["iso2"]: r for r in csv.DictReader(f)}
    assert rows["BY"]["tier"] == "certain" and rows["FR"]["tier"] == "unreachable"
    doc = json.loads(files[3].read_text(encoding="utf-8"))
    assert doc["uncertainty"]["draws"] == 20


def test_the_example_sweep_file_is_valid() -> None:
    spec = load_sweep(Path(__file__).parent.parent / "examples" / "sweeps" / "belarus.toml")
    assert len(spec.scenarios()) == 2 * 1 * 2 * 3 * 2  # systems x max x sites x radii x pops
