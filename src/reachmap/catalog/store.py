"""Sourced catalog: systems, sites, deployments, events and the sources behind them.

A catalog is a directory of five TOML files, each an array of tables:
``sources.toml`` (``[[source]]``, :class:`Source`), ``systems.toml``
(``[[system]]``, :class:`System`), ``sites.toml`` (``[[site]]``, :class:`CatalogSite`),
``deployments.toml`` (``[[deployment]]``, :class:`Deployment`) and
``events.toml`` (``[[event]]``, :class:`Event`). Every figure cites sources by id
and carries a status (``reported``, ``assessed``, ``confirmed``,
``claimed-by-owner``). Ranges keep their published text and are converted once,
on load, with :func:`reachmap.geo.units.parse_range`. The bundled catalog lives in
``reachmap/data/catalog``. The record models are in :mod:`reachmap.catalog.models`
and the validation in :mod:`reachmap.catalog.check`; this module re-exports both.

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

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final

from rapidfuzz import fuzz, process

from reachmap.catalog.check import (
    CatalogError,
    Problem,
    check_directory,
    default_directory,
    validate_catalog,
)
from reachmap.catalog.models import (
    CatalogSite,
    Deployment,
    Event,
    Quantity,
    RangeFigure,
    Record,
    Source,
    System,
    date_bounds,
)
from reachmap.errors import InputError
from reachmap.world.gazetteer import name_key

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
        """Lookup key (see :func:`reachmap.world.gazetteer.name_key`) to system id."""
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
            key=lambda d: (d.date_from is None, date_bounds(d.date_from or "1")[0], d.id),
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


def _load(directory: Traversable) -> Catalog:
    problems, records = check_directory(directory)
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
    return _load(default_directory())


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
