"""The ``reachmap`` command line, driven end to end through ``reachmap.cli.main.app``.

What is checked, and against what:

* bad input: exit code 2, exactly one stderr line ``error: <field>: ...``, nothing
  on stdout and no file (not even a temporary one) left behind;
* results: every capital's status and distance are recomputed here with
  GeographicLib (``Geodesic.WGS84.Inverse``), independent of reachmap's pyproj
  path, from the site coordinates the CLI itself wrote out;
* files: GeoJSON checked with shapely, KML and GeoPackage opened with pyogrio
  (GDAL), CSV with the ``csv`` module;
* hand-checked value: one degree of longitude on the WGS84 equator is
  a·π/180 = 6378.137 km · π/180 = 111.3195 km.

Reach runs take a second or two each, so the full happy path runs once per module.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pyogrio
import pytest
from geographiclib.geodesic import Geodesic
from shapely.geometry import Point, shape
from typer.testing import CliRunner, Result

import reachmap
from reachmap import find_place  # package-level name: stable if the module moves
from reachmap.cli.main import app

runner = CliRunner()

KM_PER_MILE = 1.609344  # international mile, exact (1959); restated, not imported
ENVELOPE_TOLERANCE_KM = 1.0  # the envelope follows the range limit to within 1 km
_ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")


def invoke(*args: str | Path) -> Result:
    """Run the CLI in-process; stdout and stderr come back separately."""
    return runner.invoke(app, [str(a) for a in args])


def plain(text: str) -> str:
    """Text without colour codes and with every run of whitespace made one space."""
    return " ".join(_ANSI_RE.sub("", text).split())


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Reference distance on WGS84 in kilometres (GeographicLib, ~15 nm accuracy)."""
    return Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"] / 1000.0


def expected_status(km: float, min_km: float, max_km: float) -> str:
    if km < min_km:
        return "inside-min-range"
    return "reached" if km <= max_km else "beyond-max-range"


