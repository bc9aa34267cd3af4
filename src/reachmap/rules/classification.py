"""Classify a published range against the arms-control regimes, with reasons and dates.

:func:`classify` puts a range (and basing, class, payload) against every regime of
:mod:`reachmap.rules.regimes` and returns one :class:`Finding` per regime: the verdict
(within, outside, straddles, unknown), the band, whether the regime applied on a
date, and the reason in one sentence. :func:`capability_km` turns a published range
text into the range capability the definitions turn on (see
``docs/conventions.md``).

Length: about 560 lines, one rule family (a case judged against every regime, and the
resolution of a catalog system or a published range into that case); the regime data and
its model are already apart in :mod:`reachmap.rules.regimes`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from reachmap.datafile import check_date
from reachmap.errors import InputError
from reachmap.geo.units import MAX_KM, RangeKm, parse_range
from reachmap.rules.regimes import (
    SYSTEM_CLASSES,
    Regime,
    km_text,
    load_regimes,
)

__all__ = [
    "VERDICTS",
    "Classifiable",
    "Finding",
    "capability_km",
    "classifiable",
    "classify",
]

Verdict = Literal["within", "outside", "straddles", "unknown"]

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


def _words(items: Sequence[str], joiner: str = "and") -> str:
    """Join ``["a", "b", "c"]`` as ``"a, b and c"``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {joiner} {items[-1]}"


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
    text = f"{km_text(hi)} km" if lo == hi else f"{km_text(lo)}–{km_text(hi)} km"
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
            s += f" and a payload of {km_text(self.payload)} kg"
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
        need = f"a payload of at least {km_text(reg.min_payload_kg)} kg"
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
        lines = _words([f"{km_text(e)} km" for e in edges])
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
        limits = f"the lower limit of {name}, {word} {km_text(span.min_km)} km"
        part = (
            f"only the part {'from' if span.min_inclusive else 'above'} {km_text(span.min_km)} km"
        )
        part += " up" if span.min_inclusive else ""
    else:
        assert span.max_km is not None  # high_out implies an upper limit
        word = "at most" if span.max_inclusive else "less than"
        limits = f"the upper limit of {name}, {word} {km_text(span.max_km)} km"
        part = (
            f"only the part {'up to' if span.max_inclusive else 'below'} {km_text(span.max_km)} km"
        )
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
    >>> from reachmap.geo.units import parse_range
    >>> [round(x, 1) for x in capability_km(parse_range("310 to 3,400 miles"))]
    [5471.8, 5471.8]
    >>> capability_km(parse_range("4,500-5,000 km"), max_estimates=True)
    (4500.0, 5000.0)
    """
    if max_estimates and range_km.min_published is not None:
        return (range_km.min_km, range_km.max_km)
    return (range_km.max_km, range_km.max_km)


@dataclass(frozen=True)
class Classifiable:
    """What :func:`classify` needs about a system, from the catalog or a published range.

    Attributes
    ----------
    subject : str
        What is classified, in words (the system and its range as published).
    range_km : RangeKm
        The range as published, in kilometres.
    capability_km : tuple of float
        The range capability to classify (see :func:`capability_km`).
    basing : str
        ``ground``, ``sea`` or ``air``.
    system_class : str or None
        ``ballistic``, ``cruise`` or ``hypersonic glide``.
    system : object or None
        The catalog system record, when the subject is one.
    """

    subject: str
    range_km: RangeKm
    capability_km: tuple[float, float]
    basing: str
    system_class: str | None
    system: Any = None


def classifiable(
    *,
    system: str | None = None,
    range_text: str | None = None,
    basing: str | None = None,
    system_class: str | None = None,
    max_estimates: bool = False,
    field: str = "range",
) -> Classifiable:
    """Resolve a catalog system, or a published range with its basing, for :func:`classify`.

    Parameters
    ----------
    system : str, optional
        A catalog system (name, alias or id); its figures and first basing are used
        unless ``basing`` or ``system_class`` say otherwise.
    range_text : str, optional
        A published range, when there is no ``system`` (``basing`` is then needed).
    basing, system_class : str, optional
        Override or supply the basing and the class.
    max_estimates : bool
        The range text is a spread of estimates of the maximum (see :func:`capability_km`).
    field : str
        Input field of ``range_text`` for error messages.

    Returns
    -------
    Classifiable

    Examples
    --------
    >>> c = classifiable(range_text="310 to 3,400 miles", basing="ground")
    >>> c.subject, round(c.capability_km[1], 1)
    ("range '310 to 3,400 miles'", 5471.8)
    """
    if system is not None:
        from reachmap.catalog.store import load_catalog

        record = load_catalog().find_system(system)
        return Classifiable(
            subject=f"{record.name}: range {record.range.text!r} ({record.range.status})",
            range_km=record.range.km,
            capability_km=(record.range.max_range_low_km, record.range.max_range_km),
            basing=basing or record.basing[0],
            system_class=system_class or record.class_,
            system=record,
        )
    if range_text is None or basing is None:
        raise InputError("basing", basing or "", "a catalog system, or a range and its basing")
    rng = parse_range(range_text, field=field)
    return Classifiable(
        subject=f"range {range_text!r}",
        range_km=rng,
        capability_km=capability_km(rng, max_estimates=max_estimates),
        basing=basing,
        system_class=system_class,
    )


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
        :class:`~reachmap.geo.units.RangeKm` (an "A to B" text is read as the
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
    >>> from reachmap.geo.units import parse_range
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
    for reg in load_regimes().values():
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
