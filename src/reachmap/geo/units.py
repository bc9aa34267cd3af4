"""Distance units and the parsing of published ranges.

Reports write ranges in many ways ("5,500 km", "310 to 3,400 miles",
"between 500 and 5,500 kilometres", "1,000 nmi", "3,400-mile"). This module
turns that text into kilometres, keeps the text and the published unit, and
rejects anything ambiguous with an :class:`~reachmap.errors.InputError` that
names the field, the bad value and what is allowed.

Units (case-insensitive)
------------------------
* kilometres: ``km``, ``kms``, ``kilometre(s)``, ``kilometer(s)``
* international statute miles (1.609344 km, exact): ``mi``, ``mile(s)``,
  ``statute mile(s)``
* international nautical miles (1.852 km, exact): ``nmi``, ``nautical mile(s)``

Decisions on ambiguous input
----------------------------
* ``nm``/``NM`` is rejected: it is the SI symbol of the nanometre, though
  aviation and naval texts use it for nautical miles. Write ``nmi``.
* ``m`` is rejected: metres or miles.
* A number without a unit (``"5500"``) is rejected; the message lists the units.
* ``"2,000+ km"``, ``"over 2,000 km"``, ``"at least 2,000 km"`` are rejected:
  they give a minimum, and a reach needs a maximum.
* ``"5.5 thousand km"`` is rejected: write the number in full.
* Thousands separators are ``,`` or a space (also no-break and thin spaces) in
  groups of three; the decimal mark is ``.``. ``"1,5 km"`` is rejected.
* A bare distance or ``"up to X"`` is a disc: minimum 0 km.
* A leading ``-`` is a minus sign, not a range separator: ``"-5 km"`` is a
  negative distance and is rejected.
* A range whose minimum equals its maximum is allowed; a maximum of 0 is not.
* Distances above :data:`MAX_KM` (20,040 km) are rejected: no two points on
  Earth are that far apart along the surface.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

from reachmap.errors import InputError

__all__ = [
    "KM_PER_MILE",
    "KM_PER_NMI",
    "MAX_KM",
    "RangeKm",
    "parse_km",
    "parse_range",
    "to_km",
]

KM_PER_MILE: Final = 1.609344
"""Kilometres in one international statute mile (exact, 1959 agreement)."""

KM_PER_NMI: Final = 1.852
"""Kilometres in one international nautical mile (exact, 1929 definition)."""

MAX_KM: Final = 20_040.0
"""Largest distance accepted, in kilometres.

