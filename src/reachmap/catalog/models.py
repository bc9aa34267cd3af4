"""Catalog records: pydantic models of sources, systems, sites, deployments and events.

Every model rejects unknown keys; ranges keep their published text and are parsed
once with :func:`reachmap.geo.units.parse_range`. :mod:`reachmap.catalog.store` is the public
entry point (it re-exports these models).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Annotated, Any, Final, Literal, TypeAlias

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from reachmap.errors import InputError
from reachmap.geo.units import RangeKm, parse_range

__all__ = [
    "CatalogSite",
    "Deployment",
    "Event",
    "Quantity",
    "RangeFigure",
    "Record",
    "Source",
    "System",
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


def date_bounds(value: str) -> tuple[dt.date, dt.date]:
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


class RecordModel(BaseModel):
    """Base of catalog records: unknown keys are errors, records are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Source(RecordModel):
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


class RangeFigure(RecordModel):
    """A published range, its status and its sources, converted to kilometres on load.

    Attributes
    ----------
    text : str
        The range as published, e.g. ``"up to 5,500 km"``, ``"1,725 miles"``,
        ``"500 to 5,500 km"`` (any form :func:`reachmap.geo.units.parse_range` takes).
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
        """The text exactly as :func:`reachmap.geo.units.parse_range` reads it, in kilometres."""
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


class Quantity(RecordModel):
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


class System(RecordModel):
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


class CatalogSite(RecordModel):
    """A town-level location of a publicly reported base (a ``[[site]]`` table).

    Named apart from :class:`reachmap.analysis.reach.Site`, a launch point given by the user.

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


class Deployment(RecordModel):
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
            and date_bounds(start)[0] > date_bounds(value)[1]
        ):
            raise ValueError(f"a date not before date_from {start!r}, got {value!r}")
        return value


class Event(RecordModel):
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
CATALOG_FILES: Final[dict[str, tuple[str, type[RecordModel]]]] = {
    "sources.toml": ("source", Source),
    "systems.toml": ("system", System),
    "sites.toml": ("site", CatalogSite),
    "deployments.toml": ("deployment", Deployment),
    "events.toml": ("event", Event),
}
#: Nested tables, for the keys they allow in messages.
NESTED_TABLES: Final[dict[str, type[RecordModel]]] = {
    "range": RangeFigure,
    "other_ranges": RangeFigure,
    "quantity": Quantity,
}
