"""Tests for reachmap.geo.units.

Reference values are hand-checked from the exact definitions
(1 mi = 1.609344 km, 1 nmi = 1.852 km): 310 x 1.609344 = 498.89664,
3,400 x 1.609344 = 5,471.7696, 1,000 x 1.852 = 1,852.
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reachmap.errors import InputError
from reachmap.geo.units import (
    KM_PER_MILE,
    KM_PER_NMI,
    MAX_KM,
    RangeKm,
    parse_km,
    parse_range,
    to_km,
)

REL = 1e-12  # conversions are one multiplication by an exact constant

MI_310 = 498.89664
MI_3400 = 5471.7696


def test_constants_are_the_exact_international_definitions():
    assert KM_PER_MILE == 1.609344
    assert KM_PER_NMI == 1.852
    assert MAX_KM == 20_040.0


@pytest.mark.parametrize(
    ("value", "unit", "km"),
    [
        (310, "mi", MI_310),
        (3400, "mi", MI_3400),
        (1000, "nmi", 1852.0),
        (5500, "km", 5500.0),
        (1, "Statute Mile", 1.609344),
        (2, "NAUTICAL MILES", 3.704),
        (0, "kilometres", 0.0),
    ],
)
def test_to_km_hand_checked(value, unit, km):
    assert to_km(value, unit) == pytest.approx(km, rel=REL)
    assert round(to_km(value, unit), 3) == round(km, 3)


def test_to_km_310_miles_to_three_decimals():
    assert round(to_km(310, "mi"), 3) == 498.897


@pytest.mark.parametrize("unit", ["parsecs", "nm", "m", ""])
def test_to_km_rejects_unknown_unit(unit):
    with pytest.raises(InputError) as info:
        to_km(1, unit)
    assert info.value.field == "unit"
    assert "km, mi or nmi" in str(info.value)


# text, min_km, max_km, unit, min_published, max_published
ACCEPTED = [
    ("5500 km", 0.0, 5500.0, "km", None, 5500.0),
    ("5,500 km", 0.0, 5500.0, "km", None, 5500.0),
    ("5 500 km", 0.0, 5500.0, "km", None, 5500.0),
    ("5\u00a0500 km", 0.0, 5500.0, "km", None, 5500.0),
    ("5\u202f500 km", 0.0, 5500.0, "km", None, 5500.0),
    ("5500km", 0.0, 5500.0, "km", None, 5500.0),
    ("5500 KM", 0.0, 5500.0, "km", None, 5500.0),
    ("5500 kms", 0.0, 5500.0, "km", None, 5500.0),
    ("5500 kilometres", 0.0, 5500.0, "km", None, 5500.0),
    ("5500 Kilometers", 0.0, 5500.0, "km", None, 5500.0),
    ("1 kilometre", 0.0, 1.0, "km", None, 1.0),
    ("1.5 km", 0.0, 1.5, "km", None, 1.5),
    ("  5,500   km  ", 0.0, 5500.0, "km", None, 5500.0),
    ("310 to 3,400 miles", MI_310, MI_3400, "mi", 310.0, 3400.0),
    ("310–3,400 mi", MI_310, MI_3400, "mi", 310.0, 3400.0),
    ("310—3,400 mi", MI_310, MI_3400, "mi", 310.0, 3400.0),
    ("310-3,400 mi", MI_310, MI_3400, "mi", 310.0, 3400.0),
    ("310 - 3,400 mi", MI_310, MI_3400, "mi", 310.0, 3400.0),
    ("310 – 3,400 statute miles", MI_310, MI_3400, "mi", 310.0, 3400.0),
    ("between 310 and 3,400 miles", MI_310, MI_3400, "mi", 310.0, 3400.0),
    ("Between 310 and 3,400 Miles", MI_310, MI_3400, "mi", 310.0, 3400.0),
    ("from 500 to 5,500 kilometres", 500.0, 5500.0, "km", 500.0, 5500.0),
    ("from 500–5,500 km", 500.0, 5500.0, "km", 500.0, 5500.0),
    ("1,000 nmi", 0.0, 1852.0, "nmi", None, 1000.0),
    ("1,000 NMI", 0.0, 1852.0, "nmi", None, 1000.0),
    ("1,000 nautical miles", 0.0, 1852.0, "nmi", None, 1000.0),
    ("1 nautical mile", 0.0, 1.852, "nmi", None, 1.0),
    ("500-5500km", 500.0, 5500.0, "km", 500.0, 5500.0),
    ("up to 3,400 miles", 0.0, MI_3400, "mi", None, 3400.0),
    ("Up to 3,400 miles", 0.0, MI_3400, "mi", None, 3400.0),
    ("3,400-mile", 0.0, MI_3400, "mi", None, 3400.0),
    ("3,400 mile", 0.0, MI_3400, "mi", None, 3400.0),
    ("310–3,400-mile", MI_310, MI_3400, "mi", 310.0, 3400.0),
    ("5,500-km", 0.0, 5500.0, "km", None, 5500.0),
    ("300 to 500 km", 300.0, 500.0, "km", 300.0, 500.0),
    ("500 km to 5,500 km", 500.0, 5500.0, "km", 500.0, 5500.0),
    ("500 km – 5,500 kilometres", 500.0, 5500.0, "km", 500.0, 5500.0),
    ("1 000 - 2 000 km", 1000.0, 2000.0, "km", 1000.0, 2000.0),
    ("1,000.5 km", 0.0, 1000.5, "km", None, 1000.5),
    ("0 to 500 km", 0.0, 500.0, "km", 0.0, 500.0),
    ("500 to 500 km", 500.0, 500.0, "km", 500.0, 500.0),
    ("20,040 km", 0.0, 20040.0, "km", None, 20040.0),
    ("12,452 mi", 0.0, 12452 * 1.609344, "mi", None, 12452.0),
]


@pytest.mark.parametrize(
    ("text", "min_km", "max_km", "unit", "min_published", "max_published"), ACCEPTED
)
def test_parse_range_accepts(text, min_km, max_km, unit, min_published, max_published):
    r = parse_range(text)
    assert r.min_km == pytest.approx(min_km, rel=REL, abs=0)
    assert r.max_km == pytest.approx(max_km, rel=REL)
    assert r.unit == unit
    assert r.min_published == min_published
    assert r.max_published == max_published
    assert r.text == text


def test_parse_range_hand_checked_to_three_decimals():
    r = parse_range("310 to 3,400 miles")
    assert round(r.min_km, 3) == 498.897
    assert round(r.max_km, 4) == 5471.7696
    assert parse_range("1,000 nmi").max_km == 1852.0


def test_disc_has_min_zero_and_no_published_min():
    for text in ("5,500 km", "up to 5,500 km", "5,500-km"):
        r = parse_range(text)
        assert r.min_km == 0.0
        assert r.min_published is None


@pytest.mark.parametrize(
    ("text", "shown", "km_text"),
    [
        ("500-5500km", "500–5,500 km", "500–5,500 km"),
        ("from 500 to 5,500 kilometres", "500–5,500 km", "500–5,500 km"),
        ("310 to 3,400 miles", "310–3,400 mi", "498.9–5,471.8 km"),
        ("5500 km", "up to 5,500 km", "up to 5,500 km"),
        ("up to 1,000 nautical miles", "up to 1,000 nmi", "up to 1,852 km"),
        ("1.5 km", "up to 1.5 km", "up to 1.5 km"),
        ("0 to 1,000.5 km", "0–1,000.5 km", "0–1,000.5 km"),
    ],
)
def test_str_and_km_text(text, shown, km_text):
    r = parse_range(text)
    assert str(r) == shown
    assert r.km_text == km_text


def test_range_is_frozen_and_keeps_text_unchanged():
    text = "  Between 310 and 3,400 Miles "
    r = parse_range(text)
    assert r.text == text
    with pytest.raises(AttributeError):
        r.max_km = 1.0  # type: ignore[misc]


def test_rangekm_rejects_inverted_or_bad_unit_when_built_directly():
    with pytest.raises(InputError):
        RangeKm(min_km=10, max_km=5, text="x", unit="km", min_published=10, max_published=5)
    with pytest.raises(InputError):
        RangeKm(min_km=0, max_km=5, text="x", unit="miles", min_published=None, max_published=5)


UNITS_LISTED = re.compile(r"km, mi or nmi")

# text, a fragment the message must contain, whether it must list the units
REJECTED = [
    ("5000 parsecs", "'parsecs' is not one of them", True),
    ("500 km to 5,500 parsecs", "'parsecs' is not one of them", True),
    ("5 NM", "nanometre", True),
    ("5 nm", "write 'nmi'", True),
    ("5 m", "metres or miles", True),
    ("5500 km range", "'km range' is not one of them", True),
    ("5500", "with a unit", True),
    ("310 to 3,400", "with a unit", True),
    ("up to 3,400", "with a unit", True),
    ("", "with a unit", False),
    ("   ", "with a unit", False),
    ("garbage", "units: km, mi or nmi", True),
    ("km", "units: km, mi or nmi", True),
    ("1e3 km", "units: km, mi or nmi", True),
    ("-5 km", "0 km or more", False),
    ("−5 km", "0 km or more", False),
    ("500 - -5 km", "0 km or more", False),
    ("-500-5500 km", "0 km or more", False),
    ("5,500 to 500 km", "a minimum no larger than the maximum (got 5,500 > 500 km)", False),
    ("0 km", "a maximum above 0 km", False),
    ("0 to 0 miles", "a maximum above 0 km", False),
    ("20,041 km", "larger than any distance on Earth", False),
    ("12,453 miles", "larger than any distance on Earth", False),
    ("100 to 30,000 km", "at most 20,040 km", False),
    ("500 km to 600 mi", "the same unit on both ends", False),
    ("500 nmi - 600 km", "got nmi and km", False),
    ("2,000+ km", "only a minimum", False),
    ("over 2,000 km", "only a minimum", False),
    ("at least 2,000 km", "only a minimum", False),
    ("5.5 thousand km", "the number written in full", False),
    ("1,5 km", "'.' as the decimal mark", False),
    ("between 310 - 3,400 miles", "units: km, mi or nmi", True),
    ("310 and 3,400 miles", "units: km, mi or nmi", True),
]


@pytest.mark.parametrize(("text", "fragment", "lists_units"), REJECTED)
def test_parse_range_rejects(text, fragment, lists_units):
    with pytest.raises(InputError) as info:
        parse_range(text, field="max_range")
    err = info.value
    message = str(err)
    assert err.field == "max_range"
    assert err.value == text
    assert message.startswith("max_range: ")
    assert fragment in message
    if lists_units:
        assert UNITS_LISTED.search(message)


def test_parse_range_default_field_is_range():
    with pytest.raises(InputError) as info:
        parse_range("5000 parsecs")
    assert str(info.value).startswith("range: '5000 parsecs' is not allowed; expected ")


def test_input_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_range("garbage")


def test_parse_range_rejects_non_text():
    with pytest.raises(InputError) as info:
        parse_range(5500, field="range")  # type: ignore[arg-type]
    assert info.value.field == "range"


@pytest.mark.parametrize(
    ("value", "km"),
    [
        ("50 km", 50.0),
        ("30 miles", 30 * 1.609344),
        ("10 nmi", 18.52),
        ("1,000-mile", 1609.344),
        ("0 km", 0.0),
        (12.5, 12.5),
        (0, 0.0),
        (20_040, 20_040.0),
    ],
)
def test_parse_km_accepts(value, km):
    assert parse_km(value, field="buffer") == pytest.approx(km, rel=REL)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("-5 km", "0 km or more"),
        (-1.0, "0 km or more"),
        ("5", "with a unit: km, mi or nmi"),
        ("5 parsecs", "km, mi or nmi"),
        ("5 to 6 km", "a single distance, not a range"),
        ("up to 5 km", "a single distance, not a range"),
        ("30,000 km", "larger than any distance on Earth"),
        (30_000.0, "larger than any distance on Earth"),
        (math.inf, "a finite distance"),
        (math.nan, "a finite distance"),
        ("", "with a unit"),
        (True, "a distance with a unit"),
        (None, "a distance with a unit"),
    ],
)
def test_parse_km_rejects(value, fragment):
    with pytest.raises(InputError) as info:
        parse_km(value, field="buffer")  # type: ignore[arg-type]
    assert info.value.field == "buffer"
    assert str(info.value).startswith("buffer: ")
    assert fragment in str(info.value)


# --- round trip --------------------------------------------------------------

ALIASES = {
    "km": ["km", "KM", "kms", "kilometres", "Kilometers", "kilometre"],
    "mi": ["mi", "miles", "Miles", "statute miles", "mile"],
    "nmi": ["nmi", "NMI", "nautical miles", "Nautical Mile"],
}
FACTOR = {"km": 1.0, "mi": 1.609344, "nmi": 1.852}
SEPARATORS = ["-", "–", "—", " - ", " – ", " — ", " to "]


def _fmt(milli: int, style: str) -> str:
    """Format milli / 1000 with three decimals in one of three grouping styles."""
    text = f"{milli / 1000:,.3f}"
    if style == "plain":
        return text.replace(",", "")
    if style == "space":
        return text.replace(",", " ")
    return text


@st.composite
def published_ranges(draw):
    unit = draw(st.sampled_from(sorted(ALIASES)))
    alias = draw(st.sampled_from(ALIASES[unit]))
    top = math.floor(MAX_KM / FACTOR[unit] * 1000)
    hi = draw(st.integers(min_value=1, max_value=top))
    lo = draw(st.integers(min_value=0, max_value=hi))
    style = draw(st.sampled_from(["plain", "comma", "space"]))
    form = draw(st.sampled_from(["sep", "sep-both", "between", "from", "disc", "upto", "adj"]))
    a, b = _fmt(lo, style), _fmt(hi, style)
    if form == "sep":
        text = f"{a}{draw(st.sampled_from(SEPARATORS))}{b} {alias}"
    elif form == "sep-both":
        text = f"{a} {alias}{draw(st.sampled_from(SEPARATORS))}{b} {alias}"
    elif form == "between":
        text = f"between {a} and {b} {alias}"
    elif form == "from":
        text = f"from {a} to {b} {alias}"
    elif form == "disc":
        text = f"{b} {alias}"
    elif form == "upto":
        text = f"up to {b} {alias}"
    else:
        text = f"{b}-{alias}"
    is_disc = form in {"disc", "upto", "adj"}
    return text, unit, None if is_disc else lo / 1000, hi / 1000


@given(published_ranges())
def test_round_trip(case):
    text, unit, lo, hi = case
    r = parse_range(text)
    assert r.unit == unit
    assert r.text == text
    assert math.isclose(r.max_published, hi, rel_tol=1e-9)
    assert math.isclose(r.max_km, hi * FACTOR[unit], rel_tol=1e-9)
    if lo is None:
        assert r.min_published is None
        assert r.min_km == 0.0
    else:
        assert r.min_published is not None
        assert math.isclose(r.min_published, lo, rel_tol=1e-9, abs_tol=0.0)
        assert math.isclose(r.min_km, lo * FACTOR[unit], rel_tol=1e-9, abs_tol=0.0)
    # the display form parses back to the same range
    again = parse_range(str(r))
    assert again.unit == r.unit
    assert math.isclose(again.max_km, r.max_km, rel_tol=1e-9)
    assert math.isclose(again.min_km, r.min_km, rel_tol=1e-9, abs_tol=0.0)


def test_between_to_as_reports_write_it() -> None:
    # "between 310 to 3,400 miles" (sloppy, but what the press writes): 310 and 3,400 statute
    # miles, 1 mi = 1.609344 km exactly; "between ... - ..." stays refused
    r = parse_range("between 310 to 3,400 miles")
    assert (r.min_km, r.max_km) == (310 * 1.609344, 3400 * 1.609344)
    with pytest.raises(InputError):
        parse_range("between 310-3,400 miles")
    with pytest.raises(InputError):
        parse_range("310 and 3,400 miles")
