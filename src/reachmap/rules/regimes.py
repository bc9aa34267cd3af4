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

:func:`reachmap.rules.classification.classify` puts a published range (and basing, class,
payload) against
every regime and returns one :class:`Finding` per regime: the verdict, the band,
whether the regime applied on a date, and the reason in one sentence.

What a range interval means here
--------------------------------
Treaties classify a missile by its maximum range capability.
:func:`reachmap.rules.classification.classify` reads a range interval ``(lo, hi)`` as
the spread of published *estimates* of that capability: every value in it is
possible. An interval wholly inside one band of a regime is ``"within"``, wholly
outside the regime ``"outside"``, and one that crosses a band edge ``"straddles"``
it: estimates of 5,000 to 6,000 km straddle the INF Treaty's 5,500 km upper limit;
800 to 1,200 km straddles the 1,000 km line between its two bands (covered either
way, band uncertain). ``Finding.edges_km`` lists the edges crossed. A published
minimum and maximum ("310 to 3,400 miles") is *not* such an interval: the capability
is the maximum, and :func:`reachmap.rules.classification.capability_km` returns
``(hi, hi)`` for it.

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
>>> from reachmap.rules.classification import classify
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
from pathlib import Path
from typing import Final, Literal

from pydantic import Field, model_validator

from reachmap.datafile import Citation, check_date, load_records, lookup_key
from reachmap.datafile import DataModel as _Model
from reachmap.errors import InputError
from reachmap.geo.units import MAX_KM

__all__ = [
    "BASINGS",
    "SYSTEM_CLASSES",
    "Band",
    "InForce",
    "Regime",
    "km_text",
    "load_regimes",
    "regime",
]

Basing = Literal["ground", "sea", "air"]
SystemClass = Literal["ballistic", "cruise", "hypersonic glide"]
Status = Literal["reported", "assessed", "confirmed", "claimed-by-owner"]

BASINGS: Final[tuple[str, ...]] = ("ground", "sea", "air")
"""Basing modes :func:`reachmap.rules.classification.classify` accepts (it also takes aliases)."""

SYSTEM_CLASSES: Final[tuple[str, ...]] = ("ballistic", "cruise", "hypersonic glide")
"""System classes :func:`reachmap.rules.classification.classify` accepts."""


# --------------------------------------------------------------------------- numbers


def km_text(x: float) -> str:
    """Format kilometres for a sentence: thousands separators, at most one decimal."""
    r = round(x, 1)
    return f"{r:,.0f}" if r.is_integer() else f"{r:,.1f}"


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
        low = f"{'at least' if self.min_inclusive else 'more than'} {km_text(self.min_km)} km"
        if self.max_km is None:
            return low
        high = f"{'at most' if self.max_inclusive else 'less than'} {km_text(self.max_km)} km"
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
