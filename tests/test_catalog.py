"""The sourced catalog: the bundled data validates, and broken files give file:line errors.

Reference values: the INF Treaty's dates are those of the treaty text
(signed 8 December 1987, in force 1 June 1988) and of the U.S. withdrawal
(2 August 2019); distances between sites and gazetteer towns are computed
with GeographicLib.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from geographiclib.geodesic import Geodesic

from reachmap.catalog.store import (
    Catalog,
    CatalogError,
    Problem,
    RangeFigure,
    load_catalog,
    validate_catalog,
)
from reachmap.errors import InputError, ReachmapError
from reachmap.geo.units import parse_range
from reachmap.world.gazetteer import find_place

# --------------------------------------------------------------------------- bundled


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_bundled_catalog_has_no_problems() -> None:
    assert validate_catalog() == []


def test_bundled_catalog_is_cached(catalog: Catalog) -> None:
    assert load_catalog() is catalog


def test_every_record_and_figure_cites_existing_sources(catalog: Catalog) -> None:
    records = [
        *catalog.systems.values(),
        *catalog.sites.values(),
        *catalog.deployments.values(),
        *catalog.events.values(),
    ]
    figures = [figure for _, figure in catalog.figures()]
    assert len(figures) >= len(catalog.systems)
    for item in [*records, *figures]:
        assert item.sources, item
        assert all(s in catalog.sources for s in item.sources), item
    cited = {s.id for r in records for s in catalog.sources_of(r)}
    assert cited == set(catalog.sources), "every source is cited by some record"


def test_every_range_parses_to_its_kilometres(catalog: Catalog) -> None:
    for label, figure in catalog.figures():
        if not isinstance(figure, RangeFigure):
            continue
        parsed = parse_range(figure.text)
        assert figure.published_km == parsed, label
        assert (figure.min_km, figure.max_km) == (parsed.min_km, parsed.max_km), label
        assert (figure.km.min_km, figure.km.max_km) == (figure.min_range_km, figure.max_range_km)
        assert 0 <= figure.min_range_km <= figure.max_range_low_km <= figure.max_range_km, label
        assert figure.max_range_km > 0, label


def test_published_units_convert_once(catalog: Catalog) -> None:
    dark_eagle = catalog.systems["dark-eagle"].range
    assert dark_eagle.text == "1,725 miles"
    assert dark_eagle.max_range_km == pytest.approx(1725 * 1.609344, abs=1e-9)


def test_max_estimate_has_no_minimum_range(catalog: Catalog) -> None:
    """An interval of estimates of the maximum range must not become a min-range hole."""
    hwasong = catalog.systems["hwasong-12"].range
    assert hwasong.meaning == "max-estimate"
    assert (hwasong.km.min_km, hwasong.km.max_km) == (0.0, 5000.0)
    assert (hwasong.published_km.min_km, hwasong.published_km.max_km) == (4500.0, 5000.0)
    assert (hwasong.min_range_km, hwasong.max_range_low_km, hwasong.max_range_km) == (
        0.0,
        4500.0,
        5000.0,
    )


def test_owner_claim_kept_beside_the_assessment(catalog: Catalog) -> None:
    ssc8 = catalog.systems["9m729"]
    assert (ssc8.range.status, ssc8.range.max_range_low_km) == ("assessed", 500.0)
    claim = ssc8.other_ranges[0]
    assert (claim.status, claim.max_range_km) == ("claimed-by-owner", 480.0)


def test_inf_treaty_dates(catalog: Catalog) -> None:
    events = catalog.events
    assert events["inf-signature"].date == "1987-12-08"
    assert events["inf-entry-into-force"].date == "1988-06-01"
    assert events["inf-end"].date == "2019-08-02"
    assert events["inf-end"].kind == "treaty-end"


def test_sites_are_their_gazetteer_towns(catalog: Catalog) -> None:
    for site in catalog.sites.values():
        town = find_place(f"{site.name}, {site.country}")
        km = Geodesic.WGS84.Inverse(site.lat, site.lon, town.lat, town.lon)["s12"] / 1000.0
        assert km < 1.0 < site.uncertainty_km, site.id


def test_deployments_of(catalog: Catalog) -> None:
    assert [d.id for d in catalog.deployments_of("tomahawk")] == [
        "tomahawk-philippines-laoag",
        "tomahawk-germany",
    ]
    belarus = catalog.deployments_of("oreshnik")[0]
    assert (belarus.site, belarus.host, belarus.owner) == ("krychaw", "BY", "RU")
    assert belarus.quantity is not None
    assert (belarus.quantity.min, belarus.quantity.max) == (1, 10)
    assert catalog.deployments_of("agni-v") == []
    with pytest.raises(InputError) as info:
        catalog.deployments_of("nope")
    assert info.value.field == "system"


def test_sources_of_includes_nested_figures(catalog: Catalog) -> None:
    ids = [s.id for s in catalog.sources_of(catalog.systems["9m729"])]
    assert "ap-2019-01-23-9m729" in ids  # cited only by the owner's figure
    assert len(ids) == len(set(ids))
    quantity_only = {"sputnik-2025-12-18-lukashenko", "reuters-2025-12-26-krichev"}
    deployment = catalog.deployments["oreshnik-belarus"]
    assert quantity_only <= {s.id for s in catalog.sources_of(deployment)}
    source = catalog.sources["oan-2019-08-02"]
    assert catalog.sources_of(source) == [source]


# --------------------------------------------------------------------------- find_system


@pytest.mark.parametrize(
    ("name", "system_id"),
    [
        ("SSC-8", "9m729"),
        ("ssc 8", "9m729"),
        ("9M729", "9m729"),
        ("hazelnut tree", "oreshnik"),
        ("ORESHNIK", "oreshnik"),
        ("Орешник", "oreshnik"),
        ("Dark Eagle", "dark-eagle"),
        ("LRHW", "dark-eagle"),
        ("Agni 5", "agni-v"),
        ("kinzhal", "kh-47m2-kinzhal"),
        ("prsm", "prsm"),
    ],
)
def test_find_system_by_name_alias_or_id(catalog: Catalog, name: str, system_id: str) -> None:
    assert catalog.find_system(name).id == system_id


@pytest.mark.parametrize(
    ("typo", "suggested"),
    [("Oreshnick", "Oreshnik"), ("hazelnut", "Oreshnik"), ("Zirkon", "3M22 Zircon")],
)
def test_find_system_suggests_close_names(catalog: Catalog, typo: str, suggested: str) -> None:
    with pytest.raises(InputError) as info:
        catalog.find_system(typo)
    assert info.value.field == "system"
    assert "did you mean: " in info.value.allowed
    assert suggested in info.value.allowed.split("did you mean: ")[1].split(", ")


def test_find_system_lists_all_names_when_nothing_is_close(catalog: Catalog) -> None:
    with pytest.raises(InputError) as info:
        catalog.find_system("xyzzy")
    assert "did you mean" not in info.value.allowed
    assert all(s.name in info.value.allowed for s in catalog.systems.values())


@pytest.mark.parametrize("bad", ["", "  ", "--", None])
def test_find_system_rejects_empty_names(catalog: Catalog, bad: object) -> None:
    with pytest.raises(InputError):
        catalog.find_system(bad)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- broken catalogs


def _write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return directory


# Line numbers below are those of the dedented text (line 1 = first line).
GOOD_SOURCES = """
[[source]]
id = "s1"
publisher = "Pub"
title = "Title"
date = "2024-07-10"
"""

GOOD_SYSTEMS = """
[[system]]
id = "sys1"
name = "Sys One"
owner = "RU"
class = "ballistic"
basing = ["ground"]
sources = ["s1"]

