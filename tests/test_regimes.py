"""Regime rules, boundaries and dates, checked against the published texts.

Reference values (full citations in ``src/reachmap/data/regimes.toml``):

* INF Treaty, Article II: shorter-range missile, range capability "equal to or in
  excess of 500 kilometers but not in excess of 1000 kilometers"; intermediate-range,
  "in excess of 1000 kilometers but not in excess of 5500 kilometers"; ground-launched
  ballistic (GLBM) and cruise (GLCM) missiles only. Entered into force 1 June 1988.
  Article XV: notice "six months prior to withdrawal"; the US notice of 2 February
  2019 took effect on 2 August 2019 (US Secretary of Defense: "effective today, Aug. 2,
  2019"), so the treaty was in force on 1 August 2019 and not on 2 August 2019.
* MTCR Annex, Category I: "at least a 500 kg payload to a range of at least 300 km",
  whatever the basing; formation announced on 16 April 1987 (US Department of State,
  1997-04-16).
* New START Protocol: ICBM, a land-based ballistic missile with a range of more than
  5,500 km. In force from 5 February 2011; extended to 5 February 2026; the Arms Control
  Association reported on 5 February 2026 that it expired that day (reachmap's
  assessment: not in force on 5 February 2026).

The independent oracle for intervals is :func:`segment`, the treaty limits written out
by hand below, not read from the data file.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reachmap.errors import InputError
from reachmap.geo.units import parse_range
from reachmap.rules.classification import VERDICTS, Finding, classify
from reachmap.rules.regimes import BASINGS, load_regimes, regime

ON = dt.date(2026, 11, 25)


def by_id(findings: list[Finding]) -> dict[str, Finding]:
    return {f.regime_id: f for f in findings}


def inf(range_km, basing="ground", system_class="ballistic", **kw) -> Finding:
    kw.setdefault("on", ON)
    return by_id(classify(range_km=range_km, basing=basing, system_class=system_class, **kw))["inf"]


def icbm(range_km, basing="ground", system_class="ballistic", **kw) -> Finding:
    kw.setdefault("on", ON)
    found = classify(range_km=range_km, basing=basing, system_class=system_class, **kw)
    return by_id(found)["new-start-icbm"]


def mtcr(range_km, payload_kg, basing="ground", **kw) -> Finding:
    kw.setdefault("on", ON)
    found = classify(range_km=range_km, basing=basing, payload_kg=payload_kg, **kw)
    return by_id(found)["mtcr-cat1"]


# --------------------------------------------------------------------- the data


def test_bundled_regimes_in_order() -> None:
    assert list(load_regimes()) == ["inf", "mtcr-cat1", "new-start-icbm"]


def test_inf_bands_are_the_treaty_wording() -> None:
    short, inter = regime("inf").bands
    # "equal to or in excess of 500 ... not in excess of 1000"
    assert (short.name, short.min_km, short.min_inclusive) == ("shorter-range", 500, True)
    assert (short.max_km, short.max_inclusive) == (1000, True)
    # "in excess of 1000 ... not in excess of 5500"
    assert (inter.name, inter.min_km, inter.min_inclusive) == ("intermediate-range", 1000, False)
    assert (inter.max_km, inter.max_inclusive) == (5500, True)
    assert regime("inf").basing == ("ground",)
    assert regime("inf").signed == dt.date(1987, 12, 8)


def test_new_start_and_mtcr_limits() -> None:
    (band,) = regime("new-start-icbm").bands
    assert (band.min_km, band.min_inclusive, band.max_km) == (5500, False, None)
    (cat1,) = regime("mtcr").bands
    assert (cat1.min_km, cat1.min_inclusive, cat1.max_km) == (300, True, None)
    assert regime("mtcr").min_payload_kg == 500
    assert regime("mtcr").kind == "export-control regime"
    assert regime("mtcr").in_force.until is None


def test_every_regime_is_sourced() -> None:
    for reg in load_regimes().values():
        assert reg.sources
        for src in reg.sources:
            assert src.publisher and src.title and src.supports
            assert re.fullmatch(r"(\d{4}(-\d{2}(-\d{2})?)?)?", src.date)
            assert "http" not in str(src) and "www." not in str(src)


def test_rule_text_quotes_only_short_phrases() -> None:
    for reg in load_regimes().values():
        for quote in re.findall(r'"([^"]*)"', reg.rule_text):
            assert len(quote.split()) <= 15, quote


def test_end_dates_carry_status_and_reason() -> None:
    assert regime("inf").in_force.until_status == "confirmed"
    assert "six months" in regime("inf").in_force.until_note
    new_start = regime("New START").in_force
    assert new_start.until == dt.date(2026, 2, 5)
    assert new_start.until_status == "assessed"
    assert "expired" in new_start.until_note


@pytest.mark.parametrize(
    "name", ["inf", "INF", "INF Treaty", "intermediate-range nuclear forces treaty"]
)
def test_regime_lookup(name: str) -> None:
    assert regime(name).id == "inf"


def test_unknown_regime_lists_ids() -> None:
    with pytest.raises(InputError) as err:
        regime("SALT II")
    assert err.value.field == "regime"
    assert "inf, mtcr-cat1, new-start-icbm" in str(err.value)


# ------------------------------------------------------------------ INF, ranges


@pytest.mark.parametrize(
    ("km", "verdict", "bands"),
    [
        (499, "outside", ()),
        (499.999, "outside", ()),
        (500, "within", ("shorter-range",)),
        (999, "within", ("shorter-range",)),
        (1000, "within", ("shorter-range",)),
        (1000.001, "within", ("intermediate-range",)),
        (1001, "within", ("intermediate-range",)),
        (5500, "within", ("intermediate-range",)),
        (5500.001, "outside", ()),
        (5501, "outside", ()),
    ],
)
def test_inf_single_figures(km: float, verdict: str, bands: tuple[str, ...]) -> None:
    f = inf((km, km))
    assert (f.verdict, f.bands, f.edges_km) == (verdict, bands, ())


@pytest.mark.parametrize(
    ("interval", "bands", "edges"),
    [
        ((499, 500), ("shorter-range",), (500,)),
        ((499, 501), ("shorter-range",), (500,)),
        ((999, 1001), ("shorter-range", "intermediate-range"), (1000,)),
        ((1000, 1001), ("shorter-range", "intermediate-range"), (1000,)),
        ((5499, 5501), ("intermediate-range",), (5500,)),
        ((5500, 5501), ("intermediate-range",), (5500,)),
        ((499, 5501), ("shorter-range", "intermediate-range"), (500, 1000, 5500)),
    ],
)
def test_inf_intervals_straddling_each_edge(interval, bands, edges) -> None:
    f = inf(interval)
    assert (f.verdict, f.bands, f.edges_km) == ("straddles", bands, edges)


@pytest.mark.parametrize(
    ("interval", "verdict"),
    [
        ((400, 499), "outside"),
        ((500, 1000), "within"),
        ((1001, 5500), "within"),
        ((5501, 9000), "outside"),
    ],
)
def test_inf_intervals_touching_edges_from_inside_or_outside(interval, verdict) -> None:
    assert inf(interval).verdict == verdict


def test_inner_edge_is_covered_either_way() -> None:
    f = inf((800, 1200))
    assert f.verdict == "straddles" and f.edges_km == (1000,)
    assert "1,000 km line" in f.reason and "either way" in f.reason


def test_310_to_3400_miles_straddles_the_500_km_limit() -> None:
    f = inf(parse_range("310 to 3,400 miles"))
    assert f.verdict == "straddles"
    assert f.edges_km == (500, 1000)
    assert f.bands == ("shorter-range", "intermediate-range")
    assert "310–3,400 mi (498.9–5,471.8 km)" in f.reason
    assert "lower limit of the INF Treaty, at least 500 km" in f.reason
    assert f.range_km == pytest.approx((498.89664, 5471.7696))


def test_single_published_figure_is_the_maximum() -> None:
    f = inf(parse_range("up to 5,500 km"))
    assert f.range_km == (5500, 5500)
    assert (f.verdict, f.bands) == ("within", ("intermediate-range",))
    assert inf(parse_range("3,400-mile")).bands == ("intermediate-range",)


def segment(km: float) -> str:
    """INF Article II by hand: where a range capability falls."""
    if km < 500:
        return "below"
    if km <= 1000:
        return "shorter-range"
    if km <= 5500:
        return "intermediate-range"
    return "above"


EDGES = [0.0, 499.0, 500.0, 999.0, 1000.0, 1001.0, 5499.0, 5500.0, 5501.0, 20_000.0]
kms = st.one_of(st.sampled_from(EDGES), st.floats(0, 20_000), st.floats(450, 1050))


@given(a=kms, b=kms)
def test_inf_verdict_matches_hand_written_oracle(a: float, b: float) -> None:
    lo, hi = min(a, b), max(a, b)
    if hi == 0:
        return
    low, high = segment(lo), segment(hi)
    if low == high:
        expected = "outside" if low in {"below", "above"} else "within"
    else:
        expected = "straddles"
    order = ["below", "shorter-range", "intermediate-range", "above"]
    hit = order[order.index(low) : order.index(high) + 1]
    f = inf((lo, hi))
    assert f.verdict == expected
    assert f.bands == tuple(s for s in hit if s not in {"below", "above"})


# ----------------------------------------------------------- New START, MTCR


@pytest.mark.parametrize(
    ("km", "verdict"),
    [(5499, "outside"), (5500, "outside"), (5500.001, "within"), (5501, "within")],
)
def test_icbm_single_figures(km: float, verdict: str) -> None:
    f = icbm((km, km))
    assert f.verdict == verdict
    assert f.bands == (("ICBM",) if verdict == "within" else ())


@pytest.mark.parametrize("interval", [(5499, 5501), (5500, 5501), (1000, 12_000)])
def test_icbm_intervals_straddling_5500(interval) -> None:
    f = icbm(interval)
    assert (f.verdict, f.edges_km) == ("straddles", (5500,))
    assert "more than 5,500 km" in f.reason


@pytest.mark.parametrize(
    ("km", "payload", "verdict"),
    [
        (299, 499, "outside"),
        (299, 500, "outside"),
        (300, 499, "outside"),
        (300, 500, "within"),
        (301, 501, "within"),
        (299, None, "outside"),
        (300, None, "unknown"),
    ],
)
def test_mtcr_range_and_payload_thresholds(km, payload, verdict) -> None:
    f = mtcr((km, km), payload)
    assert f.verdict == verdict
    assert ("payload is not given" in f.reason) == (verdict == "unknown")


def test_mtcr_interval_straddling_300_km() -> None:
    f = mtcr((299, 300), 500)
    assert (f.verdict, f.edges_km) == ("straddles", (300,))
    assert mtcr((299, 300), None).verdict == "unknown"
    assert mtcr((299, 300), 499).verdict == "outside"


def test_mtcr_payload_reason_names_the_numbers() -> None:
    f = mtcr((1600, 1600), 450, basing="sea")
    assert f.verdict == "outside"
    assert "450 kg" in f.reason and "500 kg" in f.reason and "1,600 km" in f.reason


# ------------------------------------------------------------ basing and class


@pytest.mark.parametrize("basing", BASINGS)
def test_basing(basing: str) -> None:
    found = by_id(
        classify(
            range_km=(6000, 6000), basing=basing, system_class="ballistic", payload_kg=1000, on=ON
        )
    )
    ground = basing == "ground"
    assert found["mtcr-cat1"].verdict == "within"  # MTCR: any basing
    assert found["new-start-icbm"].verdict == ("within" if ground else "outside")
    f = inf((2000, 2000), basing=basing)
    assert f.verdict == ("within" if ground else "outside")
    if not ground:
        assert f"{basing}-launched" in f.reason
        assert "covers only ground-launched systems" in f.reason


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("Ground-launched", "ground"),
        ("land based", "ground"),
        ("SUBMARINE", "sea"),
        ("ship", "sea"),
        ("air_launched", "air"),
    ],
)
def test_basing_spellings(spelling: str, canonical: str) -> None:
    assert inf((2000, 2000), basing=spelling).reason == inf((2000, 2000), basing=canonical).reason


def test_classes() -> None:
    assert icbm((8000, 8000), system_class="cruise").verdict == "outside"
    assert "only ballistic missiles" in icbm((8000, 8000), system_class="cruise").reason
    assert inf((2000, 2000), system_class="cruise").verdict == "within"
    assert inf((2000, 2000), system_class="Hypersonic-cruise").verdict == "within"
    assert inf((2000, 2000), system_class="aeroballistic").verdict == "within"
    glide = inf((2000, 2000), system_class="hypersonic-glide")
    assert glide.verdict == "unknown" and "boost-glide" in glide.reason
    assert icbm((8000, 8000), system_class="HGV").verdict == "unknown"
    # the range alone rules it out, whatever the class
    assert inf((300, 300), system_class="hypersonic glide").verdict == "outside"


def test_class_not_given_is_said() -> None:
    f = inf((2000, 2000), system_class=None)
    assert f.verdict == "within"
    assert "ballistic or cruise missile (class not given)" in f.reason


# ------------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("day", "in_force"),
    [
        (dt.date(1988, 5, 31), False),
        (dt.date(1988, 6, 1), True),
        (dt.date(2019, 8, 1), True),  # last day: the withdrawal took effect on 2 August
        (dt.date(2019, 8, 2), False),
        (dt.date(2019, 8, 3), False),
    ],
)
def test_inf_in_force(day: dt.date, in_force: bool) -> None:
    assert regime("inf").in_force_on(day) is in_force
    f = inf((2000, 2000), on=day)
    assert f.in_force is in_force
    assert f.verdict == "within"  # the rule does not change with the date
    assert (f.in_force_from, f.in_force_until) == (dt.date(1988, 6, 1), dt.date(2019, 8, 2))


@pytest.mark.parametrize(
    ("day", "in_force"),
    [
        (dt.date(2011, 2, 4), False),
        (dt.date(2011, 2, 5), True),
        (dt.date(2021, 2, 5), True),  # extended on 3 February 2021
        (dt.date(2026, 2, 4), True),
        (dt.date(2026, 2, 5), False),
        (ON, False),
    ],
)
def test_new_start_in_force(day: dt.date, in_force: bool) -> None:
    assert icbm((8000, 8000), on=day).in_force is in_force


@pytest.mark.parametrize(
    ("day", "in_force"),
    [(dt.date(1987, 4, 15), False), (dt.date(1987, 4, 16), True), (ON, True)],
)
def test_mtcr_in_effect(day: dt.date, in_force: bool) -> None:
    assert mtcr((500, 500), 500, on=day).in_force is in_force


def test_on_defaults_to_today() -> None:
    (f, *_) = classify(range_km=(2000, 2000), basing="ground")
    assert f.on == dt.date.today()


def test_datetime_is_taken_as_its_date() -> None:
    assert inf((2000, 2000), on=dt.datetime(2019, 8, 1, 23, 59)).in_force


# ---------------------------------------------------------------------- display


def test_finding_str_is_readable() -> None:
    text = str(inf(parse_range("310 to 3,400 miles")))
    assert text.startswith("INF Treaty: straddles (shorter-range or intermediate-range). ")
    assert "In force from 1988-06-01 through 2019-08-01; not in force on 2026-11-25." in text
    icbm_text = str(icbm((8000, 8000), on=dt.date(2020, 1, 1)))
    assert "through 2026-02-04 (end date assessed); in force on 2020-01-01" in icbm_text
    assert "In effect since 1987-04-16; in effect on" in str(mtcr((500, 500), 500))


def test_reasons_are_one_sentence_with_numbers() -> None:
    for basing in BASINGS:
        for f in classify(range_km=(450, 5600), basing=basing, payload_kg=600, on=ON):
            assert f.verdict in VERDICTS
            assert f.reason.endswith(".") and f.reason.count(". ") == 0, f.reason
            assert "450–5,600 km" in f.reason


# ----------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"basing": "space"}, "basing"),
        ({"basing": None}, "basing"),
        ({"system_class": "rail gun"}, "system_class"),
        ({"range_km": (-1, 500)}, "range_km"),
        ({"range_km": (600, 500)}, "range_km"),
        ({"range_km": (0, 0)}, "range_km"),
        ({"range_km": (0, math.nan)}, "range_km"),
        ({"range_km": (0, 30_000)}, "range_km"),
        ({"range_km": (1, 2, 3)}, "range_km"),
        ({"range_km": (True, 500)}, "range_km"),
        ({"range_km": "500 km"}, "range_km"),
        ({"payload_kg": -5}, "payload_kg"),
        ({"payload_kg": 0}, "payload_kg"),
        ({"payload_kg": "500 kg"}, "payload_kg"),
        ({"on": "2019-08-01"}, "on"),
    ],
)
def test_bad_input_names_the_field(kwargs, field) -> None:
    args = {"range_km": (500, 500), "basing": "ground"} | kwargs
    with pytest.raises(InputError) as err:
        classify(**args)
    assert err.value.field == field
    assert "expected" in str(err.value)


def test_basing_error_lists_allowed_values() -> None:
    with pytest.raises(InputError, match="'ground', 'sea', 'air'"):
        classify(range_km=(500, 500), basing="orbital")


# ------------------------------------------------------------ user regime files

GOOD = """
[[regime]]
id = "test"
name = "Test rule"
full_name = "A test rule"
kind = "treaty"
rule_text = "Ground-launched missiles from 100 km."
basing = ["ground"]
classes = ["ballistic"]

