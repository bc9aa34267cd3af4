"""Regions as data: continents, member lists with dates, countries and city lists.

A claim such as "covers all of Europe" or "reaches every NATO capital" needs the
region spelled out, on a date. Regions live in ``reachmap/data/regions.toml`` (or
a file of your own, see :func:`load_regions`), validated by pydantic on load:

* ``continent``: the bundled countries whose GeoNames continent code is the
  region's (``EU`` for Europe, ``AS`` for Asia ...); see each continent's note
  for where GeoNames puts countries such as Russia, Turkey and Cyprus;
* ``group``: a member list with dates, e.g. the European Union and NATO;
* ``country``: one country (any bundled country also resolves by its ISO code or
  name through :func:`region`);
* ``cities``: a list of places, each resolved against the bundled GeoNames places
  by its GeoNames id, with dates when membership of the list changes.

Dates
-----
``from`` is the first day of membership and ``until`` the first day *after* it
(exclusive): the day an exit took effect. The United Kingdom left the EU at
midnight Brussels time at the end of 31 January 2020, so it has
``until = 2020-02-01``: a member on 31 January, not on 1 February. Dates are
calendar days without a time zone; a member without ``from`` has always been
one, without ``until`` still is.

Members are today's states by ISO 3166-1 alpha-2 code. Changes of a member's
territory are not modelled: ``DE`` is today's Germany even on dates before
3 October 1990, when only West Germany was a member of NATO and the European
Communities.

Length: about 510 lines, one data file's models, loader and cross-checks against the
bundled countries (dated memberships and city lists are validated together).

Examples
--------
>>> import datetime as dt
>>> nato = region("NATO")
>>> "FI" in nato.members_on(dt.date(2023, 4, 4))
True
>>> "GB" in region("EU").members_on(dt.date(2020, 2, 1))
False
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final, Literal

import numpy as np
from pydantic import (
    Field,
    model_validator,
)

from reachmap.datafile import (
    Citation,
    check_date,
    load_records,
    lookup_key,
)
from reachmap.datafile import DataModel as _Model
from reachmap.errors import InputError
from reachmap.world.parts import CUTS, CountryPart, load_parts
from reachmap.world.tables import PlaceTable, capitals, load_countries, load_places

__all__ = [
    "CONTINENTS",
    "REGION_KINDS",
    "Citation",
    "City",
    "Member",
    "Region",
    "load_regions",
    "region",
]

RegionKind = Literal["continent", "group", "country", "cities", "cut", "capitals"]

REGION_KINDS: Final[tuple[str, ...]] = (
    "continent",
    "group",
    "country",
    "cities",
    "cut",
    "capitals",
)
"""The kinds of region, as written in ``regions.toml``."""

CONTINENTS: Final[Mapping[str, str]] = {
    "AF": "Africa",
    "AN": "Antarctica",
    "AS": "Asia",
    "EU": "Europe",
    "NA": "North America",
    "OC": "Oceania",
    "SA": "South America",
}
"""GeoNames continent codes and their names."""

_ISO2: Final = r"^[A-Z]{2}$"


def _check_interval(start: dt.date | None, until: dt.date | None, what: str) -> None:
    """Raise ``ValueError`` unless ``start < until`` (when both are given)."""
    if start is not None and until is not None and not start < until:
        raise ValueError(f"{what}: 'until' ({until}) must be after 'from' ({start})")


def _within(day: dt.date, start: dt.date | None, until: dt.date | None) -> bool:
    """Whether ``start <= day < until``, an open end counting as unbounded."""
    return (start is None or start <= day) and (until is None or day < until)


class _Dated(_Model):
    """A record that holds from ``from`` (inclusive) until ``until`` (exclusive)."""

    from_: dt.date | None = Field(default=None, alias="from")
    until: dt.date | None = None

    def _label(self) -> str:  # pragma: no cover - every subclass names itself
        raise NotImplementedError

    @model_validator(mode="after")
    def _dates_in_order(self) -> _Dated:
        _check_interval(self.from_, self.until, self._label())
        return self

    def on(self, day: dt.date) -> bool:
        """Whether the record holds on ``day``.

        Parameters
        ----------
        day : datetime.date
            The date.

        Returns
        -------
        bool
        """
        return _within(day, self.from_, self.until)


class Member(_Dated):
    """A country's membership of a group, from ``from`` (inclusive) until ``until`` (exclusive).

    Attributes
    ----------
    iso2 : str
        ISO 3166-1 alpha-2 code of the member, upper case.
    from_ : datetime.date or None
        First day of membership (``from`` in the file); None: always a member.
    until : datetime.date or None
        First day no longer a member; None: still a member.
    note : str
        Anything a reader should know about this membership.
    """

    iso2: str = Field(pattern=_ISO2)
    note: str = ""

    def _label(self) -> str:
        return self.iso2


class City(_Dated):
    """A place in a city-list region, resolved by its GeoNames id.

    Attributes
    ----------
    name : str
        The GeoNames primary name, checked against the bundled places on load.
    country : str
        ISO 3166-1 alpha-2 code, checked against the bundled places on load.
    geonameid : int
        GeoNames id of the place.
    from_, until : datetime.date or None
        When the place is on the list: from ``from`` (inclusive) until ``until``
        (exclusive); None for an open end.
    note : str
        Anything a reader should know.
    """

    name: str = Field(min_length=1)
    country: str = Field(pattern=_ISO2)
    geonameid: int = Field(gt=0)
    note: str = ""

    def _label(self) -> str:
        return self.name


class Region(_Model):
    """A named region whose members can change with time.

    Attributes
    ----------
    id : str
        Short identifier, lower case with hyphens (e.g. ``"nato"``).
    name : str
        Display name (e.g. ``"NATO"``).
    aliases : tuple of str
        Other names :func:`region` accepts.
    kind : {"continent", "group", "country", "cities", "cut", "capitals"}
        What the members are; see the module docstring.
    definition : str
        One line saying what the region counts, printed with every verdict.
    note : str
        Caveats a reader should know (what is and is not counted).
    cut : str or None
        For kind ``"cut"``, the cut whose countries are the members; for a group, a cut
        that clips its members' territory (see :mod:`reachmap.world.parts`).
    members_of : str or None
        For a group: take the members (with their dates) of this other region.
    of : str or None
        For kind ``"capitals"``: the region whose members' capitals are listed.
    continent : str or None
        GeoNames continent code, for kind ``"continent"`` only.
    members : tuple of Member
        Member countries with dates, for kinds ``"group"`` and ``"country"``.
    cities : tuple of City
        Places with dates, for kind ``"cities"``.
    sources : tuple of Citation
        Where the members and dates come from (``source`` in the file).

    Examples
    --------
    >>> import datetime as dt
    >>> eu = region("eu")
    >>> eu.kind, len(eu.members_on(dt.date(2026, 11, 25)))
    ('group', 27)
    """

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    kind: RegionKind
    definition: str = ""
    note: str = ""
    continent: str | None = None
    cut: str | None = None
    members_of: str | None = None
    of: str | None = None
    members: tuple[Member, ...] = ()
    cities: tuple[City, ...] = ()
    sources: tuple[Citation, ...] = Field(default=(), alias="source")

    @model_validator(mode="after")
    def _consistent(self) -> Region:
        kind = self.kind
        if self.cut is not None and self.cut not in CUTS:
            raise ValueError(f"'cut' must be one of {sorted(CUTS)}")
        if self.cut is not None and kind not in ("cut", "group"):
            raise ValueError(f"'cut' is only for cut and group regions, not {kind!r}")
        if self.members_of is not None and (kind != "group" or self.members):
            raise ValueError("'members_of' is for a group region without 'members'")
        if (self.of is None) != (kind != "capitals"):
            raise ValueError("a capitals region needs 'of' (a region id), and only it takes one")
        if kind in ("cut", "capitals"):
            if kind == "cut" and self.cut is None:
                raise ValueError("a cut region needs 'cut'")
            if self.members or self.cities or self.continent is not None:
                raise ValueError(
                    f"a {kind} region takes its members from its {'cut' if kind == 'cut' else 'of'}"
                )
            return self
        if kind == "continent":
            if self.continent not in CONTINENTS:
                raise ValueError(
                    f"a continent region needs 'continent', one of {sorted(CONTINENTS)}"
                )
            if self.members or self.cities:
                raise ValueError("a continent region takes its members from the bundled countries")
            return self
        if self.continent is not None:
            raise ValueError(f"'continent' is only for continent regions, not {kind!r}")
        if kind == "cities":
            if not self.cities or self.members:
                raise ValueError("a cities region needs 'cities' and no 'members'")
            _no_overlaps(((c.geonameid, c.from_, c.until) for c in self.cities), "city")
            return self
        if self.members_of is not None:
            return self
        if not self.members or self.cities:
            raise ValueError(f"a {kind} region needs 'members' and no 'cities'")
        if kind == "country" and len({m.iso2 for m in self.members}) != 1:
            raise ValueError("a country region has exactly one member country")
        _no_overlaps(((m.iso2, m.from_, m.until) for m in self.members), "member")
        return self

    def members_on(self, on: dt.date) -> list[str]:
        """Return the ISO 3166-1 alpha-2 codes of the member countries on a date.

        Parameters
        ----------
        on : datetime.date
            The date. Continents do not change with it (GeoNames as bundled).

        Returns
        -------
        list of str
            Sorted, without repeats. For a ``"cities"`` region, the countries of
            the places on the list that day.

        Raises
        ------
        InputError
            If ``on`` is not a date (field ``"on"``).

        Examples
        --------
        >>> import datetime as dt
        >>> eu = region("European Union")
        >>> "GB" in eu.members_on(dt.date(2020, 1, 31))
        True
        >>> "GB" in eu.members_on(dt.date(2020, 2, 1))
        False
        """
        day = check_date(on)
        if self.kind == "cut":
            assert self.cut is not None
            return sorted(load_parts()[self.cut])
        if self.kind == "capitals":
            assert self.of is not None
            return _bundled()[self.of].members_on(day)
        if self.members_of is not None:
            return _bundled()[self.members_of].members_on(day)
        if self.kind == "continent":
            countries = load_countries()
            codes = countries.iso2[(countries.continent == self.continent) & (countries.iso2 != "")]
            return sorted({str(c) for c in codes})
        if self.kind == "cities":
            return sorted({c.country for c in self.cities if c.on(day)})
        return sorted({m.iso2 for m in self.members if m.on(day)})

    def countries_on(self, on: dt.date) -> np.ndarray:
        """Return the rows of :func:`~reachmap.world.tables.load_countries` that are members then.

        Parameters
        ----------
        on : datetime.date
            The date.

        Returns
        -------
        numpy.ndarray of intp
            Row indices into the bundled country table, ascending; use them with
            its ``area_km2``, ``population``, ``geometry`` ... arrays.

        Examples
        --------
        >>> import datetime as dt
        >>> countries = load_countries()
        >>> rows = region("NATO").countries_on(dt.date(2024, 3, 7))
        >>> len(rows), "SE" in countries.iso2[rows]
        (32, True)
        """
        codes = self.members_on(on)
        iso2 = load_countries().iso2
        return np.flatnonzero(np.isin(iso2, codes))

    def cities_on(self, on: dt.date) -> PlaceTable:
        """Return the places of the region on a date, from the bundled GeoNames places.

        Parameters
        ----------
        on : datetime.date
            The date.

        Returns
        -------
        PlaceTable
            For a ``"cities"`` region, the places on its list that day, in list
            order. For any other kind, the capitals of the member countries that
            day (GeoNames capital flags), so that "capitals reached" can be
            counted for every region.

        Examples
        --------
        >>> import datetime as dt
        >>> caps = region("eu-capitals").cities_on(dt.date(2019, 12, 31))
        >>> len(caps), "London" in caps.name
        (28, True)
        """
        day = check_date(on)
        if self.kind != "cities":
            caps = capitals()
            keep = np.isin(caps.country, self.members_on(day))
            for iso2, part in self.parts().items():  # a capital outside the part does not count
                mine = caps.country == iso2
                keep[mine] &= part.holds(caps.lat[mine], caps.lon[mine])
            return caps.take(keep)
        places = load_places()
        ids = np.array([c.geonameid for c in self.cities if c.on(day)], dtype=np.int64)
        rows = np.searchsorted(places.geonameid, ids)
        found = (rows < len(places)) & (places.geonameid[np.minimum(rows, len(places) - 1)] == ids)
        if not found.all():
            missing = int(ids[~found][0])
            raise InputError(f"region {self.id!r} cities", missing, "a bundled GeoNames id")
        return places.take(rows)

    def parts(self) -> dict[str, CountryPart]:
        """Return the members whose territory the region's cut changes, with the part counted.

        Returns
        -------
        dict of str to CountryPart
            By ISO2 code; members not in it count whole. Empty for a region without a
            cut.

        Examples
        --------
        >>> sorted(region("europe").parts())[:3]
        ['AZ', 'ES', 'FR']
        """
        if self.cut is None:
            return {}
        return {k: p for k, p in load_parts()[self.cut].items() if not p.is_whole}

    def describe(self, on: dt.date) -> str:
        """One line that says what the region counts on a date (printed with verdicts).

        Examples
        --------
        >>> import datetime as dt
        >>> print(region("eu").describe(dt.date(2026, 1, 1)))  # doctest: +ELLIPSIS
        European Union (eu): member states, whole countries ...; 27 countries on 2026-01-01
        """
        day = check_date(on)
        cities = self.kind in ("cities", "capitals")
        n = len(self.cities_on(day)) if cities else len(self.members_on(day))
        count = f"{n} {'places' if cities else 'countries'} on {day.isoformat()}"
        what = self.definition or self.kind
        return f"{self.name} ({self.id}): {what}; {count}"


def _no_overlaps(spans: Iterable[tuple[object, dt.date | None, dt.date | None]], what: str) -> None:
    """Raise ``ValueError`` if one key has two overlapping date intervals."""
    by_key: dict[object, list[tuple[dt.date, dt.date]]] = {}
    for key, start, until in spans:
        by_key.setdefault(key, []).append((start or dt.date.min, until or dt.date.max))
    for key, intervals in by_key.items():
        intervals.sort()
        for (_, end), (start, _) in itertools.pairwise(intervals):
            if start < end:
                raise ValueError(f"{what} {key} is listed twice with overlapping dates")


class _RegionFile(_Model):
    """The top level of a regions TOML file."""

    regions: tuple[Region, ...] = Field(alias="region", min_length=1)


def _check_against_world(regions: Iterable[Region], label: str) -> None:
    """Check every member code and city against the bundled countries and places."""
    known = {str(c) for c in load_countries().iso2 if c}
    places = load_places()
    for reg in regions:
        for m in reg.members:
            if m.iso2 not in known:
                raise InputError(
                    f"{label}: region {reg.id!r} members",
                    m.iso2,
                    "an ISO 3166-1 alpha-2 code of a bundled country",
                )
        for c in reg.cities:
            i = int(np.searchsorted(places.geonameid, c.geonameid))
            if i >= len(places) or places.geonameid[i] != c.geonameid:
                raise InputError(
                    f"{label}: region {reg.id!r} cities",
                    c.geonameid,
                    "the GeoNames id of a bundled place",
                )
            if places.name[i] != c.name or places.country[i] != c.country:
                raise InputError(
                    f"{label}: region {reg.id!r} cities",
                    f"{c.name} ({c.country}), geonameid {c.geonameid}",
                    f"the bundled place's name and country: {places.name[i]} ({places.country[i]})",
                )


def _load(path: Path | None) -> dict[str, Region]:
    """Read, validate and index a regions file."""
    label, out = load_records(path, "regions.toml", _RegionFile, "region")
    _check_against_world(out.values(), label)
    return out


@functools.cache
def _bundled() -> dict[str, Region]:
    """Read the bundled regions once."""
    return _load(None)


def load_regions(path: str | Path | None = None) -> dict[str, Region]:
    """Load regions from the bundled ``regions.toml`` or from a file of your own.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A TOML file with ``[[region]]`` tables in the bundled file's format.
        Default: the bundled file (read once, then cached).

    Returns
    -------
    dict of str to Region
        Keyed by region id, in file order.

    Raises
    ------
    InputError
        If the file cannot be read, is not TOML, or a region is malformed; the
        message names the file, the region and the field. Member codes and city
        GeoNames ids are checked against the bundled countries and places.

    Examples
    --------
    >>> regions = load_regions()
    >>> [r for r in regions if regions[r].kind == "group"]
    ['eu', 'nato', 'eu-metropolitan', 'nato-treaty-area']
    """
    if path is None:
        return dict(_bundled())
    return _load(Path(path))


def region(id_or_name: str) -> Region:
    """Find a bundled region by id, name or alias, or a bundled country by code or name.

    Parameters
    ----------
    id_or_name : str
        A region id (``"nato"``), name (``"European Union"``) or alias
        (``"EU"``), in any case; or, if no region matches, a bundled country's
        ISO 3166-1 alpha-2 code (``"PL"``) or Natural Earth name (``"Poland"``),
        which gives a one-country region. GeoNames continent codes are not
        region names: ``"EU"`` is the European Union, ``"AS"`` American Samoa;
        write ``"europe"``, ``"asia"``.

    Returns
    -------
    Region

    Raises
    ------
    InputError
        If nothing matches (field ``"region"``); the message lists the region ids.

    Examples
    --------
    >>> region("north atlantic treaty organization").id
    'nato'
    >>> poland = region("PL")
    >>> poland.kind, poland.name
    ('country', 'Poland')
    >>> region(poland.id).name  # its id finds it again
    'Poland'
    >>> region("Atlantis")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    reachmap.errors.InputError: region: 'Atlantis' is not allowed; expected a region id or name: ...
    """
    regions = _bundled()
    allowed = (
        f"a region id or name: {', '.join(regions)}; or a bundled country's "
        "ISO 3166-1 alpha-2 code or name (e.g. 'PL', 'Poland')"
    )
    if not isinstance(id_or_name, str) or not id_or_name.strip():
        raise InputError("region", id_or_name, allowed)
    key = lookup_key(id_or_name)
    for reg in regions.values():
        if key in {lookup_key(reg.id), lookup_key(reg.name), *(lookup_key(a) for a in reg.aliases)}:
            return reg
    countries = load_countries()
    code = id_or_name.strip().upper()
    if code.startswith("COUNTRY-"):  # the id of a one-country region, as returned below
        code = code.removeprefix("COUNTRY-")
    rows = np.flatnonzero(countries.iso2 == code) if len(code) == 2 else np.empty(0, np.intp)
    if rows.size == 0:
        names = np.array([lookup_key(str(n)) for n in countries.name])
        rows = np.flatnonzero((names == key) & (countries.iso2 != ""))
    if rows.size == 0:
        raise InputError("region", id_or_name, allowed)
    i = int(rows[0])
    iso2 = str(countries.iso2[i])
    return Region(
        id=f"country-{iso2.lower()}",
        name=str(countries.name[i]),
        kind="country",
        members=(Member(iso2=iso2),),
        definition="one country, whole, as drawn (Natural Earth 1:50m, de facto borders)",
        note="A bundled country (Natural Earth polygon, GeoNames codes).",
    )
