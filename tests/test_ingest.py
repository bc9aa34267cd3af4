"""Reading a news article: ``reachmap.ingest.extract.extract``, the review, ``reachmap ingest``.

The corpus is tests/articles/*.txt: short articles written for these tests. For each one
the tables below list, by hand, what the article states (kind, the exact words, and what
they mean). Kilometres were converted by hand with the exact factors restated here
(1 international mile = 1.609344 km, 1 nautical mile = 1.852 km), not taken from
reachmap.geo.units:

* 310 mi = 498.89664 km; 3,400 mi = 5,471.7696 km;
* 1,000 nmi = 1,852 km.

Properties checked over every article: offsets (``text == article[start:end]``, the same
for the sentence), numbers only as written in the text, kilometres consistent with the
published numbers and unit, a review TOML that parses and keeps every offset, and the CLI.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reachmap.cli.main import app
from reachmap.ingest.extract import Extraction, Extractions, extract
from reachmap.ingest.review import review_toml, run_checks
from reachmap.world.regions import region

ARTICLES = Path(__file__).parent / "articles"
KM_PER_MILE = 1.609344  # restated, not imported
KM_PER_NMI = 1.852
ON = dt.date(2026, 1, 15)  # region memberships judged on a fixed day

runner = CliRunner()


def km(lo: float | None, hi: float, unit: str) -> dict[str, Any]:
    """Expected value of a parsed range (``lo`` None: a disc, no published minimum)."""
    return {
        "status": "parsed", "unit": unit, "min_published": lo, "max_published": hi,
    }  # fmt: skip


# ---- what each article states, read by hand ---------------------------------------------
# (kind, text exactly as in the article, expected values); deployments are listed apart.

Row = tuple[str, str, dict[str, Any]]

EXPECTED: dict[str, list[Row]] = {
    "belarus_oreshnik": [
        ("country", "Russia", {"iso2": "RU"}),
        ("system", "Oreshnik", {"id": "oreshnik"}),
        ("country", "Belarus", {"iso2": "BY"}),
        ("date", "21 November 2024", {"date": "2024-11-21"}),
        ("place", "Dnipro", {"name": "Dnipro", "country": "UA"}),
        (
            "range",
            "between 310 to 3,400 miles",
            {**km(310, 3400, "mi"), "min_km": 498.89664, "max_km": 5471.7696},
        ),
        ("claim", "can cover all of Europe", {"region": "europe"}),
        ("region", "Europe", {"id": "europe"}),
        ("treaty", "INF Treaty", {"id": "inf"}),
        ("place", "Washington", {"name": "Washington", "country": "US"}),
        ("date", "2019", {"date": "2019"}),
        ("quantity", "several dozen launchers", {"low": 36, "high": 108}),
    ],
    "germany_long_range_fires": [
        ("country", "United States", {"iso2": "US"}),
        ("country", "Germany", {"iso2": "DE"}),
        ("date", "2026", {"date": "2026"}),
        ("region", "NATO", {"id": "nato"}),
        ("system", "Tomahawk", {"id": "tomahawk"}),
        ("range", "up to 2,500 km", {**km(None, 2500, "km"), "min_km": 0.0, "max_km": 2500.0}),
        # "SM-6 interceptors": a name, not six interceptors (no quantity expected)
        ("system", "Dark Eagle", {"id": "dark-eagle"}),
        ("system", "LRHW", {"id": "dark-eagle"}),
        ("range", "more than 2,775 km", {"status": "rejected"}),  # a minimum only
        ("system", "Tomahawk", {"id": "tomahawk"}),
        ("place", "Wiesbaden", {"name": "Wiesbaden", "country": "DE"}),
        ("place", "Grafenwöhr", {"name": "Grafenwöhr", "country": "DE"}),
        ("country", "U.S.", {"iso2": "US"}),
        ("quantity", "three battalions", {"low": 3, "high": 3}),
    ],
    "philippines_typhon": [
        ("country", "US", {"iso2": "US"}),
        # "Typhon" is not in the catalog and not quoted: nothing
        ("system", "Tomahawk", {"id": "tomahawk"}),
        ("place", "Laoag", {"name": "Laoag", "country": "PH"}),
        # "Luzon" is the island, not a populated place: no place expected
        ("date", "April 2024", {"date": "2024-04"}),
        (
            "range",
            "1,000 nautical miles",
            {**km(None, 1000, "nmi"), "min_km": 0.0, "max_km": 1852.0},
        ),
        ("quantity", "a handful of launchers", {"low": 2, "high": 5}),
        ("place", "Beijing", {"name": "Beijing", "country": "CN"}),
        ("country", "China", {"iso2": "CN"}),
        ("system", "DF-26", {"id": "df-26"}),
        ("range", "4,000-kilometre", {**km(None, 4000, "km"), "min_km": 0.0, "max_km": 4000.0}),
        # Guam is a bundled country (a territory with its own ISO code): a claim on it
        ("claim", "can reach Guam", {"region": region("Guam").id}),
        ("country", "Guam", {"iso2": "GU"}),
        ("place", "Manila", {"name": "Manila", "country": "PH"}),
        ("date", "2025", {"date": "2025"}),
    ],
    "korea_hwasong": [
        ("country", "North Korea", {"iso2": "KP"}),
        ("system", "Hwasong-12", {"id": "hwasong-12"}),
        ("place", "Pyongyang", {"name": "Pyongyang", "country": "KP"}),
        ("country", "Japan", {"iso2": "JP"}),
        ("date", "2017", {"date": "2017"}),
        ("range", "4,500 km", {**km(None, 4500, "km"), "min_km": 0.0, "max_km": 4500.0}),
        ("country", "Guam", {"iso2": "GU"}),
        ("quantity", "up to 10 launchers", {"low": 0, "high": 10}),
        ("country", "Guam", {"iso2": "GU"}),
        ("range", "2,430 nm", {"status": "rejected"}),  # nm: nanometre or nautical mile
        ("place", "Pyongyang", {"name": "Pyongyang", "country": "KP"}),
        ("treaty", "MTCR", {"id": "mtcr-cat1"}),
        ("treaty", "New START", {"id": "new-start-icbm"}),
    ],
    "south_asia_agni": [
        ("country", "India", {"iso2": "IN"}),
        ("system", "Agni-V", {"id": "agni-v"}),
        ("system", "Agni-5", {"id": "agni-v"}),
        ("range", "5,000-5,500 km", {**km(5000, 5500, "km"), "min_km": 5000.0, "max_km": 5500.0}),
        ("place", "New Delhi", {"name": "New Delhi", "country": "IN"}),
        ("claim", "can strike anywhere in Asia", {"region": "asia"}),
        ("region", "Asia", {"id": "asia"}),
        ("country", "Pakistan", {"iso2": "PK"}),
        ("system", "Shaheen-III", {"id": "shaheen-iii"}),
        ("date", "2015", {"date": "2015"}),
        ("range", "2,750 km", {**km(None, 2750, "km"), "min_km": 0.0, "max_km": 2750.0}),
        ("country", "India", {"iso2": "IN"}),
        ("place", "Islamabad", {"name": "Islamabad", "country": "PK"}),
        ("country", "India", {"iso2": "IN"}),
        ("treaty", "nuclear doctrine", {"id": "doctrine"}),
    ],
    "museum_nothing": [],
    "quoted_new_names": [
        ("system", "Орешник", {"id": "oreshnik"}),
        ("system", "Oreshnik", {"id": "oreshnik"}),
        ("system-candidate", "Burevestnik", {"name": "Burevestnik"}),
        ("system-candidate", "Kedr", {"name": "Kedr"}),
    ],
}

#: (system id, host ISO2, places that must be named, places that may be named)
DEPLOYMENTS: dict[str, list[tuple[str, str, set[str], set[str]]]] = {
    "belarus_oreshnik": [("oreshnik", "BY", set(), set())],
    # based at Wiesbaden; Grafenwöhr is named in the same sentence (training)
    "germany_long_range_fires": [("tomahawk", "DE", {"Wiesbaden"}, {"Grafenwöhr"})],
    "philippines_typhon": [("tomahawk", "PH", {"Laoag"}, set())],
    "korea_hwasong": [],
    "south_asia_agni": [],
    "museum_nothing": [],
    "quoted_new_names": [],
}

NAMES = sorted(EXPECTED)


def test_corpus_is_complete() -> None:
    assert sorted(p.stem for p in ARTICLES.glob("*.txt")) == NAMES
    assert sorted(DEPLOYMENTS) == NAMES


@functools.cache
def article(name: str) -> str:
    return (ARTICLES / f"{name}.txt").read_text(encoding="utf-8")


@functools.cache
def extracted(name: str) -> Extractions:
    return extract(article(name))


def _nth(ex: Extractions, kind: str, text: str, n: int) -> Extraction | None:
    hits = [x for x in ex.items if x.kind == kind and x.text == text]
    return hits[n] if n < len(hits) else None


# ---- the tables -----------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_kinds_and_texts(name: str) -> None:
    got = Counter((x.kind, x.text) for x in extracted(name).items if x.kind != "deployment")
    want = Counter((k, t) for k, t, _ in EXPECTED[name])
    missing, unexpected = sorted((want - got).elements()), sorted((got - want).elements())
    assert not (missing or unexpected), f"missing {missing}; unexpected {unexpected}"


@pytest.mark.parametrize("name", NAMES)
def test_values(name: str) -> None:
    ex = extracted(name)
    seen: Counter[tuple[str, str]] = Counter()
    wrong = []
    for kind, text, want in EXPECTED[name]:
        x = _nth(ex, kind, text, seen[(kind, text)])
        seen[(kind, text)] += 1
        if x is None:
            continue  # reported by test_kinds_and_texts
        for key, value in want.items():
            got = x.value.get(key)
            ok = got == pytest.approx(value, abs=5e-4) if isinstance(value, float) else (
                got == value)  # fmt: skip
            if not ok:
                wrong.append((kind, text, key, value, got))
    assert not wrong, "; ".join(
        f"{k} {t!r}: {key} expected {e!r}, got {g!r}" for k, t, key, e, g in wrong
    )


@pytest.mark.parametrize("name", NAMES)
def test_deployments(name: str) -> None:
    ex = extracted(name)
    deps = ex.of("deployment")
    got = [(d.value["system"], d.value["host"], d.value["places"]) for d in deps]
    want = DEPLOYMENTS[name]
    assert len(got) == len(want), got
    for d, (system, host, must, may) in zip(deps, want, strict=True):
        assert (d.value["system"], d.value["host"]) == (system, host), d.value
        places = set(d.value["places"])
        assert must <= places <= must | may, (d.value["places"], must, may)
        assert d.value["verb"] in d.text
        if d.value["system_in_sentence"]:
            assert d.value["system_text"] in d.text


def test_vague_quantities_say_they_are_a_convention() -> None:
    for name in NAMES:
        for x in extracted(name).of("quantity"):
            if not x.numbers:
                assert x.value["basis"].startswith("convention"), x


def test_rejected_ranges_say_why() -> None:
    (more_than,) = [x for x in extracted("germany_long_range_fires").of("range")
                    if x.value["status"] == "rejected"]  # fmt: skip
    assert more_than.text == "more than 2,775 km" and more_than.numbers == (2775.0,)
    assert "maximum" in more_than.value["reason"]
    (nm,) = [x for x in extracted("korea_hwasong").of("range")
             if x.value["status"] == "rejected"]  # fmt: skip
    assert nm.text == "2,430 nm" and nm.numbers == (2430.0,)
    assert "nmi" in nm.value["reason"] and "nanometre" in nm.value["reason"]


def test_nothing_to_extract() -> None:
    assert extract(article("museum_nothing")).empty


# ---- properties over every article ------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_offsets(name: str) -> None:
    text = article(name)
    for x in extracted(name).items:
        assert x.text == text[x.start : x.end], x
        assert x.sentence == text[x.sentence_start : x.sentence_end], x
        assert x.sentence_start <= x.start < x.end <= x.sentence_end, x
        assert x.text == x.text.strip() and x.text, x


_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12,
}  # fmt: skip
_GROUPED = re.compile(r"\d{1,3}(?:[,\u00a0\u2009\u202f ]\d{3})+(?:\.\d+)?")
_PLAIN = re.compile(r"\d+(?:\.\d+)?")


def numbers_written(text: str) -> set[float]:
    """Every number ``text`` writes: digits (with or without separators) or a word."""
    out = {float(re.sub(r"[,\u00a0\u2009\u202f ]", "", m)) for m in _GROUPED.findall(text)}
    out |= {float(m) for m in _PLAIN.findall(text)}
    out |= {float(n) for w, n in _WORDS.items() if re.search(rf"\b{w}\b", text, re.I)}
    return out


@pytest.mark.parametrize("name", NAMES)
def test_numbers_only_from_the_text(name: str) -> None:
    for x in extracted(name).items:
        assert set(x.numbers) <= numbers_written(x.text), x


def _unit_of(text: str) -> str:
    """The unit the words use, read independently of reachmap."""
    t = text.lower()
    if "nautical" in t or re.search(r"\bnmi\b", t):
        return "nmi"
    if re.search(r"\bnm\b", t):
        return "nm"
    if "mile" in t or re.search(r"\bmi\b", t):
        return "mi"
    assert "kilomet" in t or re.search(r"\bkms?\b", t), text
    return "km"


@pytest.mark.parametrize("name", NAMES)
def test_range_km_match_published_numbers(name: str) -> None:
    factor = {"km": 1.0, "mi": KM_PER_MILE, "nmi": KM_PER_NMI}
    for x in extracted(name).of("range"):
        v = x.value
        assert isinstance(v["range_context"], bool)
        if v["status"] == "rejected":
            assert v["reason"] and "min_km" not in v, x
            continue
        assert v["status"] == "parsed", x
        assert v["unit"] == _unit_of(x.text), x
        published = [n for n in (v["min_published"], v["max_published"]) if n is not None]
        assert sorted(x.numbers) == sorted(published), x
        lo = 0.0 if v["min_published"] is None else v["min_published"] * factor[v["unit"]]
        assert v["min_km"] == pytest.approx(lo, abs=5e-4), x
        assert v["max_km"] == pytest.approx(v["max_published"] * factor[v["unit"]], abs=5e-4)
        assert v["km"].startswith("derived"), x


@pytest.mark.parametrize("name", NAMES)
def test_claim_regions_resolve(name: str) -> None:
    """A claim's region id is one reachmap.world.regions.region accepts (the check needs it)."""
    for x in extracted(name).of("claim"):
        assert region(x.value["region"]).id == x.value["region"], x.value