[system.range]
text = "up to 500 km"
status = "reported"
sources = ["s1"]
"""

GOOD_SITES = """
[[site]]
id = "site1"
name = "Krychaw"
lat = 53.71924
lon = 31.71356
uncertainty_km = 30.0
country = "BY"
status = "assessed"
sources = ["s1"]
"""

GOOD_DEPLOYMENTS = """
[[deployment]]
id = "dep1"
system = "sys1"
site = "site1"
host = "BY"
owner = "RU"
status = "assessed"
sources = ["s1"]
"""

GOOD_EVENTS = """
[[event]]
id = "ev1"
date = "1987-12-08"
kind = "treaty-signature"
actors = ["US", "SU"]
summary = "Signed."
sources = ["s1"]
"""

GOOD = {
    "sources.toml": GOOD_SOURCES,
    "systems.toml": GOOD_SYSTEMS,
    "sites.toml": GOOD_SITES,
    "deployments.toml": GOOD_DEPLOYMENTS,
    "events.toml": GOOD_EVENTS,
}

BROKEN = {
    # line 7: the second source has no publisher -> reported at its header
    "sources.toml": GOOD_SOURCES
    + """
[[source]]
id = "s2"
title = "No publisher"
date = "2019"
""",
    # line 23: a unit that does not exist; line 35: a source id nobody defined
    "systems.toml": GOOD_SYSTEMS
    + """
