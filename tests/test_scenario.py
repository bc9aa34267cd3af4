"""Scenario files, reports and the classify/check/catalog commands, end to end."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reachmap.analysis.scenario import Scenario, load_scenario, run_scenario
from reachmap.catalog.store import load_catalog
from reachmap.cli.main import app
from reachmap.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))


def invoke(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data) -> None:
        self.text.append(data)


def test_there_are_three_examples() -> None:
    names = [p.stem for p in EXAMPLES]
    assert "belarus-intermediate-range" in names and len(names) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_renders_a_report_with_its_sources(path: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = invoke("report", path, "--out", out)
    assert result.exit_code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(page)
    imgs = [a for t, a in parser.tags if t == "img"]
    assert len(imgs) == 1 and str(imgs[0]["src"]).startswith("data:image/png;base64,")
    assert sum(1 for t, _ in parser.tags if t == "table") >= 3
    text = " ".join(parser.text)
    # every catalog figure the scenario used is shown with its sources
    run = run_scenario(load_scenario(path))
    catalog = load_catalog()
    assert run.figures
    for what, figure, status, sources in run.figures:
        assert what in text and figure in text and status in text
        assert sources and sources in text  # publisher, “title” (date); ...
    for dep_id in load_scenario(path).sites.deployments:
        for src in catalog.sources_of(catalog.deployments[dep_id]):
            assert html.escape(src.title) in page or src.title in text
    # the regime table and the claims are there, and the scenario file itself
    assert "INF Treaty" in text and "Claims checked" in text
    assert path.read_text(encoding="utf-8").splitlines()[0] in text


def test_belarus_claims_name_their_exceptions() -> None:
    run = run_scenario(load_scenario(ROOT / "examples" / "belarus-intermediate-range.toml"))
    verdicts = {v.region: v for v in run.verdicts}
    assert set(verdicts) == {"Europe (geographic)", "NATO", "European Union"}
    # the US and Canada lie beyond 5,500 km of Belarus: NATO is not all covered
    nato = verdicts["NATO"]
    assert nato.verdict == "does not hold"
    assert any(e.startswith("United States of America") for e in nato.exceptions)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('title = "x"\non = 2026-01-01\n[system]\nrange = "500 km"\n[sites]\nplaces = ["Minsk"]\n',
         "system"),
        ('title = "x"\non = 2026-01-01\n[system]\ncatalog = "Oreshnik"\nrange = "5 km"\n'
         '[sites]\nplaces = ["Minsk"]\n', "system"),
        ('title = "x"\n[system]\ncatalog = "Oreshnik"\n[sites]\nplaces = ["Minsk"]\n', "on"),
        ('title = "x"\non = 2026-01-01\n[system]\ncatalog = "Oreshnik"\n[sites]\n', "sites"),
        ('title = "x"\non = 2026-01-01\n[system]\ncatalog = "Oreshnik"\n[sites]\n'
         'places = ["Minsk"]\nbogus = 1\n', "bogus"),
        ("title = \n", "scenario"),
    ],
    ids=["range-without-basing", "both-system-kinds", "no-date", "no-sites", "unknown-key",
         "bad-toml"],
)  # fmt: skip
def test_bad_scenario_is_one_line_exit_2(tmp_path: Path, text: str, field: str) -> None:
    sc = tmp_path / "bad.toml"
    sc.write_text(text, encoding="utf-8")
    result = invoke("report", sc, "--out", tmp_path / "bad.html")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and field in lines[0]
    assert not (tmp_path / "bad.html").exists()


def test_classify_a_published_min_max_range_by_its_maximum() -> None:
    """Regression: "310 to 3,400 miles" was classified as an uncertain range straddling
    INF's 500 km limit; it is a minimum and a maximum, and INF turns on the maximum
    (3,400 mi = 5,471.8 km: intermediate-range)."""
    result = invoke("classify", "--range", "310 to 3,400 miles", "--basing", "ground",
                    "--class", "ballistic", "--on", "2010-01-01")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "498.9–5,471.8 km; range capability 5,471.8 km" in out  # 3,400 x 1.609344
    assert "INF Treaty: within (in force on 2010-01-01)" in out
    assert "intermediate-range" in out


def test_classify_estimates_of_the_maximum_that_cross_5500_km_straddle() -> None:
    result = invoke("classify", "--range", "5,000-6,000 km", "--max-estimates", "--basing",
                    "ground", "--class", "ballistic", "--on", "2010-01-01")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "INF Treaty: straddles (in force on 2010-01-01)" in out
    assert "upper limit of the INF Treaty" in out
    assert "New START ICBM definition: straddles (not in force on 2010-01-01)" in out


def test_classify_a_catalog_system_after_the_inf_ended() -> None:
    result = invoke("classify", "Oreshnik", "--on", "2026-11-25")
    assert result.exit_code == 0, result.stderr
    assert "INF Treaty: within (not in force on 2026-11-25)" in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    ("args", "field"),
    [(["classify", "NoSuchMissile"], "system"),
     (["classify", "--range", "500 km"], "basing"),
     (["classify", "Oreshnik", "--on", "yesterday"], "on"),
     (["check", "--region", "narnia", "--site", "Minsk", "--range", "500 km"], "region"),
     (["check", "--region", "nato", "--range", "500 km"], "site")],
)  # fmt: skip
def test_bad_classify_and_check_inputs(args: list[str], field: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {field}")


def test_check_prints_verdict_and_exceptions() -> None:
    result = invoke("check", "--region", "PL", "--site", "Minsk", "--range", "500-5500 km")
    assert result.exit_code == 0, result.stderr
    assert "does not hold" in result.stdout or "holds with exceptions" in result.stdout
    assert "capital Warsaw (PL): inside the minimum-range hole" in result.stdout


def test_catalog_validate(tmp_path: Path) -> None:
    ok = invoke("catalog", "validate")
    assert ok.exit_code == 0 and "catalog OK" in ok.stdout
    for f in (ROOT / "src" / "reachmap" / "data" / "catalog").glob("*.toml"):
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    sites = tmp_path / "sites.toml"
    lines = sites.read_text(encoding="utf-8").splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("lat ="))
    lines[i] = "lat = 91.0"
    sites.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = invoke("catalog", "validate", tmp_path)
    assert bad.exit_code == 1
    assert f"sites.toml:{i + 1}:" in bad.stdout


# ---- [uncertainty] ---------------------------------------------------------------------

_BASE = (
    'title = "x"\non = 2026-01-01\npopulation = "places"\n[system]\ncatalog = "Oreshnik"\n'
    '[sites]\ndeployments = ["oreshnik-belarus"]\n'
)


def _scenario_file(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "sc.toml"
    path.write_text(_BASE + extra, encoding="utf-8")
    return path


def test_uncertainty_table_is_read(tmp_path: Path) -> None:
    sc = load_scenario(_scenario_file(tmp_path, (
        "[uncertainty]\nsite_km = 12.5\nmax_range = \"4,500-5,500 km\"\n"
        "max_range_mode = \"5,000 km\"\ndraws = 50\nseed = 7\n"
        "polygons = [[[53.5, 31.0], [54.0, 31.0], [54.0, 32.5]]]\n"
    )))  # fmt: skip
    u = sc.uncertainty
    assert u is not None
    assert (u.site_km, u.draws, u.seed) == (12.5, 50, 7)
    assert u.polygons == [[(53.5, 31.0), (54.0, 31.0), (54.0, 32.5)]]
    interval = u.max_interval()
    assert interval is not None
    assert (interval.lo_km, interval.hi_km, interval.mode_km) == (4500.0, 5500.0, 5000.0)
    # defaults, and a scenario without the table
    bare = load_scenario(_scenario_file(tmp_path, "[uncertainty]\n")).uncertainty
    assert bare is not None
    assert (bare.site_km, bare.max_range, bare.draws, bare.seed, bare.polygons) == (
        None, None, 0, 0, [],
    )  # fmt: skip
    assert load_scenario(_scenario_file(tmp_path, "")).uncertainty is None


def test_uncertainty_keeps_the_json_form_of_older_scenarios(tmp_path: Path) -> None:
    """The server stores a scenario's JSON under a hash of it: a scenario without the
    table must dump as it did before the table existed (no "uncertainty": null)."""
    plain = load_scenario(_scenario_file(tmp_path, ""))
    dumped = plain.model_dump(mode="json", by_alias=True)
    assert "uncertainty" not in dumped
    assert Scenario.model_validate(dumped) == plain
    with_table = load_scenario(_scenario_file(tmp_path, "[uncertainty]\ndraws = 5\n"))
    dumped = with_table.model_dump(mode="json", by_alias=True)
    assert dumped["uncertainty"]["draws"] == 5
    assert Scenario.model_validate(dumped) == with_table


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ("[uncertainty]\ndraws = -1\n", "uncertainty.draws"),
        ("[uncertainty]\ndraws = 100001\n", "uncertainty.draws"),
        ("[uncertainty]\nsite_km = 1001\n", "uncertainty.site_km"),
        ("[uncertainty]\nsite_km = true\n", "uncertainty.site_km"),
        ('[uncertainty]\nmax_range = "1-2 parsecs"\n', "uncertainty.max_range"),
        ('[uncertainty]\nmax_range_mode = "5,000 km"\n', "uncertainty.max_range_mode"),
        ('[uncertainty]\nmax_range = "4000-5000 km"\nmax_range_mode = "6000 km"\n',
         "uncertainty.max_range_mode"),
        ("[uncertainty]\npolygons = [[[53.5, 31.0], [54.0, 31.0]]]\n", "uncertainty.polygons.0"),
        ("[uncertainty]\npolygons = [[[0, 0], [1, 1], [0, 1]], [[95, 0], [1, 1], [0, 1]]]\n",
         "uncertainty.polygons.1"),
        ("[uncertainty]\nseed = -3\n", "uncertainty.seed"),
        ("[uncertainty]\nbogus = 1\n", "uncertainty.bogus"),
    ],
    ids=["negative-draws", "too-many-draws", "radius-too-large", "radius-not-a-number",
         "bad-unit", "mode-without-interval", "mode-outside-interval", "two-vertices",
         "latitude-95", "negative-seed", "unknown-key"],
)  # fmt: skip
def test_bad_uncertainty_names_the_field(tmp_path: Path, extra: str, field: str) -> None:
    with pytest.raises(InputError) as err:
        load_scenario(_scenario_file(tmp_path, extra))
    assert str(err.value).startswith(f"sc.toml: {field}:"), str(err.value)


def test_run_scenario_gives_tiers_when_something_is_uncertain() -> None:
    catalog = load_catalog()
    dep = catalog.deployments["oreshnik-belarus"]
    site = catalog.sites[dep.site]
    assert site.uncertainty_km > 0  # the premise: the catalog site is a disc
    doc = {"title": "t", "on": "2026-11-25", "population": "places",
           "system": {"catalog": "Oreshnik"}}  # fmt: skip
    run = run_scenario(Scenario.model_validate(
        {**doc, "sites": {"deployments": ["oreshnik-belarus"]},
         "uncertainty": {"draws": 10, "seed": 2}}
    ))  # fmt: skip
    assert run.tiers is not None
    (us,) = run.tiers.sites
    assert (us.site.lat, us.site.lon, us.radius_km) == (site.lat, site.lon, site.uncertainty_km)
    assert (run.tiers.draws, run.tiers.seed) == (10, 2)
    assert run.tiers.places_certain <= run.tiers.places_possible
    # the main analysis still uses the catalog centre and the published range
    assert [(s.lat, s.lon) for s in run.result.sites] == [(site.lat, site.lon)]
    # the same deployment, stated exact: nothing is uncertain (Oreshnik is one figure)
    exact = run_scenario(Scenario.model_validate(
        {**doc, "sites": {"deployments": ["oreshnik-belarus"]}, "uncertainty": {"site_km": 0}}
    ))  # fmt: skip
    assert exact.tiers is None
    # a place is exact, and so is the range: no tiers; max_range makes the range uncertain
    assert run_scenario(Scenario.model_validate(
        {**doc, "sites": {"places": ["Minsk"]}})).tiers is None  # fmt: skip
    ranged = run_scenario(Scenario.model_validate(
        {**doc, "sites": {"places": ["Minsk"]}, "uncertainty": {"max_range": "4,500-5,500 km"}}
    )).tiers  # fmt: skip
    assert ranged is not None
    assert (ranged.range.max.lo_km, ranged.range.max.hi_km) == (4500.0, 5500.0)
    assert [s.radius_km for s in ranged.sites] == [0.0]


def test_max_range_below_the_minimum_range_names_the_field() -> None:
    doc = Scenario.model_validate({
        "title": "t", "on": "2026-11-25", "population": "places",
        "system": {"range": "500-5,500 km", "basing": "ground"},  # a minimum of 500 km
        "sites": {"places": ["Minsk"]}, "uncertainty": {"max_range": "300-400 km"},
    })  # fmt: skip
    with pytest.raises(InputError, match=r"^uncertainty\.max_range"):
        run_scenario(doc)