@pytest.mark.parametrize("name", NAMES)
def test_review_toml(name: str) -> None:
    text, ex = article(name), extracted(name)
    doc = tomllib.loads(review_toml(ex, source=f"{name}.txt"))
    head = doc.pop("article")
    doc.pop("draft", None)  # draft catalog records: tested below
    assert head["source"] == f"{name}.txt"
    assert head["nothing_found"] is ex.empty
    assert head["characters"] == len(text)
    assert head["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    entries = [e for section in doc.values() for e in section]
    assert len(entries) == len(ex.items)
    for e in entries:
        assert e["confirmed"] is False
        assert e["text"] == text[e["start"] : e["end"]], e
        assert e["sentence"] == text[e["sentence_start"] : e["sentence_end"]], e


# ---- the claim checks -------------------------------------------------------------------


def test_claim_check_runs_on_the_articles_range() -> None:
    (check,) = run_checks(extracted("belarus_oreshnik"), on=ON)
    assert check["claim"] == "can cover all of Europe" and check["region"] == "europe"
    assert "not_run" not in check, check.get("not_run")
    assert check["verdict"] in {"holds", "holds with exceptions", "does not hold"}
    assert check["range"].startswith("between 310 to 3,400 miles"), check["range"]
    assert check["system"] == "Oreshnik"
    # no place named in the deployment sentence: the catalog's deployment in Belarus
    assert check["catalog_deployments"] == ["oreshnik-belarus"]
    assert check["summary"].startswith("'can cover all of Europe'")


def test_claim_check_without_a_site_is_not_run() -> None:
    (check,) = run_checks(extracted("south_asia_agni"), on=ON)
    assert check["claim"] == "can strike anywhere in Asia"
    assert check["not_run"].startswith("no site"), check
    assert "verdict" not in check


def test_claim_check_uses_only_sites_of_the_claims_system() -> None:
    """The DF-26 claim must not run from the Tomahawk's Laoag: DF-26 has no site here."""
    (check,) = run_checks(extracted("philippines_typhon"), on=ON)
    assert check["claim"] == "can reach Guam" and check["system"] == "DF-26"
    assert check["range"].startswith("4,000-kilometre")
    assert "sites" not in check, check.get("sites")
    assert check.get("not_run", "").startswith("no site"), check.get("not_run")


# ---- the command line -------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_cli_writes_review_and_report(name: str, tmp_path: Path) -> None:
    out, rep = tmp_path / "r.toml", tmp_path / "r.md"
    result = runner.invoke(
        app, ["ingest", str(ARTICLES / f"{name}.txt"), "--out", str(out), "--report", str(rep)]
    )
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert out.is_file() and rep.is_file()
    assert tomllib.loads(out.read_text(encoding="utf-8"))["article"]["source"] == f"{name}.txt"
    md = rep.read_text(encoding="utf-8")
    assert md.startswith(f"# What the article states: {name}.txt")
    ex = extracted(name)
    if ex.empty:
        assert "nothing to extract" in result.stdout
        assert "Nothing to extract" in md
    else:
        assert "nothing to extract" not in result.stdout
        for x in ex.items:
            assert f"“{x.text}”" in md, x.text
        for claim in ex.of("claim"):
            assert f"claim “{claim.text}”" in result.stdout


def test_cli_missing_article(tmp_path: Path) -> None:
    out, rep = tmp_path / "r.toml", tmp_path / "r.md"
    missing = tmp_path / "no-such-article.txt"
    result = runner.invoke(app, ["ingest", str(missing), "--out", str(out), "--report", str(rep)])
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: article: "), result.stderr
    assert result.stdout == ""
    assert not out.exists() and not rep.exists()


def test_places_by_alternate_spellings() -> None:
    # GeoNames alternate names: "Kiev" is Kyiv's older spelling, "Krichev" Krychaw's
    text = "Launchers were moved from Kiev to Krichev in 2023."
    places = {x.text: x.value for x in extract(text).of("place")}
    assert (places["Kiev"]["name"], places["Kiev"]["country"]) == ("Kyiv", "UA")
    assert (places["Krichev"]["name"], places["Krichev"]["country"]) == ("Krychaw", "BY")
    assert places["Krichev"]["spelling"] == "alternate"


def test_review_file_drafts_catalog_records() -> None:
    import tomllib

    from reachmap.ingest.review import review_toml

    text = (
        'Russia will deploy the new "Kedr" missile, with a range of up to 6,000 km, in '
        "Belarus."
    )
    doc = tomllib.loads(review_toml(extract(text)))
    draft = doc["draft"]
    (system,) = draft["systems"]
    assert system["name"] == "Kedr" and system["range"]["text"] == "up to 6,000 km"
    assert system["sources"] == ["article"] and draft["source"]["publisher"] == ""
    (dep,) = draft["deployments"]
    assert (dep["system"], dep["host"]) == ("Kedr", "BY")
