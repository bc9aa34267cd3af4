"""Arms-control regimes as data: which rule a range falls under, and when that rule applied.

The rules live in ``reachmap/data/regimes.toml`` with their published wording
(paraphrased, short quotations only), dates and sources:

* the **INF Treaty** (ground-launched ballistic and cruise missiles; shorter-range
  500 to 1,000 km, intermediate-range over 1,000 up to 5,500 km; in force from
  1988-06-01 until the US withdrawal took effect on 2019-08-02);
* **MTCR Category I** (complete rocket and unmanned aerial vehicle systems able to
  deliver at least 500 kg to at least 300 km; a political arrangement announced
  on 1987-04-16, not a treaty);
* **New START's ICBM definition** (land-based ballistic missile with a range of
  more than 5,500 km; in force from 2011-02-05; expired 2026-02-05).

:func:`classify` puts a published range (and basing, class, payload) against
every regime and returns one :class:`Finding` per regime: the verdict, the band,
whether the regime applied on a date, and the reason in one sentence.

What a range interval means here
--------------------------------
Treaties classify a missile by its maximum range capability. :func:`classify`
reads a range interval ``(lo, hi)`` as the spread of published figures for that
capability: every value in it is possible. An interval wholly inside one band of
a regime is ``"within"``, wholly outside the regime ``"outside"``, and one that
crosses a band edge ``"straddles"`` it: "310 to 3,400 miles" is 498.9 to
5,471.8 km and straddles the INF Treaty's 500 km lower limit; 800 to 1,200 km
straddles the 1,000 km line between its two bands (covered either way, band
uncertain). :attr:`Finding.edges_km` lists the edges crossed. A :class:`~reachmap.units.RangeKm`
parsed from one figure ("up to 5,500 km", "5,500 km") is that figure. If the
lower figure you have is a *minimum* range (the inner radius of a reach
annulus), pass the maximum alone, ``(hi, hi)``.

Dates
-----
A regime applies from ``in_force.from`` (inclusive) until ``in_force.until``
(exclusive): ``until`` is the day a withdrawal or expiry took effect. The INF
Treaty was in force on 2019-08-01 and not on 2019-08-02 (Article XV: notice
"six months prior to withdrawal"; the US notice of 2019-02-02 took effect on
2019-08-02). New START's end date, 2026-02-05, is reachmap's assessment of
sources that say "until" and "expired on" that day: in force on 2026-02-04, not
on 2026-02-05.

Examples
--------
>>> import datetime as dt
>>> for f in classify(range_km=(1_200, 1_200), basing="ground", system_class="ballistic",
...                   on=dt.date(1990, 1, 1)):
...     print(f.regime, f.verdict, f.band, f.in_force)
INF Treaty within intermediate-range True
MTCR Category I unknown Category I True
New START ICBM definition outside None False
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from pydantic import Field, model_validator

from reachmap.datafile import Citation, check_date, load_records, lookup_key
from reachmap.datafile import DataModel as _Model
from reachmap.errors import InputError
from reachmap.units import MAX_KM, RangeKm

__all__ = [
    "BASINGS",
    "SYSTEM_CLASSES",
    "VERDICTS",
    "Band",
    "Finding",
    "InForce",
    "Regime",
    "capability_km",
    "classify",
    "load_regimes",
    "regime",
]

Basing = Literal["ground", "sea", "air"]
SystemClass = Literal["ballistic", "cruise", "hypersonic glide"]
Verdict = Literal["within", "outside", "straddles", "unknown"]
Status = Literal["reported", "assessed", "confirmed", "claimed-by-owner"]

BASINGS: Final[tuple[str, ...]] = ("ground", "sea", "air")
"""Basing modes :func:`classify` accepts (aliases in :data:`_BASING_ALIASES`)."""

SYSTEM_CLASSES: Final[tuple[str, ...]] = ("ballistic", "cruise", "hypersonic glide")
"""System classes :func:`classify` accepts."""

VERDICTS: Final[tuple[str, ...]] = ("within", "outside", "straddles", "unknown")
"""The verdicts a :class:`Finding` can carry."""

_BASING_ALIASES: Final[Mapping[str, str]] = {
    alias: canonical
    for canonical, aliases in {
        "ground": ("ground", "groundlaunched", "groundbased", "land", "landbased", "landlaunched"),
        "sea": (
            "sea",
            "sealaunched",
            "seabased",
            "ship",
            "shiplaunched",
            "submarine",
            "submarinelaunched",
            "naval",
        ),
        "air": ("air", "airlaunched", "aircraft", "airborne"),
    }.items()
    for alias in aliases
}
"""Accepted spellings of each basing, lower case with everything but letters removed."""
_BASING_ALLOWED: Final = (
    "one of 'ground', 'sea', 'air' (also 'ground-launched', 'land-based', "
    "'sea-launched', 'ship', 'submarine', 'air-launched')"
)

_CLASS_ALIASES: Final[Mapping[str, str]] = {
    alias: canonical
    for canonical, aliases in {
        "ballistic": ("ballistic", "ballisticmissile", "aeroballistic"),
        "cruise": ("cruise", "cruisemissile", "hypersoniccruise"),
        "hypersonic glide": ("hypersonicglide", "hypersonicglidevehicle", "boostglide", "hgv"),
    }.items()
    for alias in aliases
}
"""Accepted spellings of each system class, normalised as for :data:`_BASING_ALIASES`.

