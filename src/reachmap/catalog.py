"""Sourced catalog: systems, sites, deployments, events and the sources behind them.

A catalog is a directory of five TOML files, each an array of tables:
``sources.toml`` (``[[source]]``, :class:`Source`), ``systems.toml``
(``[[system]]``, :class:`System`), ``sites.toml`` (``[[site]]``, :class:`CatalogSite`),
``deployments.toml`` (``[[deployment]]``, :class:`Deployment`) and
``events.toml`` (``[[event]]``, :class:`Event`). Every figure cites sources by id
and carries a status (``reported``, ``assessed``, ``confirmed``,
``claimed-by-owner``). Ranges keep their published text and are converted once,
on load, with :func:`reachmap.units.parse_range`. The bundled catalog lives in
``reachmap/data/catalog``.

Scope: names, owners, classes, basing, ranges, payload kinds, town-level sites,
dates and sources. Nothing about accuracy, yields, guidance or targets.

Line numbers
------------
:mod:`tomllib` returns plain dicts without positions, so :func:`validate_catalog`
scans each file's raw text once more and maps every key to the line it is on.
The scan follows TOML's structure, not its values: ``[table]`` and
``[[array.of.tables]]`` headers set the current path (each ``[[...]]`` header
increments the index of that array under its parent entry), ``key = value``
lines add ``path + key``, and values are skipped with their strings (also
multi-line), arrays (each element's first line is recorded as ``path + key +
(index,)``) and inline tables (their keys are recorded too). A problem is
reported at the line of the deepest recorded path that leads to it: the
offending key or array element when it exists, else its parent key, else the
``[[...]]`` header of the entry (e.g. for a missing key). The scan runs only on
files that :mod:`tomllib` parsed, so it never sees malformed TOML; syntax errors
are reported at the line :mod:`tomllib` gives.

Examples
--------
>>> catalog = load_catalog()
>>> catalog.find_system("SSC-8").name
'9M729'
>>> r = catalog.systems["oreshnik"].range
>>> r.text, r.status, r.max_range_km
('up to 5,500 km', 'reported', 5500.0)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Final, Literal, TypeAlias

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from rapidfuzz import fuzz, process

from reachmap.errors import InputError, ReachmapError
from reachmap.gazetteer import name_key
from reachmap.units import RangeKm, parse_range

__all__ = [
    "Catalog",
    "CatalogError",
    "CatalogSite",
    "Deployment",
    "Event",
    "Problem",
    "Quantity",
    "RangeFigure",
    "Source",
    "System",
    "load_catalog",
    "validate_catalog",
]

FigureStatus: TypeAlias = Literal["reported", "assessed", "confirmed", "claimed-by-owner"]
SystemClass: TypeAlias = Literal[
    "ballistic", "cruise", "hypersonic-glide", "hypersonic-cruise", "aeroballistic"
]
Basing: TypeAlias = Literal["ground", "sea", "air"]
PayloadKind: TypeAlias = Literal["conventional", "nuclear"]
Lifecycle: TypeAlias = Literal["development", "in-service", "retired", "unknown"]
DeploymentStatus: TypeAlias = Literal[
    "planned", "announced", "reported", "assessed", "confirmed", "withdrawn"
]
EventKind: TypeAlias = Literal[
    "production",
    "announcement",
    "deployment",
    "doctrine",
    "treaty-signature",
    "treaty-entry-into-force",
    "treaty-withdrawal",
    "treaty-end",
    "test",
    "use",
]
RangeMeaning: TypeAlias = Literal["min-max", "max-estimate"]

_DATE_RE: Final = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_ID_RE: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ISO2_RE: Final = re.compile(r"[A-Z]{2}")


def _partial_date(value: object) -> str:
    """Accept ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (or a TOML date); return the text."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    m = _DATE_RE.fullmatch(value) if isinstance(value, str) else None
    if m is None:
        raise ValueError(f"a date written YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    try:
        dt.date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except ValueError:
        raise ValueError(f"a real calendar date, got {value!r}") from None
    return str(value)


def _date_bounds(value: str) -> tuple[dt.date, dt.date]:
    """First and last day that a partial date ``YYYY[-MM[-DD]]`` can mean."""
    parts = [int(p) for p in value.split("-")]
    first = dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    if len(parts) == 3:
        return first, first
    if len(parts) == 2:
        nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return first, nxt - dt.timedelta(days=1)
    return first, dt.date(first.year, 12, 31)


def _record_id(value: object) -> object:
    if isinstance(value, str) and not _ID_RE.fullmatch(value):
        raise ValueError(f"an id of lower-case letters, digits and single hyphens, got {value!r}")
    return value


def _country(value: object) -> object:
    if isinstance(value, str) and not _ISO2_RE.fullmatch(value):
        raise ValueError(f"an ISO 3166-1 alpha-2 code in capitals (e.g. 'RU'), got {value!r}")
    return value


def _unique(values: list[Any]) -> list[Any]:
    dupes = sorted({str(v) for v in values if values.count(v) > 1})
    if dupes:
        raise ValueError(f"each value once; repeated: {', '.join(dupes)}")
    return values


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
PartialDate = Annotated[str, BeforeValidator(_partial_date)]
RecordId = Annotated[str, BeforeValidator(_record_id)]
CountryCode = Annotated[str, BeforeValidator(_country)]
SourceIds = Annotated[list[RecordId], Field(min_length=1)]
Degrees = Annotated[float, Field(strict=True)]


class _Record(BaseModel):
    """Base of catalog records: unknown keys are errors, records are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Source(_Record):
    """A publication that catalog records cite.

    Attributes
    ----------
    id : str
        Lower-case id (letters, digits, hyphens), cited by other records.
    publisher, title : str
        As published (a wire story is credited to the agency; ``note`` names
        the outlet it was read through).
    date : str
        Publication date, ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: only as
        precise as the date that was seen.
    url : str or None
        Only a page address that was seen; usually None.
    note : str or None
        What the source says that the catalog uses, and how it was read.
    """

    id: RecordId
    publisher: Text
    title: Text
    date: PartialDate
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    note: Text | None = None


class RangeFigure(_Record):
    """A published range, its status and its sources, converted to kilometres on load.

    Attributes
    ----------
    text : str
        The range as published, e.g. ``"up to 5,500 km"``, ``"1,725 miles"``,
        ``"500 to 5,500 km"`` (any form :func:`reachmap.units.parse_range` takes).
    meaning : {"min-max", "max-estimate"}
        How to read an interval: ``"min-max"`` (default) is a minimum and a
        maximum range; ``"max-estimate"`` is a spread of estimates of the
        maximum range, with no minimum range published.
    status : {"reported", "assessed", "confirmed", "claimed-by-owner"}
    sources : list of str
        Source ids, at least one.
    note : str or None

    Examples
    --------
    >>> r = RangeFigure(text="4,500-5,000 km", meaning="max-estimate",
    ...                 status="assessed", sources=["x"])
    >>> r.min_km, r.max_km, r.min_range_km, r.max_range_low_km, r.max_range_km
    (4500.0, 5000.0, 0.0, 4500.0, 5000.0)
    """

    text: Text
    meaning: RangeMeaning = "min-max"
    status: FigureStatus
    sources: SourceIds
    note: Text | None = None
    _km: RangeKm = PrivateAttr()

    @field_validator("text")
    @classmethod
    def _parses(cls, value: str) -> str:
        try:
            parse_range(value)
        except InputError as err:
            raise ValueError(f"{value!r} is not a range; expected {err.allowed}") from None
        return value

    @model_validator(mode="after")
    def _convert(self) -> RangeFigure:
        km = parse_range(self.text)
        if self.meaning == "max-estimate" and km.min_published is None:
            raise ValueError(
                f"meaning 'max-estimate' needs an interval of estimates such as "
                f"'4,500-5,000 km'; {self.text!r} is a single figure (use 'min-max')"
            )
        self._km = km
        return self

    @property
    def km(self) -> RangeKm:
        """The reach to draw, in kilometres: what envelopes and claims should use.

        For ``min-max`` this is the parsed text (an annulus when a minimum was
        published). For ``max-estimate`` it is a disc up to the largest
        estimate: the lower estimate is *not* a minimum range.

        Examples
        --------
        >>> r = RangeFigure(text="4,500-5,000 km", meaning="max-estimate",
        ...                 status="assessed", sources=["x"])
        >>> str(r.km), str(r.published_km)
        ('up to 5,000 km', '4,500–5,000 km')
        """
        if self.meaning == "min-max":
            return self._km
        return dataclasses.replace(self._km, min_km=0.0, min_published=None)

    @property
    def published_km(self) -> RangeKm:
        """The text exactly as :func:`reachmap.units.parse_range` reads it, in kilometres."""
        return self._km

    @property
    def min_km(self) -> float:
        """Lower end of the published interval, in kilometres (0 for a single figure).

        Not a minimum range when ``meaning`` is ``max-estimate``: see :attr:`min_range_km`.
        """
        return self._km.min_km

    @property
    def max_km(self) -> float:
        """Upper end of the published interval, in kilometres."""
        return self._km.max_km

    @property
    def min_range_km(self) -> float:
        """Minimum range, in kilometres: 0 unless a minimum was published (``min-max``)."""
        return self._km.min_km if self.meaning == "min-max" else 0.0

    @property
    def max_range_km(self) -> float:
        """Maximum range, in kilometres (the largest estimate for ``max-estimate``)."""
        return self._km.max_km

    @property
    def max_range_low_km(self) -> float:
        """Smallest published estimate of the maximum range, in kilometres."""
        return self._km.min_km if self.meaning == "max-estimate" else self._km.max_km


class Quantity(_Record):
    """A published number of items, kept as text plus the interval it is read as.

    Attributes
    ----------
    text : str
        As published, e.g. ``"up to 10"``.
    min, max : int
        The interval the text is read as (``0 <= min <= max``).
    unit : str or None
        What is counted, when the source says.
    status : {"reported", "assessed", "confirmed", "claimed-by-owner"}
    sources : list of str
    note : str
        Why the interval is what it is (required).
    """

    text: Text
    min: int = Field(ge=0, strict=True)
    max: int = Field(ge=0, strict=True)
    unit: Text | None = None
    status: FigureStatus
    sources: SourceIds
    note: Text

    @model_validator(mode="after")
    def _ordered(self) -> Quantity:
        if self.min > self.max:
            raise ValueError(f"min <= max, got min {self.min} > max {self.max}")
        return self


class System(_Record):
    """A missile system: names, owner, class, basing, range and payload kinds.

    Attributes
    ----------
    id, name : str
    aliases : list of str
        Other names (designations, transliterations, translations).
    owner : str
        ISO 3166-1 alpha-2 code of the owning state.
    class_ : {"ballistic", "cruise", "hypersonic-glide", "hypersonic-cruise", "aeroballistic"}
        Key ``class`` in TOML.
    basing : list of {"ground", "sea", "air"}
    range : RangeFigure
        The figure analyses use by default.
    other_ranges : list of RangeFigure
        Other published figures (e.g. the owner's claim next to an assessment).
    payload_kinds : list of {"conventional", "nuclear"}
        Empty when no checked source says.
    status : {"development", "in-service", "retired", "unknown"}
    sources : list of str
    note : str or None
    """

    id: RecordId
    name: Text
    aliases: list[Text] = []
    owner: CountryCode
    class_: SystemClass = Field(alias="class")
    basing: Annotated[list[Basing], Field(min_length=1)]
    range: RangeFigure
    other_ranges: list[RangeFigure] = []
    payload_kinds: list[PayloadKind] = []
    status: Lifecycle = "unknown"
    sources: SourceIds
    note: Text | None = None

    @field_validator("aliases", "basing", "payload_kinds")
    @classmethod
    def _no_repeats(cls, values: list[Any]) -> list[Any]:
        return _unique(values)


class CatalogSite(_Record):
    """A town-level location of a publicly reported base (a ``[[site]]`` table).

    Named apart from :class:`reachmap.reach.Site`, a launch point given by the user.

    Attributes
    ----------
    id, name : str
    lat, lon : float
        Degrees (WGS84), from -90 to 90 and -180 to 180.
    uncertainty_km : float
        Radius within which the base is taken to lie, in kilometres (0 to 1,000).
    country : str
        ISO 3166-1 alpha-2 code.
    status : {"reported", "assessed", "confirmed", "claimed-by-owner"}
    sources : list of str
    note : str or None
    """

    id: RecordId
    name: Text
    lat: Degrees = Field(ge=-90.0, le=90.0)
    lon: Degrees = Field(ge=-180.0, le=180.0)
    uncertainty_km: float = Field(gt=0.0, le=1000.0, strict=True)
    country: CountryCode
    status: FigureStatus
    sources: SourceIds
    note: Text | None = None


class Deployment(_Record):
    """A system at a site, with host and owner states, status, quantity and dates.

    Attributes
    ----------
    id : str
    system, site : str
        Ids of a :class:`System` and a :class:`CatalogSite`.
    host, owner : str
        ISO 3166-1 alpha-2 codes.
    status : {"planned", "announced", "reported", "assessed", "confirmed", "withdrawn"}
    quantity : Quantity or None
    date_from, date_to : str or None
        Partial dates; ``date_from`` cannot be after ``date_to``.
    sources : list of str
    note : str or None
    """

    id: RecordId
    system: RecordId
    site: RecordId
    host: CountryCode
    owner: CountryCode
    status: DeploymentStatus
    quantity: Quantity | None = None
    date_from: PartialDate | None = None
    date_to: PartialDate | None = None
    sources: SourceIds
    note: Text | None = None

    @field_validator("date_to")
    @classmethod
    def _after_start(cls, value: str | None, info: ValidationInfo) -> str | None:
        start = info.data.get("date_from")
        if (
            value is not None
            and start is not None
            and _date_bounds(start)[0] > _date_bounds(value)[1]
        ):
            raise ValueError(f"a date not before date_from {start!r}, got {value!r}")
        return value


class Event(_Record):
    """A dated event on the timeline (treaty steps, announcements, deployments, use).

    Attributes
    ----------
    id : str
    date : str
        Partial date.
    kind : str
        One of production, announcement, deployment, doctrine, treaty-signature,
        treaty-entry-into-force, treaty-withdrawal, treaty-end, test, use.
    place : str or None
        A place name, as reported.
    actors : list of str
        States involved (ISO 3166-1 alpha-2 codes) or organisations.
    summary : str
    systems : list of str
        Ids of the systems involved.
    status : {"reported", "assessed", "confirmed", "claimed-by-owner"} or None
    sources : list of str
    note : str or None
    """

    id: RecordId
    date: PartialDate
    kind: EventKind
    place: Text | None = None
    actors: Annotated[list[Text], Field(min_length=1)]
    summary: Text
    systems: list[RecordId] = []
    status: FigureStatus | None = None
    sources: SourceIds
    note: Text | None = None


Record: TypeAlias = Source | System | CatalogSite | Deployment | Event

#: Catalog files, the table name each holds, and the record model.
_FILES: Final[dict[str, tuple[str, type[_Record]]]] = {
    "sources.toml": ("source", Source),
    "systems.toml": ("system", System),
    "sites.toml": ("site", CatalogSite),
    "deployments.toml": ("deployment", Deployment),
    "events.toml": ("event", Event),
}
#: Nested tables, for the keys they allow in messages.
_NESTED: Final[dict[str, type[_Record]]] = {
    "range": RangeFigure,
    "other_ranges": RangeFigure,
    "quantity": Quantity,
}
#: Fuzzy suggestions below this rapidfuzz WRatio score (0 to 100) are not offered.
_FUZZY_CUTOFF: Final = 70.0


@dataclass(frozen=True)
class Catalog:
    """A loaded, validated catalog: records by id. Build one with :func:`load_catalog`.

    Attributes
    ----------
    sources, systems, sites, deployments, events : mapping of str to record
        Records by id, in file order.
    """

    sources: Mapping[str, Source]
    systems: Mapping[str, System]
    sites: Mapping[str, CatalogSite]
    deployments: Mapping[str, Deployment]
    events: Mapping[str, Event]

    @cached_property
    def _name_index(self) -> dict[str, str]:
        """Lookup key (see :func:`reachmap.gazetteer.name_key`) to system id."""
        index: dict[str, str] = {}
        for system in self.systems.values():
            for name in (system.id, system.name, *system.aliases):
                index.setdefault(name_key(name), system.id)
        return index

    def find_system(self, name: str) -> System:
        """Find a system by id, name or alias, ignoring case, accents and punctuation.

        Parameters
        ----------
        name : str
            E.g. ``"Oreshnik"``, ``"SSC-8"``, ``"dark eagle"``, ``"Орешник"``.

        Returns
        -------
        System

        Raises
        ------
        reachmap.errors.InputError
            Field ``"system"``, when nothing matches; the message lists close
            names (rapidfuzz), or every name when none is close.

        Examples
        --------
        >>> load_catalog().find_system("hazelnut tree").id
        'oreshnik'
        >>> load_catalog().find_system("Oreshnick")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        reachmap.errors.InputError: system: 'Oreshnick' is not allowed; expected ... Oreshnik...
        """
        if not isinstance(name, str) or not name_key(name):
            raise InputError("system", name, "a system name, alias or id")
        index = self._name_index
        system_id = index.get(name_key(name))
        if system_id is not None:
            return self.systems[system_id]
        suggestions: list[str] = []
        for key, _score, _i in process.extract(
            name_key(name), list(index), scorer=fuzz.WRatio, limit=None, score_cutoff=_FUZZY_CUTOFF
        ):
            label = self.systems[index[key]].name
            if label not in suggestions:
                suggestions.append(label)
        if suggestions:
            allowed = "a system in the catalog; did you mean: " + ", ".join(suggestions[:5])
        else:
            names = sorted(s.name for s in self.systems.values())
            allowed = "a system in the catalog: " + ", ".join(names)
        raise InputError("system", name, allowed)

    def deployments_of(self, system_id: str) -> list[Deployment]:
        """Deployments of one system, earliest ``date_from`` first (undated last).

        Parameters
        ----------
        system_id : str
            A system id (use :meth:`find_system` to go from a name to an id).

        Returns
        -------
        list of Deployment

        Raises
        ------
        reachmap.errors.InputError
            Field ``"system"``, when the id is not in the catalog.

        Examples
        --------
        >>> [d.id for d in load_catalog().deployments_of("tomahawk")]
        ['tomahawk-philippines-laoag', 'tomahawk-germany']
        """
        if system_id not in self.systems:
            raise InputError("system", system_id, "a system id in the catalog")
        found = [d for d in self.deployments.values() if d.system == system_id]
        return sorted(
            found,
            key=lambda d: (d.date_from is None, _date_bounds(d.date_from or "1")[0], d.id),
        )

    def sources_of(self, record: Record | RangeFigure | Quantity) -> list[Source]:
        """Every source a record cites, its nested figures included, in citation order.

        Parameters
        ----------
        record : Source, System, CatalogSite, Deployment, Event, RangeFigure or Quantity
            A source is its own source.

        Returns
        -------
        list of Source
            Each once.

        Examples
        --------
        >>> cat = load_catalog()
        >>> [s.publisher for s in cat.sources_of(cat.systems["9m729"].other_ranges[0])]
        ['Associated Press']
        """
        if isinstance(record, Source):
            return [record]
        ids: list[str] = list(record.sources)
        if isinstance(record, System):
            for figure in (record.range, *record.other_ranges):
                ids.extend(figure.sources)
        elif isinstance(record, Deployment) and record.quantity is not None:
            ids.extend(record.quantity.sources)
        return [self.sources[i] for i in dict.fromkeys(ids)]

    def figures(self) -> Iterator[tuple[str, RangeFigure | Quantity]]:
        """Every figure in the catalog with a label saying where it is.

        Yields
        ------
        label : str
            E.g. ``"system 'oreshnik' range"``.
        figure : RangeFigure or Quantity
        """
        for system in self.systems.values():
            yield f"system {system.id!r} range", system.range
            for i, figure in enumerate(system.other_ranges):
                yield f"system {system.id!r} other_ranges[{i}]", figure
        for deployment in self.deployments.values():
            if deployment.quantity is not None:
                yield f"deployment {deployment.id!r} quantity", deployment.quantity


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class Problem:
    """One problem in a catalog file, at a line.

    Attributes
    ----------
    file : str
        Path of the file.
    line : int or None
        1-based line number; None when the problem is the file itself (missing).
    message : str

    Examples
    --------
    >>> str(Problem("sites.toml", 12, "site 'x': lat: must be at most 90 (got 91)"))
    "sites.toml:12: site 'x': lat: must be at most 90 (got 91)"
    """

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


class CatalogError(ReachmapError):
    """A catalog that does not validate; ``problems`` lists every problem.

    Parameters
    ----------
    problems : list of Problem
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"the catalog has {len(self.problems)} problem(s):\n{lines}")


class _Locator:
    """Lines of the keys, tables and array elements of one TOML text (see module doc)."""

    _KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
    _DOTTED_RE = re.compile(rf"{_KEY}(?:[ \t]*\.[ \t]*{_KEY})*")
    _PART_RE = re.compile(_KEY)
    _BARE_VALUE_RE = re.compile(r"[^,\]}\n#]*")

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: dict[tuple[str | int, ...], int] = {}
        self._aot: dict[tuple[str | int, ...], int] = {}
        self.pos, self.line = 0, 1
        self._scan()

    def line_of(self, path: tuple[str | int, ...]) -> int | None:
        """Line of the deepest recorded prefix of ``path`` (None if none is recorded)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def _skip_blank(self, newlines: bool) -> None:
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c in " \t\r" or (newlines and c == "\n"):
                self.line += c == "\n"
                self.pos += 1
            elif c == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
                if not newlines:
                    return
            else:
                return

    def _key(self) -> tuple[str, ...]:
        m = self._DOTTED_RE.match(self.text, self.pos)
        if m is None:
            raise ValueError("no key")
        self.pos = m.end()
        return tuple(p.strip("\"'") for p in self._PART_RE.findall(m.group()))

    def _scan(self) -> None:
        table: tuple[str | int, ...] = ()
        while True:
            self._skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return
            try:
                if self.text[self.pos] == "[":
                    table = self._header()
                else:
                    line, key = self.line, self._key()
                    self.lines.setdefault((*table, *key), line)
                    self._skip_blank(newlines=False)
                    self.pos += 1  # the "="
                    self._skip_blank(newlines=False)
                    self._value((*table, *key))
            except (ValueError, IndexError):
                pass  # unexpected text: give up on this line, keep scanning
            end = self.text.find("\n", self.pos)
            self.pos = len(self.text) if end < 0 else end

    def _header(self) -> tuple[str | int, ...]:
        aot = self.text.startswith("[[", self.pos)
        self.pos += 2 if aot else 1
        self._skip_blank(newlines=False)
        parts = self._key()
        path: tuple[str | int, ...] = ()
        for i, part in enumerate(parts):
            path = (*path, part)
            if aot and i == len(parts) - 1:
                self._aot[path] = self._aot.get(path, -1) + 1
                path = (*path, self._aot[path])
            elif path in self._aot:
                path = (*path, self._aot[path])
        self.lines[path] = self.line
        return path

    def _value(self, path: tuple[str | int, ...]) -> None:
        text, c = self.text, self.text[self.pos]
        if c in "\"'":
            quote = text[self.pos : self.pos + 3] if text.startswith(c * 3, self.pos) else c
            end = self.pos + len(quote)
            while True:
                end = text.index(quote, end)
                if c == "'" or text[end - 1] != "\\" or text[end - 2] == "\\":
                    break
                end += 1
            self.line += text.count("\n", self.pos, end)
            self.pos = end + len(quote)
        elif c == "[":
            self.pos += 1
            index = 0
            while True:
                self._skip_blank(newlines=True)
                if text[self.pos] == "]":
                    break
                self.lines.setdefault((*path, index), self.line)
                self._value((*path, index))
                self._skip_blank(newlines=True)
                if text[self.pos] == ",":
                    self.pos, index = self.pos + 1, index + 1
            self.pos += 1
        elif c == "{":
            self.pos += 1
            while True:
                self._skip_blank(newlines=False)
                if text[self.pos] == "}":
                    break
                if text[self.pos] == ",":
                    self.pos += 1
                    continue
                key = self._key()
                self.lines.setdefault((*path, *key), self.line)
                self._skip_blank(newlines=False)
                self.pos += 1  # the "="
                self._skip_blank(newlines=False)
                self._value((*path, *key))
            self.pos += 1
        else:
            m = self._BARE_VALUE_RE.match(text, self.pos)
            self.pos = m.end() if m and m.end() > self.pos else self.pos + 1


def _toml_syntax_error(err: tomllib.TOMLDecodeError, text: str) -> tuple[int, str]:
    """Line and message of a :mod:`tomllib` error (its message carries the position)."""
    message = str(err)
    lineno = getattr(err, "lineno", None)  # Python 3.14+
    m = re.search(r"\s*\(at line (\d+), column \d+\)", message)
    if m is not None:
        message, lineno = message[: m.start()], lineno or int(m[1])
    elif "(at end of document)" in message:
        message = message.replace("(at end of document)", "at the end of the file").strip()
        lineno = lineno or max(1, text.count("\n") + (not text.endswith("\n")))
    return int(lineno or 1), f"TOML syntax error: {message}"


def _dotted(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _error_message(err: Any, model: type[_Record]) -> str:
    """One pydantic error as ``where: what``, in the words of a TOML file."""
    loc: tuple[str | int, ...] = tuple(err["loc"])
    parent, key = loc[:-1], loc[-1] if loc else ""
    prefix = f"{_dotted(parent)}: " if parent else ""
    if err["type"] == "missing":
        return f"{prefix}missing required key {key!r}"
    if err["type"] == "extra_forbidden":
        nested = [p for p in parent if isinstance(p, str)]
        owner = _NESTED.get(nested[-1], model) if nested else model
        allowed = ", ".join(f.alias or name for name, f in owner.model_fields.items())
        return f"{prefix}unknown key {key!r}; allowed keys: {allowed}"
    message = str(err["msg"]).removeprefix("Value error, ")
    where = f"{_dotted(loc)}: " if loc else ""
    value = err.get("input")
    if err["type"] != "value_error" and not isinstance(value, (dict, list)):
        message += f" (got {value!r})"
    return where + message


def _entry_name(kind: str, i: int, entry: dict[str, Any]) -> str:
    """How messages name an entry: ``system 'oreshnik'``, or ``system #3`` without an id."""
    ident = entry.get("id")
    return f"{kind} {ident!r}" if isinstance(ident, str) else f"{kind} #{i + 1}"


def _references(
    kind: str, entry: dict[str, Any]
) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """(location, target kind, id) of every reference a raw entry makes."""

    def ids(loc: tuple[str | int, ...], value: object, target: str) -> Iterator[Any]:
        if isinstance(value, str):
            yield loc, target, value
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    yield (*loc, i), target, item

    yield from ids(("sources",), entry.get("sources"), "source")
    nested: list[tuple[tuple[str | int, ...], object]] = [
        (("range",), entry.get("range")),
        (("quantity",), entry.get("quantity")),
    ]
    others = entry.get("other_ranges")
    if isinstance(others, list):
        nested += [(("other_ranges", i), fig) for i, fig in enumerate(others)]
    for loc, figure in nested:
        if isinstance(figure, dict):
            yield from ids((*loc, "sources"), figure.get("sources"), "source")
    if kind == "deployment":
        yield from ids(("system",), entry.get("system"), "system")
        yield from ids(("site",), entry.get("site"), "site")
    if kind == "event":
        yield from ids(("systems",), entry.get("systems"), "system")


def _check(directory: Traversable) -> tuple[list[Problem], dict[str, list[_Record]]]:
    """Validate every file of a catalog directory; return problems and valid records."""
    problems: list[Problem] = []
    records: dict[str, list[_Record]] = {kind: [] for kind, _ in _FILES.values()}
    raw: dict[str, list[tuple[str, _Locator, int, dict[str, Any]]]] = {k: [] for k in records}
    unreadable: set[str] = set()
    if directory.is_dir():
        for item in directory.iterdir():
            if item.name.endswith(".toml") and item.name not in _FILES:
                problems.append(
                    Problem(str(item), None, f"unknown catalog file; expected {', '.join(_FILES)}")
                )
    for filename, (kind, model) in _FILES.items():
        path = directory / filename
        file = str(path)
        if not path.is_file():
            msg = f"missing catalog file (holds the [[{kind}]] tables)"
            problems.append(Problem(file, None, msg))
            unreadable.add(kind)
            continue
        text = path.read_text(encoding="utf-8")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            problems.append(Problem(file, *_toml_syntax_error(err, text)))
            unreadable.add(kind)
            continue
        where = _Locator(text)
        for key in data:
            if key != kind:
                msg = f"unknown top-level key {key!r}; {filename} holds [[{kind}]] tables only"
                problems.append(Problem(file, where.line_of((key,)), msg))
        entries = data.get(kind, [])
        if not isinstance(entries, list):
            entries = []
            msg = f"{kind!r} must be an array of tables, written [[{kind}]]"
            problems.append(Problem(file, where.line_of((kind,)), msg))
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                msg = f"{kind} #{i + 1}: expected a table, got {entry!r}"
                problems.append(Problem(file, where.line_of((kind, i)), msg))
                continue
            raw[kind].append((file, where, i, entry))
            name = _entry_name(kind, i, entry)
            try:
                records[kind].append(model.model_validate(entry))
            except ValidationError as err:
                for e in err.errors():
                    line = where.line_of((kind, i, *e["loc"]))
                    problems.append(Problem(file, line, f"{name}: {_error_message(e, model)}"))

    known: dict[str, set[str]] = {}
    for kind, entries_ in raw.items():
        first: dict[str, int | None] = {}
        for file, where, i, entry in entries_:
            ident = entry.get("id")
            if not isinstance(ident, str):
                continue
            line = where.line_of((kind, i, "id"))
            if ident in first:
                msg = f"{kind} {ident!r}: duplicate id (first defined at line {first[ident]})"
                problems.append(Problem(file, line, msg))
            else:
                first[ident] = line
        known[kind] = set(first)
    for kind, entries_ in raw.items():
        for file, where, i, entry in entries_:
            name = _entry_name(kind, i, entry)
            for loc, target, ident in _references(kind, entry):
                if target in unreadable or ident in known[target]:
                    continue
                close = process.extractOne(
                    ident, known[target], scorer=fuzz.WRatio, score_cutoff=80
                )
                hint = f"; did you mean {close[0]!r}?" if close else ""
                msg = f"{name}: {_dotted(loc)}: unknown {target} id {ident!r}{hint}"
                problems.append(Problem(file, where.line_of((kind, i, *loc)), msg))
    problems.sort(key=lambda p: (p.file, p.line or 0, p.message))
    return problems, records


def _default_directory() -> Traversable:
    return resources.files("reachmap") / "data" / "catalog"


def validate_catalog(directory: Path | None = None) -> list[Problem]:
    """Check a catalog directory and report every problem, each with its file and line.

    Checks: TOML syntax; the five files (and no others); known keys only and
    every required key; values (ids, ISO 3166-1 alpha-2 codes, partial dates,
    lat/lon in degrees, statuses, ranges parsed by
    :func:`reachmap.units.parse_range`, ``min <= max``); unique ids; every
    cited source, system and site exists. It does not stop at the first
    problem. See the module docstring for how lines are found.

    Parameters
    ----------
    directory : pathlib.Path, optional
        The catalog directory; by default the bundled catalog.

    Returns
    -------
    list of Problem
        Sorted by file and line; empty when the catalog is valid.

    Examples
    --------
    >>> validate_catalog()
    []
    """
    return _check(_default_directory() if directory is None else Path(directory))[0]


def _load(directory: Traversable) -> Catalog:
    problems, records = _check(directory)
    if problems:
        raise CatalogError(problems)

    return Catalog(
        sources={r.id: r for r in records["source"] if isinstance(r, Source)},
        systems={r.id: r for r in records["system"] if isinstance(r, System)},
        sites={r.id: r for r in records["site"] if isinstance(r, CatalogSite)},
        deployments={r.id: r for r in records["deployment"] if isinstance(r, Deployment)},
        events={r.id: r for r in records["event"] if isinstance(r, Event)},
    )


@functools.cache
def _bundled_catalog() -> Catalog:
    return _load(_default_directory())


def load_catalog(directory: Path | None = None) -> Catalog:
    """Load and validate a catalog.

    Parameters
    ----------
    directory : pathlib.Path, optional
        A catalog directory. By default the catalog bundled with reachmap,
        loaded once and cached.

    Returns
    -------
    Catalog

    Raises
    ------
    CatalogError
        If :func:`validate_catalog` finds any problem; the message lists them
        all as ``file:line: message``.

    Examples
    --------
    >>> catalog = load_catalog()
    >>> catalog.sites["krychaw"].country, catalog.sites["krychaw"].uncertainty_km
    ('BY', 30.0)
    """
    if directory is None:
        return _bundled_catalog()
    return _load(Path(directory))