[regime.in_force]
from = 2000-01-01

[[regime.band]]
name = "low"
min_km = 100
min_inclusive = true
max_km = 200
max_inclusive = true

[[regime.band]]
name = "high"
min_km = 200
min_inclusive = false

[[regime.source]]
publisher = "Nobody"
title = "Nothing"
date = "2000"
supports = "the test"
"""


def test_user_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert list(load_regimes(path)) == ["test"]
    assert load_regimes(path)["test"].span.describe() == "at least 100 km"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (("min_km = 200\nmin_inclusive = false", "min_km = 250\nmin_inclusive = false"), "edge"),
        (("min_inclusive = false", "min_inclusive = true"), "edge"),
        (('basing = ["ground"]', 'basing = ["orbit"]'), "basing"),
        (("from = 2000-01-01", "from = 2000-01-01\nuntil = 1999-01-01"), "in_force"),
        (("from = 2000-01-01", "from = 2000-01-01\nuntil = 2001-01-01"), "in_force"),
        (('date = "2000"', 'date = "May 2000"'), "source[0] date"),
        (('kind = "treaty"', 'kind = "treaty"\ncolour = "red"'), "colour"),
    ],
)
def test_broken_user_file_names_file_regime_and_field(tmp_path: Path, change, where) -> None:
    path = tmp_path / "rules.toml"
    old, new = change
    assert old in GOOD
    path.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_regimes(path)
    assert str(path) in err.value.field
    assert "regime[0] 'test'" in err.value.field
    assert where in str(err.value)
    assert "more problems" not in str(err.value)
    assert "'id':" not in str(err.value)  # no dump of the whole table


def test_not_toml_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[[regime]\n", encoding="utf-8")
    with pytest.raises(InputError, match="valid TOML"):
        load_regimes(path)
    with pytest.raises(InputError) as err:
        load_regimes(tmp_path / "missing.toml")
    assert err.value.field == "path"