The catalog's classes map as the treaties' definitions read: ``aeroballistic`` (an
air-launched ballistic missile) is ballistic, ``hypersonic-cruise`` (aerodynamic lift
over most of the flight path) is cruise.
"""
_CLASS_ALLOWED: Final = (
    "one of 'ballistic', 'cruise', 'hypersonic glide' (also 'aeroballistic', "
    "'hypersonic-cruise', 'boost-glide', 'HGV'), or None if not known"
)

_BASING_WORDS: Final[Mapping[str, str]] = {
    "ground": "ground-launched",
    "sea": "sea-launched",
    "air": "air-launched",
}
_CLASS_NOUNS: Final[Mapping[str, str]] = {
    "ballistic": "ballistic missile",
    "cruise": "cruise missile",
    "hypersonic glide": "hypersonic glide system",
}


# --------------------------------------------------------------------------- numbers


def _km(x: float) -> str:
    """Format kilometres for a sentence: thousands separators, at most one decimal."""
    r = round(x, 1)
    return f"{r:,.0f}" if r.is_integer() else f"{r:,.1f}"


def _words(items: Sequence[str], joiner: str = "and") -> str:
    """Join ``["a", "b", "c"]`` as ``"a, b and c"``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {joiner} {items[-1]}"


# --------------------------------------------------------------------------- models