def assert_one_error_line(result: Result, field: str) -> str:
    """Exit code 2, nothing on stdout, one stderr line ``error: <field>: ...``."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith(f"error: {field}: "), line
    assert line.strip() != f"error: {field}:"
    return line


# --------------------------------------------------------------------------- bad input

BAD_INPUT = [
    pytest.param(
        ["--site", "91,0", "--range", "500 km", "--out", "r.geojson"],
        "site latitude",
        ["91"],
        id="lat-91",
    ),
    pytest.param(
        ["--site", "10,abc", "--range", "500 km", "--out", "r.geojson"],
        "site longitude",
        ["'abc'"],
        id="lon-abc",
    ),
    pytest.param(
        ["--site", "Minsk", "--range", "-5 km", "--out", "r.geojson"],
        "range",
        ["'-5 km'"],
        id="negative-range",
    ),
    pytest.param(
        ["--site", "Minsk", "--range", "5000 parsecs", "--out", "r.geojson"],
        "range",
        ["'5000 parsecs'", "km", "mi", "nmi"],
        id="unknown-unit",
    ),
    pytest.param(
        ["--site", "Minsk", "--range", "600-500 km", "--out", "r.geojson"],
        "range",
        ["'600-500 km'", "600", "500"],
        id="min-above-max",
    ),
    pytest.param(["--range", "500 km", "--out", "r.geojson"], "site", ["--site"], id="no-site"),
    pytest.param(["--site", "Minsk", "--out", "r.geojson"], "range", ["--range"], id="no-range"),
    pytest.param(
        ["--site", "Minks", "--range", "500 km", "--out", "r.geojson"],
        "site",
        ["'Minks'", "Minsk (BY)"],
        id="unknown-place",
    ),
    pytest.param(
        ["--site", "Minsk", "--range", "500 km", "--format", "kml"],
        "format",
        ["'kml'", "--out"],
        id="kml-without-out",
    ),
    pytest.param(
        ["--site", "Minsk", "--range", "500 km", "--out", "r.shp"],
        "out",
        ["r.shp", ".geojson", ".gpkg"],
        id="unknown-suffix",
    ),
    pytest.param(
        ["--site", "Minsk", "--range", "500 km", "--format", "xml", "--out", "r.geojson"],
        "format",
        ["'xml'", "geojson"],
        id="unknown-format",
    ),
    pytest.param(
        [
            *("--site", "Minsk", "--site", "91,0", "--range", "500 km"),
            *("--out", "a.geojson", "--out", "b.csv"),
        ],
        "site latitude",
        ["91"],
        id="second-site-bad-two-outs",
    ),
]


@pytest.mark.parametrize(("args", "field", "mentions"), BAD_INPUT)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    args: list[str],
    field: str,
    mentions: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # relative --out files (and stray writes) land here
    line = assert_one_error_line(invoke("reach", *args), field)
    for word in mentions:
        assert re.search(rf"(?<![\w.]){re.escape(word)}(?!\w)", line), (word, line)
    assert list(tmp_path.iterdir()) == []  # no output and no temporary file


def test_failed_run_leaves_an_existing_out_file_untouched(tmp_path: Path) -> None:
    out = tmp_path / "old.geojson"
    out.write_text("previous run\n", encoding="utf-8")
    assert_one_error_line(
        invoke("reach", "--site", "Minsk", "--range", "600-500 km", "--out", out), "range"
    )
    assert out.read_text(encoding="utf-8") == "previous run\n"
    assert [p.name for p in tmp_path.iterdir()] == ["old.geojson"]


def test_entry_point_bad_input_one_line_on_real_stderr(tmp_path: Path) -> None:
    """The installed script, in a real process, on a narrow terminal: still one line."""
    exe = Path(sys.executable).parent / "reachmap"
    assert exe.exists(), exe
    env = {**os.environ, "COLUMNS": "40"}  # the message is ~170 characters: must not wrap
    env.pop("FORCE_COLOR", None)
    proc = subprocess.run(
        [str(exe), "reach", "--site", "Minsk", "--range", "5000 parsecs", "--out", "r.kml"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: range: '5000 parsecs' is not allowed;"), lines[0]
    assert "nmi" in lines[0]
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- happy path

MINSK_RANGE = (500.0, 5500.0)
OUT_SUFFIXES = (".geojson", ".txt", ".csv", ".kml", ".gpkg")


@pytest.fixture(scope="module")
def minsk(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run: Minsk, 500-5500 km, written to every file format at once."""
    out_dir = tmp_path_factory.mktemp("minsk")
    outs = {s: out_dir / f"X{s}" for s in OUT_SUFFIXES}
    args: list[str | Path] = ["reach", "--site", "Minsk", "--range", "500-5500 km"]
    for path in outs.values():
        args += ["--out", path]
    result = invoke(*args)
    assert result.exit_code == 0, (result.stderr, result.exception)
    fc = json.loads(outs[".geojson"].read_text(encoding="utf-8"))
    return {"dir": out_dir, "out": outs, "result": result, "fc": fc}


def features(fc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in fc["features"] if f["properties"]["kind"] == kind]


