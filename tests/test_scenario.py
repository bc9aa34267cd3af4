"""Scenario files, reports and the classify/check/catalog commands, end to end."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reachmap.catalog import load_catalog
from reachmap.cli import app
from reachmap.scenario import load_scenario, run_scenario

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
    assert set(verdicts) == {"Europe", "NATO", "European Union"}
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