class Band(_Model):
    """A range band of a regime, in kilometres.

    Attributes
    ----------
    name : str
        The regime's name for it (e.g. ``"intermediate-range"``).
    min_km : float
        Lower limit, in kilometres.
    min_inclusive : bool
        Whether a range of exactly ``min_km`` is in the band.
    max_km : float or None
        Upper limit, in kilometres; None for no upper limit.
    max_inclusive : bool
        Whether a range of exactly ``max_km`` is in the band.

    Examples
    --------
    >>> b = Band(name="intermediate-range", min_km=1000, min_inclusive=False,
    ...          max_km=5500, max_inclusive=True)
    >>> b.contains(1000), b.contains(5500), b.describe()
    (False, True, 'more than 1,000 km and at most 5,500 km')
    """

    name: str = Field(min_length=1)
    min_km: float = Field(ge=0, le=MAX_KM)
    min_inclusive: bool
    max_km: float | None = Field(default=None, gt=0, le=MAX_KM)
    max_inclusive: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.max_km is not None and not self.min_km < self.max_km:
            raise ValueError(f"band {self.name!r}: max_km must be above min_km")
        return self

    def contains(self, km: float) -> bool:
        """Whether a range of ``km`` kilometres is in the band.

        Parameters
        ----------
        km : float
            A range, in kilometres.

        Returns
        -------
        bool
        """
        above = km > self.min_km or (self.min_inclusive and km == self.min_km)
        if self.max_km is None:
            return above
        return above and (km < self.max_km or (self.max_inclusive and km == self.max_km))

    def overlaps(self, lo_km: float, hi_km: float) -> bool:
        """Whether any range from ``lo_km`` to ``hi_km`` (both included) is in the band.

        Parameters
        ----------
        lo_km, hi_km : float
            The interval, in kilometres, ``lo_km <= hi_km``.

        Returns
        -------
        bool
        """
        a = max(lo_km, self.min_km)
        b = hi_km if self.max_km is None else min(hi_km, self.max_km)
        return a < b or (a == b and self.contains(a) and lo_km <= a <= hi_km)

    def describe(self) -> str:
        """Say the band's limits in words, e.g. ``"at least 500 km and at most 1,000 km"``.

        Returns
        -------
        str
        """
        low = f"{'at least' if self.min_inclusive else 'more than'} {_km(self.min_km)} km"
        if self.max_km is None:
            return low
        high = f"{'at most' if self.max_inclusive else 'less than'} {_km(self.max_km)} km"
        return f"{low} and {high}"


class InForce(_Model):
    """When a regime applied: from ``from_`` (inclusive) until ``until`` (exclusive).

    Attributes
    ----------
    from_ : datetime.date
        First day the regime applied (``from`` in the file).
    from_note : str
        What the start date is (e.g. an announcement rather than an entry into force).
    until : datetime.date or None
        First day the regime no longer applied; None if it still applies.
    until_status : {"reported", "assessed", "confirmed", "claimed-by-owner"} or None
        How sure the end date is; ``"assessed"`` is reachmap's own reading.
    until_note : str
        Why the end date is what it is, with the terms it rests on.
    """

    from_: dt.date = Field(alias="from")
    from_note: str = ""
    until: dt.date | None = None
    until_status: Status | None = None
    until_note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> InForce:
        if self.until is not None:
            if not self.from_ < self.until:
                raise ValueError("'until' must be after 'from'")
            if self.until_status is None or not self.until_note:
                raise ValueError("an end date needs 'until_status' and 'until_note'")
        elif self.until_status is not None:
            raise ValueError("'until_status' without 'until'")
        return self

    def on(self, day: dt.date) -> bool:
        """Whether the regime applied on ``day``.

        Parameters
        ----------
        day : datetime.date
            The date.

        Returns
        -------
        bool
        """
        return self.from_ <= day and (self.until is None or day < self.until)

    @property
    def last_day(self) -> dt.date | None:
        """The last day the regime applied (the day before ``until``), or None."""
        return None if self.until is None else self.until - dt.timedelta(days=1)