Just above half the WGS84 equator (20,037.5 km); every geodesic distance
on Earth is shorter.
"""

_KM_PER_UNIT: Final = {"km": 1.0, "mi": KM_PER_MILE, "nmi": KM_PER_NMI}

_UNIT_ALIASES: Final = {
    "km": "km",
    "kms": "km",
    "kilometre": "km",
    "kilometres": "km",
    "kilometer": "km",
    "kilometers": "km",
    "mi": "mi",
    "mile": "mi",
    "miles": "mi",
    "statute mile": "mi",
    "statute miles": "mi",
    "nmi": "nmi",
    "nautical mile": "nmi",
    "nautical miles": "nmi",
}

_AMBIGUOUS_UNITS: Final = {
    "m": "'m' could mean metres or miles",
    "nm": "'nm' is the nanometre; for nautical miles write 'nmi' or 'nautical miles'",
}

_UNIT_NAMES: Final = (
    "km, mi or nmi (also kilometre(s), kilometer(s), kms, mile(s), "
    "statute mile(s), nautical mile(s))"
)
_UNITS_ALLOWED: Final = f"a unit: {_UNIT_NAMES}"

_DECIMAL_COMMA_RE: Final = re.compile(r"\d,(?:\d{1,2}|\d{4,})(?!\d)")

_EXAMPLES: Final = "e.g. '5,500 km', '310 to 3,400 miles', 'up to 1,000 nmi'"
_KM_EXAMPLES: Final = "e.g. '50 km', '30 miles', '10 nmi'"

# After normalisation: lower case, single spaces, every dash is "-".
_NUM: Final = r"-?(?:\d{1,3}(?:[, ]\d{3})+|\d+)(?:\.\d+)?|-?\.\d+"
_UNIT: Final = r"[^\W\d_][^\d+]*?"
_RANGE_RE: Final = re.compile(
    rf"(?:(?P<kw>between|from) )?(?P<a>{_NUM}) ?(?:(?P<ua>{_UNIT}) ?)?"
    rf"(?P<sep>to|and|-) ?(?P<b>{_NUM})(?: ?-)? ?(?P<ub>{_UNIT})"
)
_SINGLE_RE: Final = re.compile(rf"(?P<upto>up to )?(?P<b>{_NUM})(?: ?-)? ?(?P<ub>{_UNIT})")
_NO_UNIT_RE: Final = re.compile(
    rf"(?:between |from |up to )?(?:{_NUM})(?: ?(?:to|and|-) ?(?:{_NUM}))?"
)
_OPEN_ENDED_RE: Final = re.compile(r"\d ?\+|^(?:over|more than|at least|in excess of|>|≥)")
_SPACES_RE: Final = re.compile(r"[\s\u00a0\u2009\u202f]+")
_DASHES_RE: Final = re.compile(r"[\u2010-\u2015\u2212]")


def _format_number(x: float) -> str:
    """Format a number with thousands separators and no trailing ``.0``."""
    if math.isfinite(x) and float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,}"


def _canonical_unit(unit: str, *, field: str, value: object) -> str:
    """Return ``"km"``, ``"mi"`` or ``"nmi"`` for a unit as written, or raise."""
    key = " ".join(unit.casefold().replace("-", " ").split()).rstrip(".")
    if key in _UNIT_ALIASES:
        return _UNIT_ALIASES[key]
    if key in _AMBIGUOUS_UNITS:
        raise InputError(field, value, f"{_UNITS_ALLOWED}; {_AMBIGUOUS_UNITS[key]}")
    if key.split(" ", 1)[0] in {"thousand", "million", "k"}:
        raise InputError(field, value, f"the number written in full ({_EXAMPLES})")
    raise InputError(field, value, f"{_UNITS_ALLOWED}; {unit.strip()!r} is not one of them")


def _number(token: str) -> float:
    """Convert a number as matched by ``_NUM`` to a float."""
    return float(token.replace(",", "").replace(" ", ""))


def _normalise(text: str) -> str:
    """Lower-case, collapse whitespace and turn every dash into ``-``."""
    return _DASHES_RE.sub("-", _SPACES_RE.sub(" ", text).strip().casefold())


def _reject_unparsed(
    norm: str, *, field: str, value: object, what: str, examples: str
) -> InputError:
    """Build the error for text that no pattern matched, as specific as possible."""
    if not norm:
        return InputError(field, value, f"{what} with a unit ({examples})")
    if _OPEN_ENDED_RE.search(norm):
        return InputError(
            field,
            value,
            f"{what} with a maximum; '+', 'over' and 'at least' give only a minimum "
            "(write 'up to 2,000 km' if that is what the source means)",
        )
    if _NO_UNIT_RE.fullmatch(norm):
        return InputError(field, value, f"{what} with {_UNITS_ALLOWED}")
    if _DECIMAL_COMMA_RE.search(norm):
        return InputError(
            field,
            value,
            f"{what} written with '.' as the decimal mark and ',' only between "
            f"groups of three digits ({examples})",
        )
    return InputError(field, value, f"{what} with a unit, {examples}; units: {_UNIT_NAMES}")


def _check_km(km: float, *, field: str, value: object) -> None:
    """Reject a negative, non-finite or larger-than-Earth distance in kilometres."""
    if not math.isfinite(km):
        raise InputError(field, value, f"a finite distance, from 0 to {MAX_KM:,.0f} km")
    if km < 0:
        raise InputError(field, value, "distances of 0 km or more")
    if km > MAX_KM:
        raise InputError(
            field,
            value,
            f"distances of at most {MAX_KM:,.0f} km; {_format_number(round(km, 1))} km is "
            "larger than any distance on Earth (half the equator is 20,037.5 km)",
        )


def to_km(value: float, unit: str) -> float:
    """Convert a distance to kilometres.

    Parameters
    ----------
    value : float
        The distance, in `unit`. Not validated: negative values convert too.
    unit : str
        ``"km"``, ``"mi"`` (international statute mile) or ``"nmi"``
        (international nautical mile), or any spelling :func:`parse_range`
        accepts (``"miles"``, ``"Nautical Miles"``, ...).

    Returns
    -------
    float
        The distance in kilometres.

    Raises
    ------
    InputError
        If the unit is unknown or ambiguous (field ``"unit"``).

    Examples
    --------
    >>> round(to_km(310, "mi"), 9)  # 310 x 1.609344, exact in decimal
    498.89664
    >>> to_km(1000, "nmi")
    1852.0
    >>> to_km(5500, "kilometres")
    5500.0

    """
    return float(value) * _KM_PER_UNIT[_canonical_unit(unit, field="unit", value=unit)]


@dataclass(frozen=True)
class RangeKm:
    """A published range: an annulus from `min_km` to `max_km` around a site.

    Build one with :func:`parse_range`.

    Parameters
    ----------
    min_km : float
        Inner radius, in kilometres; 0 for a disc ("up to X", a bare number).
    max_km : float
        Outer radius, in kilometres; ``min_km <= max_km``.
    text : str
        The text the range was parsed from, unchanged.
    unit : str
        The published unit, canonical: ``"km"``, ``"mi"`` or ``"nmi"``.
    min_published : float or None
        The minimum as written, in `unit`; None when the text gave only a maximum.
    max_published : float
        The maximum as written, in `unit`.

    Examples
    --------
    >>> r = parse_range("310 to 3,400 miles")
    >>> str(r)
    '310–3,400 mi'
    >>> r.km_text
    '498.9–5,471.8 km'
    >>> str(parse_range("5500 km"))
    'up to 5,500 km'

    """

    min_km: float
    max_km: float
    text: str
    unit: str
    min_published: float | None
    max_published: float

    def __post_init__(self) -> None:
        if self.unit not in _KM_PER_UNIT:
            raise InputError("unit", self.unit, "'km', 'mi' or 'nmi'")
        if not 0 <= self.min_km <= self.max_km:
            raise InputError(
                "range", (self.min_km, self.max_km), "0 <= min_km <= max_km (kilometres)"
            )

    def __str__(self) -> str:
        top = _format_number(self.max_published)
        if self.min_published is None:
            return f"up to {top} {self.unit}"
        return f"{_format_number(self.min_published)}–{top} {self.unit}"

    @property
    def km_text(self) -> str:
        """The range in kilometres, for display (converted values rounded to 0.1 km).

        Examples
        --------
        >>> parse_range("up to 1,000 nmi").km_text
        'up to 1,852 km'
        >>> parse_range("500-5500km").km_text
        '500–5,500 km'

        """
        if self.unit == "km":
            return str(self)
        top = _format_number(round(self.max_km, 1))
        if self.min_published is None:
            return f"up to {top} km"
        return f"{_format_number(round(self.min_km, 1))}–{top} km"


def parse_range(text: str, *, field: str = "range") -> RangeKm:
    """Parse a published range such as ``"310 to 3,400 miles"``.

    Parameters
    ----------
    text : str
        The range as published. Accepted forms (case-insensitive):
        ``"5,500 km"``, ``"5 500 km"``, ``"5500km"``, ``"1.5 km"``,
        ``"up to 3,400 miles"``, ``"3,400-mile"`` (a disc, minimum 0 km);
        ``"310 to 3,400 miles"``, ``"310–3,400 mi"`` (en dash, em dash or
        hyphen), ``"500-5500km"``, ``"500 km to 5,500 km"``,
        ``"between 310 and 3,400 miles"``, ``"between 310 to 3,400 miles"`` (as
        reports write it), ``"from 500 to 5,500 kilometres"``.
        Units: see the module docstring.
    field : str, optional
        The input field name used in error messages.

    Returns
    -------
    RangeKm
        The range in kilometres, with the text and the published numbers.

    Raises
    ------
    InputError
        If the text is empty or unparseable, has no unit or an unknown or
        ambiguous one, different units on the two ends, a negative number,
        a minimum above the maximum, a maximum of 0, a distance above
        :data:`MAX_KM` (20,040 km), or gives only a minimum ("2,000+ km").

    Examples
    --------
    >>> r = parse_range("310 to 3,400 miles")
    >>> r.unit, r.min_published, r.max_published
    ('mi', 310.0, 3400.0)
    >>> round(r.min_km, 5), round(r.max_km, 4)
    (498.89664, 5471.7696)
    >>> parse_range("1,000 nautical miles").max_km
    1852.0
    >>> parse_range("5000 parsecs")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    reachmap.errors.InputError: range: '5000 parsecs' is not allowed; expected a unit: km, mi...

    """
    if not isinstance(text, str):
        raise InputError(field, text, f"text giving a range with a unit ({_EXAMPLES})")
    norm = _normalise(text)
    m = _RANGE_RE.fullmatch(norm)
    # "and" needs "between"; "between" takes "and" or, as reports write it, "to"
    if m is not None and (m["sep"] == "and") <= (m["kw"] == "between") and (
        m["kw"] != "between" or m["sep"] != "-"
    ):
        unit = _canonical_unit(m["ub"], field=field, value=text)
        if m["ua"] is not None:
            unit_a = _canonical_unit(m["ua"], field=field, value=text)
            if unit_a != unit:
                raise InputError(
                    field,
                    text,
                    f"the same unit on both ends, e.g. '500 to 5,500 km' (got {unit_a} and {unit})",
                )
        lo: float | None = _number(m["a"])
        hi = _number(m["b"])
    else:
        m = _SINGLE_RE.fullmatch(norm)
        if m is None:
            raise _reject_unparsed(
                norm, field=field, value=text, what="a range", examples=_EXAMPLES
            )
        unit = _canonical_unit(m["ub"], field=field, value=text)
        lo, hi = None, _number(m["b"])

    factor = _KM_PER_UNIT[unit]
    min_km = 0.0 if lo is None else lo * factor
    max_km = hi * factor
    _check_km(min_km, field=field, value=text)
    _check_km(max_km, field=field, value=text)
    if max_km == 0:
        raise InputError(field, text, "a maximum above 0 km (a reach of 0 km covers nothing)")
    if min_km > max_km:
        raise InputError(
            field,
            text,
            f"a minimum no larger than the maximum "
            f"(got {_format_number(lo or 0.0)} > {_format_number(hi)} {unit})",
        )
    return RangeKm(
        min_km=min_km,
        max_km=max_km,
        text=text,
        unit=unit,
        min_published=lo,
        max_published=hi,
    )


def parse_km(value: str | float, *, field: str) -> float:
    """Parse one distance, such as a buffer radius, to kilometres.

    Parameters
    ----------
    value : str or float
        A distance with a unit (``"50 km"``, ``"30 miles"``, ``"10 nmi"``,
        ``"1,000-mile"``; units as for :func:`parse_range`), or a number,
        taken to be in kilometres. 0 is allowed.
    field : str
        The input field name used in error messages.

    Returns
    -------
    float
        The distance in kilometres, from 0 to :data:`MAX_KM`.

    Raises
    ------
    InputError
        If the value is not one distance with a known unit, is negative or
        not finite, or is above :data:`MAX_KM` (20,040 km).

    Examples
    --------
    >>> parse_km("30 miles", field="buffer")
    48.28032
    >>> parse_km(12.5, field="buffer")
    12.5
    >>> parse_km("-5 km", field="buffer")
    Traceback (most recent call last):
    ...
    reachmap.errors.InputError: buffer: '-5 km' is not allowed; expected distances of 0 km or more

    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InputError(field, value, f"a distance with a unit, {_KM_EXAMPLES}")
    if not isinstance(value, str):
        km = float(value)
        _check_km(km, field=field, value=value)
        return km
    norm = _normalise(value)
    m = _SINGLE_RE.fullmatch(norm)
    if m is None or m["upto"]:
        if m is not None or _RANGE_RE.fullmatch(norm):
            raise InputError(field, value, f"a single distance, not a range ({_KM_EXAMPLES})")
        raise _reject_unparsed(
            norm, field=field, value=value, what="a distance", examples=_KM_EXAMPLES
        )
    unit = _canonical_unit(m["ub"], field=field, value=value)
    km = _number(m["b"]) * _KM_PER_UNIT[unit]
    _check_km(km, field=field, value=value)
    return km