[[system]]
id = "sys2"
name = "Sys Two"
owner = "US"
class = "cruise"
basing = ["sea"]
sources = ["s1"]

[system.range]
text = "5000 parsecs"
status = "reported"
sources = ["s1"]

[[system]]
id = "sys3"
name = "Sys Three"
owner = "CN"
class = "ballistic"
basing = ["ground"]
sources = [
  "s1",
  "no-such-source",
]
range = { text = "up to 4,000 km", status = "reported", sources = ["s1"] }
""",
    # line 12: a duplicate id; line 24: latitude 91
    "sites.toml": GOOD_SITES
    + """
[[site]]
id = "site1"
name = "Wiesbaden"
lat = 50.08601
lon = 8.24435
uncertainty_km = 25.0
country = "DE"
status = "reported"
sources = ["s1"]

[[site]]
id = "site2"
name = "Nowhere"
lat = 91
lon = 0.0
uncertainty_km = 5.0
country = "XX"
status = "reported"
sources = ["s1"]
""",
    "deployments.toml": GOOD_DEPLOYMENTS,
    # line 4: TOML syntax error (a string that never closes)
    "events.toml": """
[[event]]
id = "ev1"
date = "1987-12-08"
kind = "treaty-signature
actors = ["US", "SU"]
""",
}


def _where(problems: list[Problem]) -> list[tuple[str, int | None]]:
    return [(Path(p.file).name, p.line) for p in problems]


def test_good_catalog_loads(tmp_path: Path) -> None:
    catalog = load_catalog(_write(tmp_path, GOOD))
    assert catalog.find_system("sys one").range.max_range_km == 500.0
    assert validate_catalog(tmp_path) == []


def test_broken_catalog_reports_each_defect_at_its_line(tmp_path: Path) -> None:
    problems = validate_catalog(_write(tmp_path, BROKEN))
    assert _where(problems) == [
        ("events.toml", 4),
        ("sites.toml", 12),
        ("sites.toml", 24),
        ("sources.toml", 7),
        ("systems.toml", 23),
        ("systems.toml", 35),
    ], "\n".join(map(str, problems))
    events, dup, lat, publisher, unit, unknown = problems
    assert "TOML syntax error" in events.message
    assert "duplicate id (first defined at line 2)" in dup.message
    assert "lat" in lat.message and "91" in lat.message
    assert "missing required key 'publisher'" in publisher.message
    assert "5000 parsecs" in unit.message and "range.text" in unit.message
    assert "unknown source id 'no-such-source'" in unknown.message
    assert str(unit).startswith(f"{unit.file}:23: system 'sys2': range.text: ")


def test_load_raises_with_every_problem(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as info:
        load_catalog(_write(tmp_path, BROKEN))
    assert isinstance(info.value, ReachmapError)
    assert len(info.value.problems) == 6
    assert all(str(p) in str(info.value) for p in info.value.problems)


def test_xx_is_a_well_formed_country_code(tmp_path: Path) -> None:
    """The validator checks the form of ISO codes only (``XX`` passes): one problem per defect."""
    problems = validate_catalog(_write(tmp_path, BROKEN))
    assert not any("country" in p.message for p in problems)


def test_broken_file_does_not_cascade(tmp_path: Path) -> None:
    """References into a file that does not parse are not reported as unknown ids."""
    files = dict(GOOD, **{"sites.toml": "[[site]]\nid = \n"})
    problems = validate_catalog(_write(tmp_path, files))
    assert _where(problems) == [("sites.toml", 2)]


@pytest.mark.parametrize(
    ("edit", "line", "needle"),
    [
        (("1987-12-08", "1987-02-30"), 3, "real calendar date"),
        (("1987-12-08", "8 Dec 1987"), 3, "YYYY, YYYY-MM or YYYY-MM-DD"),
        (('kind = "treaty-signature"', 'kind = "signing"'), 4, "kind"),
        (('actors = ["US", "SU"]', 'actors = ["US", "SU"]\nwhere = "x"'), 6, "unknown key 'where'"),
        (('id = "ev1"', 'id = "Ev 1"'), 2, "lower-case"),
    ],
)
def test_event_value_errors(tmp_path: Path, edit: tuple[str, str], line: int, needle: str) -> None:
    files = dict(GOOD, **{"events.toml": GOOD_EVENTS.replace(*edit)})
    problems = validate_catalog(_write(tmp_path, files))
    assert _where(problems) == [("events.toml", line)], problems
    assert needle in problems[0].message


def test_unknown_key_lists_the_allowed_keys(tmp_path: Path) -> None:
    files = dict(GOOD, **{"systems.toml": GOOD_SYSTEMS + 'colour = "red"\n'})
    (problem,) = validate_catalog(_write(tmp_path, files))
    assert problem.line == 13
    assert "range: unknown key 'colour'; allowed keys: text, meaning" in problem.message


def test_max_estimate_needs_an_interval(tmp_path: Path) -> None:
    text = GOOD_SYSTEMS.replace(
        'status = "reported"', 'meaning = "max-estimate"\nstatus = "reported"'
    )
    (problem,) = validate_catalog(_write(tmp_path, dict(GOOD, **{"systems.toml": text})))
    assert problem.line == 9
    assert "max-estimate" in problem.message


def test_deployment_dates_and_quantity(tmp_path: Path) -> None:
    text = (
        GOOD_DEPLOYMENTS
        + 'date_from = "2026"\ndate_to = "2025-12"\n'
        + '\n[deployment.quantity]\ntext = "several dozen"\nmin = 60\nmax = 24\n'
        + 'status = "reported"\nsources = ["s1"]\nnote = "n"\n'
    )
    problems = validate_catalog(_write(tmp_path, dict(GOOD, **{"deployments.toml": text})))
    assert _where(problems) == [("deployments.toml", 10), ("deployments.toml", 12)]
    assert "date_from" in problems[0].message
    assert "min <= max" in problems[1].message


def test_missing_and_unknown_files(tmp_path: Path) -> None:
    files = {k: v for k, v in GOOD.items() if k != "events.toml"}
    files["extra.toml"] = "x = 1\n"
    problems = validate_catalog(_write(tmp_path, files))
    assert _where(problems) == [("events.toml", None), ("extra.toml", None)]
    assert str(problems[0]) == f"{problems[0].file}: {problems[0].message}"


def test_syntax_error_at_end_of_file(tmp_path: Path) -> None:
    files = dict(GOOD, **{"events.toml": GOOD_EVENTS + 'systems = ["a",\n'})
    (problem,) = validate_catalog(_write(tmp_path, files))
    assert (Path(problem.file).name, problem.line) == ("events.toml", 8)  # the last line
    assert problem.message.startswith("TOML syntax error")