class Regime(_Model):
    """An arms-control regime and the range rule reachmap checks against it.

    Attributes
    ----------
    id : str
        Short identifier (``"inf"``, ``"mtcr-cat1"``, ``"new-start-icbm"``).
    name : str
        Display name.
    aliases : tuple of str
        Other names :func:`regime` accepts.
    full_name : str
        The instrument's full title.
    article : {"the", ""}
        The article a sentence puts before ``name`` ("the INF Treaty").
    kind : {"treaty", "export-control regime"}
        A treaty binds its parties; the MTCR is a political arrangement.
    signed : datetime.date or None
        Date of signature, for treaties.
    rule_text : str
        The rule as published, paraphrased (short quotations only).
    basing : tuple of str
        Basing modes the rule covers (subset of :data:`BASINGS`).
    classes : tuple of str
        System classes the rule covers.
    classes_unsettled : tuple of str
        Classes for which the rule's definitions do not settle coverage; a
        system of such a class gets ``"unknown"``, with ``class_note`` as reason.
    class_note : str
        Why coverage of ``classes_unsettled`` is not settled.
    min_payload_kg : float or None
        Payload the rule requires, in kilograms, at least; None if none.
    payload_note : str
        Caveat on how payload is compared.
    in_force : InForce
        When the regime applied.
    bands : tuple of Band
        Range bands, in order, edge to edge (``band`` in the file).
    sources : tuple of Citation
        Sources for the rule and the dates (``source`` in the file).
    """

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    full_name: str = Field(min_length=1)
    article: Literal["the", ""] = "the"
    kind: Literal["treaty", "export-control regime"]
    signed: dt.date | None = None
    rule_text: str = Field(min_length=1)
    basing: tuple[Basing, ...] = Field(min_length=1)
    classes: tuple[SystemClass, ...] = Field(min_length=1)
    classes_unsettled: tuple[SystemClass, ...] = ()
    class_note: str = ""
    min_payload_kg: float | None = Field(default=None, gt=0)
    payload_note: str = ""
    in_force: InForce
    bands: tuple[Band, ...] = Field(alias="band", min_length=1)
    sources: tuple[Citation, ...] = Field(alias="source", min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Regime:
        if set(self.classes) & set(self.classes_unsettled):
            raise ValueError("a class cannot be both covered and unsettled")
        if self.classes_unsettled and not self.class_note:
            raise ValueError("'classes_unsettled' needs a 'class_note'")
        for below, above in zip(self.bands, self.bands[1:], strict=False):
            if below.max_km != above.min_km or below.max_inclusive == above.min_inclusive:
                raise ValueError(
                    f"bands {below.name!r} and {above.name!r} must meet edge to edge, "
                    "the shared limit in exactly one of them"
                )
        return self

    @property
    def called(self) -> str:
        """How a sentence names the regime: "the INF Treaty", "MTCR Category I"."""
        return f"{self.article} {self.name}".strip()

    @property
    def span(self) -> Band:
        """All the regime's bands as one band (they meet edge to edge)."""
        first, last = self.bands[0], self.bands[-1]
        return Band(
            name=self.name,
            min_km=first.min_km,
            min_inclusive=first.min_inclusive,
            max_km=last.max_km,
            max_inclusive=last.max_inclusive,
        )

    def in_force_on(self, on: dt.date) -> bool:
        """Whether the regime applied on a date.

        Parameters
        ----------
        on : datetime.date
            The date.

        Returns
        -------
        bool

        Raises
        ------
        InputError
            If ``on`` is not a date (field ``"on"``).

        Examples
        --------
        >>> import datetime as dt
        >>> inf = regime("INF")
        >>> inf.in_force_on(dt.date(2019, 8, 1)), inf.in_force_on(dt.date(2019, 8, 2))
        (True, False)
        """
        return self.in_force.on(check_date(on))


class _RegimeFile(_Model):
    """The top level of a regimes TOML file."""

    regimes: tuple[Regime, ...] = Field(alias="regime", min_length=1)


# --------------------------------------------------------------------------- loading


def _load(path: Path | None) -> dict[str, Regime]:
    """Read, validate and index a regimes file."""
    return load_records(path, "regimes.toml", _RegimeFile, "regime")[1]


@functools.cache
def _bundled() -> dict[str, Regime]:
    """Read the bundled regimes once."""
    return _load(None)


def load_regimes(path: str | Path | None = None) -> dict[str, Regime]:
    """Load the regimes from the bundled ``regimes.toml`` or from a file of your own.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A TOML file with ``[[regime]]`` tables in the bundled file's format.
        Default: the bundled file (read once, then cached).

    Returns
    -------
    dict of str to Regime
        Keyed by regime id, in file order.

    Raises
    ------
    InputError
        If the file cannot be read, is not TOML, or a regime is malformed; the
        message names the file, the regime and the field.

    Examples
    --------
    >>> list(load_regimes())
    ['inf', 'mtcr-cat1', 'new-start-icbm']
    """
    if path is None:
        return dict(_bundled())
    return _load(Path(path))


def regime(id_or_name: str) -> Regime:
    """Find a bundled regime by id, name or alias (any case).

    Parameters
    ----------
    id_or_name : str
        E.g. ``"inf"``, ``"INF Treaty"``, ``"MTCR"``, ``"New START"``.

    Returns
    -------
    Regime

    Raises
    ------
    InputError
        If no regime matches (field ``"regime"``); the message lists the ids.

    Examples
    --------
    >>> regime("mtcr").name
    'MTCR Category I'
    """
    regimes = _bundled()
    if isinstance(id_or_name, str):
        key = lookup_key(id_or_name)
        for reg in regimes.values():
            if key in {
                lookup_key(reg.id),
                lookup_key(reg.name),
                *(lookup_key(a) for a in reg.aliases),
            }:
                return reg
    raise InputError("regime", id_or_name, f"a regime id or name: {', '.join(regimes)}")


# --------------------------------------------------------------------------- classify


@dataclass(frozen=True)
class Finding:
    """What one regime says about a range, and whether it applied on a date.

    Attributes
    ----------
    regime_id : str
        The regime's id.
    regime : str
        The regime's name.
    kind : str
        ``"treaty"`` or ``"export-control regime"``.
    verdict : {"within", "outside", "straddles", "unknown"}
        ``"within"``: the whole interval is in one band of the regime;
        ``"outside"``: none of it is in the regime, or the basing, class or
        payload rules it out; ``"straddles"``: the interval crosses a band edge,
        either a limit of the regime (part covered, part not) or the line between
        two of its bands (covered either way, band uncertain), as ``edges_km``
        and the reason say; ``"unknown"``: the inputs do not settle it (payload
        not given, or a class the definitions do not settle).
    bands : tuple of str
        The regime's bands the interval falls in, low to high; empty if outside.
    edges_km : tuple of float
        The band edges the interval crosses, in kilometres, low to high (the
        regime's limits and the lines between its bands); empty unless it
        straddles (or is ``"unknown"`` for want of a payload and crosses one).
    reason : str
        One sentence in plain words, with the numbers.
    range_km : tuple of float
        The interval that was classified, in kilometres.
    on : datetime.date
        The date asked about.
    in_force : bool
        Whether the regime applied on ``on``.
    in_force_from : datetime.date
        First day the regime applied.
    in_force_until : datetime.date or None
        First day it no longer applied (exclusive); None if it still applies.
    until_status : str or None
        How sure the end date is (``"confirmed"``, ``"assessed"`` ...).
    """

    regime_id: str
    regime: str
    kind: str
    verdict: Verdict
    bands: tuple[str, ...]
    edges_km: tuple[float, ...]
    reason: str
    range_km: tuple[float, float]
    on: dt.date
    in_force: bool
    in_force_from: dt.date
    in_force_until: dt.date | None
    until_status: str | None

    @property
    def band(self) -> str | None:
        """The band(s) as one string (``"shorter-range or intermediate-range"``), or None."""
        return " or ".join(self.bands) if self.bands else None

    @property
    def dates_text(self) -> str:
        """When the regime applied and whether it did on :attr:`on`, in words."""
        verb = "in force" if self.kind == "treaty" else "in effect"
        if self.in_force_until is None:
            span = f"{verb} since {self.in_force_from.isoformat()}"
        else:
            last = self.in_force_until - dt.timedelta(days=1)
            span = f"{verb} from {self.in_force_from.isoformat()} through {last.isoformat()}"
            if self.until_status == "assessed":
                span += " (end date assessed)"
        now = verb if self.in_force else f"not {verb}"
        return f"{span}; {now} on {self.on.isoformat()}"

    def __str__(self) -> str:
        band = f" ({self.band})" if self.band else ""
        dates = self.dates_text
        return f"{self.regime}: {self.verdict}{band}. {self.reason} {dates[0].upper()}{dates[1:]}."


def _interval(range_km: object) -> tuple[float, float, str]:
    """Return ``(lo, hi, text)`` in kilometres for a :class:`RangeKm` or a ``(lo, hi)`` pair."""
    allowed = (
        f"a RangeKm (from parse_range) or a pair (min_km, max_km) with "
        f"0 <= min_km <= max_km <= {MAX_KM:,.0f} and max_km > 0"
    )
    if isinstance(range_km, RangeKm):
        if range_km.min_published is None:
            return range_km.max_km, range_km.max_km, str(range_km)
        text = str(range_km) if range_km.unit == "km" else f"{range_km} ({range_km.km_text})"
        return range_km.min_km, range_km.max_km, text
    if not isinstance(range_km, (tuple, list)) or len(range_km) != 2:
        raise InputError("range_km", range_km, allowed)
    lo, hi = range_km
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in (lo, hi)):
        raise InputError("range_km", range_km, allowed)
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 <= lo <= hi <= MAX_KM and hi > 0):
        raise InputError("range_km", range_km, allowed)
    text = f"{_km(hi)} km" if lo == hi else f"{_km(lo)}–{_km(hi)} km"
    return lo, hi, text