def capitals_by_key(fc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Capital features keyed by (name, ISO2): names alone repeat (Kingston JM/NF)."""
    caps = features(fc, "capital")
    keyed = {(c["properties"]["name"], c["properties"]["country"]): c for c in caps}
    assert len(keyed) == len(caps)
    return keyed


def test_happy_path_writes_every_file_and_nothing_else(minsk: dict[str, Any]) -> None:
    result = minsk["result"]
    assert sorted(p.name for p in minsk["dir"].iterdir()) == sorted(
        f"X{s}" for s in OUT_SUFFIXES
    )  # no temporary files left beside them
    for suffix, fmt in zip(OUT_SUFFIXES, ("geojson", "table", "csv", "kml", "gpkg"), strict=True):
        # Rich may fold a long path at the console width: compare without whitespace
        wrote = "".join(f"wrote {minsk['out'][suffix]} ({fmt})".split())
        assert wrote in "".join(result.stderr.split())
        assert minsk["out"][suffix].stat().st_size > 0
    assert "Sites: Minsk (BY)" in plain(result.stdout)  # the summary is still printed


def test_geojson_envelope_is_a_valid_multipolygon_with_the_hole(minsk: dict[str, Any]) -> None:
    fc = minsk["fc"]
    assert fc["type"] == "FeatureCollection"
    (env,) = features(fc, "envelope")
    geom = shape(env["geometry"])
    assert geom.geom_type == "MultiPolygon"
    assert geom.is_valid and not geom.is_empty
    assert (env["properties"]["min_km"], env["properties"]["max_km"]) == MINSK_RANGE
    (site,) = features(fc, "site")
    assert site["properties"]["name"] == "Minsk (BY)"
    assert not geom.covers(Point(site["geometry"]["coordinates"]))  # 0 km < 500 km: the hole


def test_geojson_capital_status_matches_geographiclib(minsk: dict[str, Any]) -> None:
    """Reached iff 500 <= d <= 5500 km, d from GeographicLib to the written site."""
    fc = minsk["fc"]
    (site,) = features(fc, "site")
    lon0, lat0 = site["geometry"]["coordinates"]
    lo, hi = MINSK_RANGE
    caps = capitals_by_key(fc)
    assert len(caps) > 200
    for (name, cc), cap in caps.items():
        lon, lat = cap["geometry"]["coordinates"]
        km = geodesic_km(lat0, lon0, lat, lon)
        props = cap["properties"]
        # nearest_km is written rounded to 3 decimals (0.5 m); pyproj and GeographicLib
        # agree to far better than that.
        assert props["nearest_km"] == pytest.approx(km, abs=1e-3), (name, cc)
        assert props["nearest_site"] == "Minsk (BY)"
        if min(abs(km - lo), abs(km - hi)) > 1e-6:  # nobody sits on a limit, but be exact
            assert props["status"] == expected_status(km, lo, hi), (name, cc, km)
    expected = {
        ("Warsaw", "PL"): "inside-min-range",  # about 477 km
        ("Vilnius", "LT"): "inside-min-range",
        ("Minsk", "BY"): "inside-min-range",
        ("Berlin", "DE"): "reached",
        ("Paris", "FR"): "reached",
        ("Washington", "US"): "beyond-max-range",
    }
    assert {k: caps[k]["properties"]["status"] for k in expected} == expected


def test_geojson_envelope_covers_exactly_the_reached_capitals(minsk: dict[str, Any]) -> None:
    """Away from the limits (more than twice the drawing tolerance), inside iff reached."""
    fc = minsk["fc"]
    (env,) = features(fc, "envelope")
    geom = shape(env["geometry"])
    (site,) = features(fc, "site")
    lon0, lat0 = site["geometry"]["coordinates"]
    checked = 0
    for cap in features(fc, "capital"):
        lon, lat = cap["geometry"]["coordinates"]
        km = geodesic_km(lat0, lon0, lat, lon)
        if min(abs(km - lim) for lim in MINSK_RANGE) <= 2 * ENVELOPE_TOLERANCE_KM:
            continue
        reached = MINSK_RANGE[0] <= km <= MINSK_RANGE[1]
        assert geom.covers(Point(lon, lat)) == reached, (cap["properties"]["name"], km)
        checked += 1
    assert checked > 200


def test_kml_opens_with_gdal_and_has_the_layers(minsk: dict[str, Any]) -> None:
    path = minsk["out"][".kml"]
    layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    assert layers == ["envelope", "sites", "capitals"]
    n_caps = len(features(minsk["fc"], "capital"))
    assert pyogrio.read_info(path, layer="envelope")["features"] == 1
    assert pyogrio.read_info(path, layer="sites")["features"] == 1
    info = pyogrio.read_info(path, layer="capitals")
    assert info["features"] == n_caps
    assert {"status", "nearest_km"} <= set(info["fields"])


def test_gpkg_opens_with_gdal_and_has_the_layers(minsk: dict[str, Any]) -> None:
    path = minsk["out"][".gpkg"]
    layers = {str(name): str(gtype) for name, gtype in pyogrio.list_layers(path)}
    assert layers == {
        "envelope": "MultiPolygon",
        "sites": "Point",
        "capitals": "Point",
        "countries": "MultiPolygon",
    }
    for layer in layers:
        assert pyogrio.read_info(path, layer=layer)["crs"] == "EPSG:4326"
    assert pyogrio.read_info(path, layer="envelope")["features"] == 1
    assert pyogrio.read_info(path, layer="sites")["features"] == 1
    n_caps = len(features(minsk["fc"], "capital"))
    assert pyogrio.read_info(path, layer="capitals")["features"] == n_caps
    with minsk["out"][".csv"].open(encoding="utf-8", newline="") as fh:
        n_countries = sum(1 for _ in csv.DictReader(fh))
    countries = pyogrio.read_info(path, layer="countries")
    assert countries["features"] == n_countries  # one polygon row per CSV row
    assert {"iso2", "status", "area_share"} <= set(countries["fields"])


def test_csv_has_header_and_germany_fully_reached(minsk: dict[str, Any]) -> None:
    with minsk["out"][".csv"].open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames
        rows = list(reader)
    assert header is not None
    assert header[:2] == ["name", "iso2"]
    assert "status" in header
    by_iso = {r["iso2"]: r for r in rows if r["iso2"]}
    assert by_iso["DE"]["name"] == "Germany"
    assert by_iso["DE"]["status"] == "full"
    assert float(by_iso["DE"]["area_share"]) == 1.0
    assert by_iso["BY"]["status"] == "inside-min-range"  # its border is <= 377 km from Minsk
    assert by_iso["US"]["status"] == "none"


def test_txt_summary_names_the_capitals_in_the_hole(minsk: dict[str, Any]) -> None:
    text = minsk["out"][".txt"].read_text(encoding="utf-8")
    (line,) = [ln for ln in text.splitlines() if "Capitals inside the minimum-range hole" in ln]
    assert "Warsaw (PL)" in line
    assert "Berlin" not in line


# --------------------------------------------------------------------------- stdout formats

TWO_SITES = ["--site", "Minsk", "--site", "52.52,13.40", "--range", "0-300 km"]


@pytest.fixture(scope="module")
def two_sites_json() -> dict[str, Any]:
    result = invoke("reach", *TWO_SITES, "--format", "json")
    assert result.exit_code == 0, (result.stderr, result.exception)
    return json.loads(result.stdout)


def test_json_to_stdout_parses_with_totals(two_sites_json: dict[str, Any]) -> None:
    data = two_sites_json
    totals = data["totals"]
    n_caps = len(data["capitals"])
    assert n_caps > 200
    assert (
        totals["capitals_reached"]
        + totals["capitals_inside_min_range"]
        + totals["capitals_beyond_max_range"]
        == n_caps
    )
    assert totals["capitals_inside_min_range"] == 0  # minimum 0 km: no hole
    assert 0 < totals["population_reached_estimate"] < totals["world_population"]
    assert (data["range"]["min_km"], data["range"]["max_km"]) == (0.0, 300.0)
    assert [s["label"] for s in data["sites"]] == ["Minsk (BY)", "52.52,13.40"]


def test_two_sites_reach_is_the_union(two_sites_json: dict[str, Any]) -> None:
    caps = {(c["name"], c["country"]): c for c in two_sites_json["capitals"]}
    minsk, berlin, warsaw = caps["Minsk", "BY"], caps["Berlin", "DE"], caps["Warsaw", "PL"]
    site_b = (52.52, 13.40)
    d_minsk = geodesic_km(minsk["lat"], minsk["lon"], minsk["lat"], minsk["lon"])
    d_berlin = geodesic_km(*site_b, berlin["lat"], berlin["lon"])
    d_warsaw = [
        geodesic_km(minsk["lat"], minsk["lon"], warsaw["lat"], warsaw["lon"]),
        geodesic_km(*site_b, warsaw["lat"], warsaw["lon"]),
    ]
    assert d_minsk == 0.0 and d_berlin < 5  # each capital is at (or next to) a site
    assert min(d_warsaw) > 300  # about 477 km from Minsk, about 517 km from Berlin
    assert minsk["status"] == "reached" and minsk["nearest_site"] == "Minsk (BY)"
    assert minsk["nearest_km"] == pytest.approx(0.0, abs=1e-6)
    assert berlin["status"] == "reached" and berlin["nearest_site"] == "52.52,13.40"
    assert berlin["nearest_km"] == pytest.approx(d_berlin, abs=1e-6)
    assert warsaw["status"] == "beyond-max-range"
    assert warsaw["nearest_site"] == "Minsk (BY)"
    assert warsaw["nearest_km"] == pytest.approx(min(d_warsaw), abs=1e-6)


def test_geojson_to_stdout_parses_and_agrees_with_json(two_sites_json: dict[str, Any]) -> None:
    result = invoke("reach", *TWO_SITES, "--format", "geojson")
    assert result.exit_code == 0, (result.stderr, result.exception)
    fc = json.loads(result.stdout)
    assert fc["type"] == "FeatureCollection"
    (env,) = features(fc, "envelope")
    geom = shape(env["geometry"])
    assert geom.geom_type == "MultiPolygon" and geom.is_valid
    assert len(features(fc, "site")) == 2
    from_geojson = {k: c["properties"]["status"] for k, c in capitals_by_key(fc).items()}
    from_json = {(c["name"], c["country"]): c["status"] for c in two_sites_json["capitals"]}
    assert from_geojson == from_json


# --------------------------------------------------------------------------- distance, place


def test_distance_minsk_warsaw_matches_geographiclib() -> None:
    a, b = find_place("Minsk"), find_place("Warsaw")
    km = geodesic_km(a.lat, a.lon, b.lat, b.lon)
    result = invoke("distance", "Minsk", "Warsaw")
    assert result.exit_code == 0, result.stderr
    out = plain(result.stdout)
    assert out.startswith("Minsk (BY) → Warsaw (PL): ")
    assert f"{km:,.3f} km" in out, (km, out)
    assert f"{km / KM_PER_MILE:,.2f} mi" in out, (km, out)


def test_distance_one_degree_on_the_equator_is_hand_checkable() -> None:
    assert round(6378.137 * math.pi / 180, 4) == 111.3195  # a·π/180, the WGS84 equator
    result = invoke("distance", "0,0", "0,1")
    assert result.exit_code == 0, result.stderr
    out = plain(result.stdout)
    assert "111.319 km" in out
    assert f"{111.319491 / KM_PER_MILE:.2f} mi" in out  # 69.17 mi
    assert "initial azimuth 90.00°" in out


def test_distance_bad_point_names_the_argument() -> None:
    assert_one_error_line(invoke("distance", "91,0", "Minsk"), "A latitude")


def test_place_finds_krychaw_for_krichev() -> None:
    result = invoke("place", "Krichev")
    assert result.exit_code == 0, result.stderr
    rows = [ln for ln in result.stdout.splitlines() if "Krychaw" in ln]
    assert rows, result.stdout
    assert re.search(r"\bKrychaw\b.*\bBY\b", rows[0]), rows[0]


def test_place_empty_name_is_one_line_exit_2() -> None:
    assert_one_error_line(invoke("place", ""), "name")


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"reachmap {reachmap.__version__}\n"
    assert reachmap.__version__ == version("reachmap")


# --------------------------------------------------------------------------- regressions


def test_unwritable_out_is_one_line_exit_2(tmp_path: Path) -> None:
    """Regression: an --out path under a *file* raised FileExistsError (traceback, exit 1)
    after the whole analysis ran."""
    blocker = tmp_path / "file.txt"
    blocker.write_text("", encoding="utf-8")
    result = invoke("reach", "--site", "Minsk", "--range", "1 km", "--out", blocker / "x.geojson")
    assert_one_error_line(result, "out")


def test_one_unwritable_out_leaves_no_other_file(tmp_path: Path) -> None:
    """Regression: with two --out files, the good one was written before the bad one
    crashed; now the paths are checked first and nothing is written."""
    good = tmp_path / "a.geojson"
    result = invoke(
        "reach", "--site", "Minsk", "--range", "1 km", "--out", good, "--out", "/dev/null/b.csv"
    )
    assert_one_error_line(result, "out")
    assert list(tmp_path.iterdir()) == []


def test_out_that_is_a_directory_is_one_line(tmp_path: Path) -> None:
    """Regression: an --out naming a directory failed in os.replace with a traceback."""
    (tmp_path / "d.geojson").mkdir()
    result = invoke("reach", "--site", "Minsk", "--range", "1 km", "--out", tmp_path / "d.geojson")
    assert_one_error_line(result, "out")


def test_format_contradicting_the_suffix_is_refused(tmp_path: Path) -> None:
    """--format json --out a.csv used to write JSON into a .csv file silently."""
    result = invoke(
        "reach",
        "--site",
        "Minsk",
        "--range",
        "1 km",
        "--format",
        "json",
        "--out",
        tmp_path / "a.csv",
    )
    assert_one_error_line(result, "format")
    assert list(tmp_path.iterdir()) == []


def test_distance_result_is_one_line() -> None:
    """Regression: the result wrapped at 80 columns when piped."""
    result = invoke("distance", "Minsk", "Warsaw")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 1, result.stdout


@pytest.mark.parametrize(
    "args", [["reach", "--bogus"], ["place", "Minsk", "--limit", "abc"]], ids=["option", "type"]
)
def test_usage_errors_of_the_entry_point_are_one_line(args: list[str], tmp_path: Path) -> None:
    """Typer's own usage errors (a box of 5+ lines) become one line from the real script."""
    exe = Path(sys.executable).parent / "reachmap"
    proc = subprocess.run(
        [str(exe), *args], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