def _canonical(value: object, aliases: Mapping[str, str], field: str, allowed: str) -> str:
    """Map a user's spelling to a canonical value, or raise :class:`InputError`."""
    if isinstance(value, str):
        key = "".join(ch for ch in value.casefold() if ch.isalnum())
        if key in aliases:
            return aliases[key]
    raise InputError(field, value, allowed)


def _payload(payload_kg: object) -> float | None:
    """Validate a payload in kilograms."""
    if payload_kg is None:
        return None
    if isinstance(payload_kg, bool) or not isinstance(payload_kg, (int, float)):
        raise InputError("payload_kg", payload_kg, "a payload in kilograms above 0, or None")
    p = float(payload_kg)
    if not (math.isfinite(p) and p > 0):
        raise InputError("payload_kg", payload_kg, "a payload in kilograms above 0, or None")
    return p


@dataclass(frozen=True)
class _Case:
    """The validated inputs of one :func:`classify` call."""

    lo: float
    hi: float
    text: str
    basing: str
    cls: str | None
    payload: float | None
    on: dt.date

    def subject(self, with_payload: bool) -> str:
        """Return the sentence subject ("A ground-launched cruise missile with a range of ...")."""
        noun = _CLASS_NOUNS[self.cls] if self.cls is not None else "missile"
        words = f"{_BASING_WORDS[self.basing]} {noun}"
        s = f"{'An' if words[0] in 'aeiou' else 'A'} {words} with a range of {self.text}"
        if with_payload and self.payload is not None:
            s += f" and a payload of {_km(self.payload)} kg"
        return s


def _judge(reg: Regime, case: _Case) -> tuple[Verdict, tuple[str, ...], tuple[float, ...], str]:
    """Return the verdict, the bands hit, the band edges crossed and the reason for one regime."""
    span, name = reg.span, reg.called
    subject = case.subject(with_payload=reg.min_payload_kg is not None)

    if case.basing not in reg.basing:
        only = _words([_BASING_WORDS[b] for b in reg.basing], "or")
        return "outside", (), (), f"{subject} is outside {name}, which covers only {only} systems."
    if not span.overlaps(case.lo, case.hi):
        covers = f"which covers ranges of {span.describe()}"
        return "outside", (), (), f"{subject} is outside {name}, {covers}."
    if case.cls is not None and case.cls in reg.classes_unsettled:
        why = f"may or may not fall under {name}: {reg.class_note}"
        return "unknown", (), (), f"{subject} {why}."
    if case.cls is not None and case.cls not in reg.classes:
        only = _words([_CLASS_NOUNS[c] + "s" for c in reg.classes], "and")
        return "outside", (), (), f"{subject} is outside {name}, which covers only {only}."

    hit = [b for b in reg.bands if b.overlaps(case.lo, case.hi)]
    bands = tuple(b.name for b in hit)
    low_out, high_out = not span.contains(case.lo), not span.contains(case.hi)
    edges = (
        ([span.min_km] if low_out else [])
        + [b.min_km for b in hit[1:]]
        + ([span.max_km] if high_out and span.max_km is not None else [])
    )

    if reg.min_payload_kg is not None:
        need = f"a payload of at least {_km(reg.min_payload_kg)} kg"
        if case.payload is None:
            has = "partly has" if low_out or high_out else "has"
            return (
                "unknown",
                bands,
                tuple(edges),
                f"{subject} {has} the range for {name} ({span.describe()}), "
                f"but its payload is not given and {name} also needs {need}.",
            )
        if case.payload < reg.min_payload_kg:
            why = f"which needs {need} ({reg.payload_note})"
            return "outside", (), (), f"{subject} is outside {name}, {why}."

    assumed = ""
    if case.cls is None and set(reg.classes) != set(SYSTEM_CLASSES):
        assumed = f", if it is a {_words(list(reg.classes), 'or')} missile (class not given)"
    in_bands = _words(list(bands)) + (" band" if len(bands) == 1 else " bands")
    described = _words([f"{b.name} ({b.describe()})" for b in hit])

    if not edges:
        where = f"{name}'s {bands[0]} band" if len(reg.bands) > 1 else name
        return "within", bands, (), f"{subject} is within {where} ({hit[0].describe()}){assumed}."
    if not (low_out or high_out):
        lines = _words([f"{_km(e)} km" for e in edges])
        return (
            "straddles",
            bands,
            tuple(edges),
            f"{subject} straddles the {lines} line between {name}'s {described} bands, "
            f"and is within {name} ({span.describe()}) either way{assumed}.",
        )
    if low_out and high_out:
        limits = f"both limits of {name} ({span.describe()})"
        part = "only the part between them"
    elif low_out:
        word = "at least" if span.min_inclusive else "more than"
        limits = f"the lower limit of {name}, {word} {_km(span.min_km)} km"
        part = f"only the part {'from' if span.min_inclusive else 'above'} {_km(span.min_km)} km"
        part += " up" if span.min_inclusive else ""
    else:
        assert span.max_km is not None  # high_out implies an upper limit
        word = "at most" if span.max_inclusive else "less than"
        limits = f"the upper limit of {name}, {word} {_km(span.max_km)} km"
        part = f"only the part {'up to' if span.max_inclusive else 'below'} {_km(span.max_km)} km"
    where = "" if len(reg.bands) == 1 else f", in its {in_bands}"
    reason = f"{subject} straddles {limits}: {part} is covered{where}{assumed}."
    return "straddles", bands, tuple(edges), reason


def capability_km(range_km: RangeKm, *, max_estimates: bool = False) -> tuple[float, float]:
    """Return the range *capability* to classify, from a published range text.

    Arms-control definitions turn on a missile's maximum range ("range capability").
    A published "310 to 3,400 miles" is a minimum and a maximum: its capability is
    the maximum, 3,400 mi. Only when the text is a spread of *estimates* of the
    maximum ("4,500-5,000 km", ``max_estimates=True``) is the capability uncertain,
    and then an interval that crosses a band edge straddles it.

    Parameters
    ----------
    range_km : RangeKm
        The parsed range.
    max_estimates : bool
        Whether the text's two numbers are estimates of the maximum range.

    Returns
    -------
    tuple of float
        ``(low, high)`` in kilometres, to pass to :func:`classify`.

    Examples
    --------
    >>> from reachmap.units import parse_range
    >>> [round(x, 1) for x in capability_km(parse_range("310 to 3,400 miles"))]
    [5471.8, 5471.8]
    >>> capability_km(parse_range("4,500-5,000 km"), max_estimates=True)
    (4500.0, 5000.0)
    """
    if max_estimates and range_km.min_published is not None:
        return (range_km.min_km, range_km.max_km)
    return (range_km.max_km, range_km.max_km)


def classify(
    *,
    range_km: RangeKm | tuple[float, float],
    basing: str,
    system_class: str | None = None,
    payload_kg: float | None = None,
    on: dt.date | None = None,
) -> list[Finding]:
    """Classify a published range against every bundled regime.

    Parameters
    ----------
    range_km : RangeKm or tuple of float
        The system's range capability, in kilometres: a pair ``(lo, hi)`` read
        as the spread of published figures (``(x, x)`` for one figure), or a
        :class:`~reachmap.units.RangeKm` (an "A to B" text is read as the
        interval A–B, a single figure or "up to X" as X). See the module
        docstring for what an interval means.
    basing : str
        ``"ground"``, ``"sea"`` or ``"air"`` (also ``"ground-launched"``,
        ``"land-based"``, ``"sea-launched"``, ``"ship"``, ``"submarine"``,
        ``"air-launched"``; any case).
    system_class : str, optional
        ``"ballistic"``, ``"cruise"`` or ``"hypersonic glide"`` (also the
        catalog's ``"aeroballistic"``, taken as ballistic, and
        ``"hypersonic-cruise"``, taken as cruise; ``"boost-glide"``, ``"HGV"``;
        any case, spaces or hyphens). If None, regimes that cover only some
        classes are applied as if the system were one of them, and the reason
        says so.
    payload_kg : float, optional
        Payload, in kilograms. MTCR Category I needs at least 500 kg; without a
        payload its verdict is ``"unknown"`` unless the range alone rules it out.
    on : datetime.date, optional
        The date for "was the regime in force". Default: today.

    Returns
    -------
    list of Finding
        One per regime, in the order of ``regimes.toml`` (INF, MTCR, New START).

    Raises
    ------
    InputError
        For an unknown basing (field ``"basing"``) or class (``"system_class"``),
        a malformed range (``"range_km"``), a payload that is not a positive
        number (``"payload_kg"``), or an ``on`` that is not a date (``"on"``).
        Each message lists what is allowed.

    Examples
    --------
    >>> import datetime as dt
    >>> from reachmap.units import parse_range
    >>> inf, mtcr, icbm = classify(range_km=parse_range("310 to 3,400 miles"),
    ...                            basing="ground", system_class="ballistic",
    ...                            on=dt.date(2026, 11, 25))
    >>> inf.verdict, inf.bands, inf.in_force
    ('straddles', ('shorter-range', 'intermediate-range'), False)
    >>> print(inf.reason)  # doctest: +NORMALIZE_WHITESPACE
    A ground-launched ballistic missile with a range of 310–3,400 mi
    (498.9–5,471.8 km) straddles the lower limit of the INF Treaty, at least 500 km:
    only the part from 500 km up is covered, in its shorter-range and
    intermediate-range bands.
    >>> print(icbm.verdict, icbm.dates_text)  # doctest: +NORMALIZE_WHITESPACE
    outside in force from 2011-02-05 through 2026-02-04 (end date assessed);
    not in force on 2026-11-25
    >>> classify(range_km=(2000, 2000), basing="space")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    reachmap.errors.InputError: basing: 'space' is not allowed; expected one of 'ground', ...
    """
    lo, hi, text = _interval(range_km)
    case = _Case(
        lo=lo,
        hi=hi,
        text=text,
        basing=_canonical(basing, _BASING_ALIASES, "basing", _BASING_ALLOWED),
        cls=(
            None
            if system_class is None
            else _canonical(system_class, _CLASS_ALIASES, "system_class", _CLASS_ALLOWED)
        ),
        payload=_payload(payload_kg),
        on=dt.date.today() if on is None else check_date(on),
    )
    findings = []
    for reg in _bundled().values():
        verdict, bands, edges, reason = _judge(reg, case)
        findings.append(
            Finding(
                regime_id=reg.id,
                regime=reg.name,
                kind=reg.kind,
                verdict=verdict,
                bands=bands,
                edges_km=edges,
                reason=reason,
                range_km=(lo, hi),
                on=case.on,
                in_force=reg.in_force.on(case.on),
                in_force_from=reg.in_force.from_,
                in_force_until=reg.in_force.until,
                until_status=reg.in_force.until_status,
            )
        )
    return findings
