"""Bundled world data: country polygons and populated places.

The data lives in ``reachmap/data/*.parquet`` and is rebuilt from registry
packages by ``scripts/build_world_data.py``; ``PROVENANCE.md`` says where each
figure comes from, under which licence, and how it was derived:

* countries: Natural Earth 1:50m admin-0 polygons (public domain) joined to the
  GeoNames country table (CC BY 4.0) for codes, continent, population and capital;
* places: GeoNames ``cities1000`` (CC BY 4.0): populated places with at least
  1,000 inhabitants, plus capitals and seats of administrative divisions;
* place names: the GeoNames alternate names of those places, for lookups.

Coordinates are degrees on WGS84 (EPSG:4326); polygons are lon/lat as RFC 7946
says (counter-clockwise exteriors, longitudes within [-180, 180], cut at the
antimeridian); areas are square kilometres on the WGS84 ellipsoid.

Name lookups live in :mod:`reachmap.world.gazetteer`.

Examples
--------
>>> places = load_places()
>>> len(places) > 100_000
True
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from reachmap.errors import InputError
from reachmap.geo.geodesy import area_km2
from reachmap.world.place import Place

__all__ = [
    "CountryTable",
    "Place",
    "PlaceTable",
    "capitals",
    "load_countries",
    "load_places",
    "place_polygon_rows",
]


# --------------------------------------------------------------------------- tables


def _frozen(values: Any, dtype: Any = None) -> np.ndarray:
    """Return a read-only numpy array (a copy only where needed)."""
    arr = np.array(values, dtype=dtype, copy=True)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class CountryTable:
    """Countries and territories with their polygons, one row per polygon feature.

    Every attribute is a read-only numpy array with one element per row. Rows
    come from Natural Earth 1:50m admin-0 features joined to GeoNames; a feature
    that no GeoNames country matches (Somaliland, N. Cyprus, Siachen Glacier,
    Ashmore and Cartier Is.) keeps an empty ``iso2`` and ``match == "none"``.

    Attributes
    ----------
    iso2 : numpy.ndarray of str
        ISO 3166-1 alpha-2 code ("XK" for Kosovo, as GeoNames); "" if none.
    iso3 : numpy.ndarray of str
        ISO 3166-1 alpha-3 code; "" if none.
    isonumeric : numpy.ndarray of int64
        ISO 3166-1 numeric code; 0 if none.
    name : numpy.ndarray of str
        Natural Earth's short name (e.g. "Dem. Rep. Congo").
    continent : numpy.ndarray of str
        GeoNames continent code: AF, AN, AS, EU, NA, OC or SA.
    population : numpy.ndarray of int64
        GeoNames population (people); 0 for rows whose people GeoNames counts
        under another country (see ``counted_in``).
    capital : numpy.ndarray of str
        GeoNames capital name; "" if none.
    geometry : numpy.ndarray of shapely.MultiPolygon
        Lon/lat degrees, RFC 7946 (counter-clockwise exteriors, longitudes
        within [-180, 180], cut at the antimeridian, Antarctica closed along
        the south pole).
    area_km2 : numpy.ndarray of float64
        Area on the WGS84 ellipsoid, in square kilometres, with polygon edges
        taken as geodesics.
    match : numpy.ndarray of str
        How the feature was joined to GeoNames: "isonumeric", "name", "split"
        (one feature split into several territories) or "none".
    counted_in : numpy.ndarray of str
        ISO2 of the country whose GeoNames population includes the people of
        this row: the row's own code when joined, "SO" for Somaliland, "" if
        nobody's.

    Examples
    --------
    >>> countries = load_countries()
    >>> i = countries.index_of("BY")
    >>> print(countries.name[i], countries.continent[i])
    Belarus EU
    >>> countries.geometry[i].geom_type
    'MultiPolygon'
    """

    iso2: np.ndarray
    iso3: np.ndarray
    isonumeric: np.ndarray
    name: np.ndarray
    continent: np.ndarray
    population: np.ndarray
    capital: np.ndarray
    geometry: np.ndarray
    area_km2: np.ndarray
    match: np.ndarray
    counted_in: np.ndarray

    def __len__(self) -> int:
        return int(self.iso2.shape[0])

    def index_of(self, iso2: str, *, field: str = "country") -> int:
        """Return the row of a country given its ISO 3166-1 alpha-2 code.

        Parameters
        ----------
        iso2 : str
            The code, any case (e.g. ``"by"``, ``"XK"``).
        field : str, optional
            The input field named in the error, by default ``"country"``.

        Returns
        -------
        int
            The row index.

        Raises
        ------
        reachmap.errors.InputError
            If no bundled country has that code.

        Examples
        --------
        >>> countries = load_countries()
        >>> print(countries.iso3[countries.index_of("pl")])
        POL
        >>> countries.index_of("ZZ")
        Traceback (most recent call last):
        ...
        reachmap.errors.InputError: country: 'ZZ' is not allowed; expected ...
        """
        code = iso2.strip().upper() if isinstance(iso2, str) else ""
        rows = np.flatnonzero(self.iso2 == code) if code else np.empty(0, dtype=np.intp)
        if rows.size == 0:
            raise InputError(
                field,
                iso2,
                "an ISO 3166-1 alpha-2 code of a bundled country or territory (e.g. 'BY')",
            )
        return int(rows[0])


@dataclass(frozen=True, eq=False)
class PlaceTable:
    """Populated places from GeoNames, one row per place, as read-only numpy arrays.

    Attributes
    ----------
    geonameid : numpy.ndarray of int64
        GeoNames identifiers (sorted ascending in :func:`load_places`).
    name : numpy.ndarray of str (object)
        Primary names.
    lat, lon : numpy.ndarray of float64
        Coordinates, in degrees (WGS84).
    country : numpy.ndarray of str
        ISO 3166-1 alpha-2 codes.
    admin1 : numpy.ndarray of str
        GeoNames first-level administrative division code ("" if none).
    population : numpy.ndarray of int64
        GeoNames populations (people).
    is_capital : numpy.ndarray of bool
        Capital flags (one per country that has a capital).

    Examples
    --------
    >>> places = load_places()
    >>> len(places) > 100_000
    True
    >>> by = places.take(np.flatnonzero(places.country == "BY"))
    >>> int(by.is_capital.sum())
    1
    """

    geonameid: np.ndarray
    name: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    country: np.ndarray
    admin1: np.ndarray
    population: np.ndarray
    is_capital: np.ndarray

    def __len__(self) -> int:
        return int(self.geonameid.shape[0])

    def take(self, indices: Sequence[int] | np.ndarray) -> PlaceTable:
        """Return the rows at ``indices`` (integers, or a boolean mask), in that order.

        Parameters
        ----------
        indices : sequence of int or numpy.ndarray
            Row numbers (negative ones count from the end), or a boolean mask
            of the table's length.

        Returns
        -------
        PlaceTable
            A new table.

        Examples
        --------
        >>> places = load_places()
        >>> len(places.take([0, 1, 2]))
        3
        """
        idx = np.asarray(indices)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        idx = idx.astype(np.intp, copy=False)
        return PlaceTable(**{f: _frozen(getattr(self, f)[idx]) for f in self.__dataclass_fields__})

    def row(self, i: int) -> Place:
        """Return row ``i`` as a :class:`Place`.

        Parameters
        ----------
        i : int
            Row number (negative counts from the end).

        Returns
        -------
        Place

        Examples
        --------
        >>> caps = capitals()
        >>> by = caps.row(int(np.flatnonzero(caps.country == "BY")[0]))
        >>> by.name
        'Minsk'
        """
        return Place(
            geonameid=int(self.geonameid[i]),
            name=str(self.name[i]),
            lat=float(self.lat[i]),
            lon=float(self.lon[i]),
            country=str(self.country[i]),
            population=int(self.population[i]),
            is_capital=bool(self.is_capital[i]),
        )


# --------------------------------------------------------------------------- loaders


def read_data(filename: str) -> pa.Table:
    """Read one bundled parquet file from the package data."""
    with resources.files("reachmap").joinpath("data", filename).open("rb") as f:
        return pq.read_table(f)


def _strings(col: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Return a string column as a numpy array of Python str (object dtype)."""
    return np.asarray(col.to_numpy(zero_copy_only=False), dtype=object)


@functools.cache
def load_countries() -> CountryTable:
    """Load the bundled countries (read once, then cached).

    Areas are computed on load from the polygons, on the WGS84 ellipsoid.

    Returns
    -------
    CountryTable

    Examples
    --------
    >>> countries = load_countries()
    >>> ru = countries.index_of("RU")
    >>> print(f"{countries.area_km2[ru]:,.0f} km²")
    16,973,587 km²
    """
    t = read_data("countries.parquet")
    geometry = shapely.from_wkb(t.column("geometry").to_numpy(zero_copy_only=False))
    area = np.array([area_km2(g) for g in geometry], dtype=np.float64)

    def text(name: str) -> np.ndarray:
        return _frozen(_strings(t.column(name)).astype(str))

    return CountryTable(
        iso2=text("iso2"),
        iso3=text("iso3"),
        isonumeric=_frozen(t.column("isonumeric").to_numpy(), np.int64),
        name=text("name"),
        continent=text("continent"),
        population=_frozen(t.column("population").to_numpy(), np.int64),
        capital=text("capital"),
        geometry=_frozen(geometry, object),
        area_km2=_frozen(area),
        match=text("match"),
        counted_in=text("counted_in"),
    )


@functools.cache
def load_places() -> PlaceTable:
    """Load the bundled GeoNames places (read once, then cached).

    Returns
    -------
    PlaceTable
        About 170,000 places, sorted by ``geonameid``.

    Examples
    --------
    >>> places = load_places()
    >>> int(places.population.max()) > 10_000_000
    True
    """
    t = read_data("places.parquet")
    return PlaceTable(
        geonameid=_frozen(t.column("geonameid").to_numpy(), np.int64),
        name=_frozen(_strings(t.column("name"))),
        lat=_frozen(t.column("lat").to_numpy(), np.float64),
        lon=_frozen(t.column("lon").to_numpy(), np.float64),
        country=_frozen(_strings(t.column("country")).astype(str)),
        admin1=_frozen(_strings(t.column("admin1")).astype(str)),
        population=_frozen(t.column("population").to_numpy(), np.int64),
        is_capital=_frozen(t.column("is_capital").to_numpy(zero_copy_only=False), bool),
    )


def capitals() -> PlaceTable:
    """Return the places flagged as capitals, one per country that has one.

    Returns
    -------
    PlaceTable

    Examples
    --------
    >>> caps = capitals()
    >>> sorted(caps.name[np.isin(caps.country, ["DE", "PL"])].tolist())
    ['Berlin', 'Warsaw']
    """
    places = load_places()
    return places.take(places.is_capital)


@functools.cache
def place_polygon_rows() -> np.ndarray:
    """Return, per bundled place, the row of the country polygon it is counted in.

    A place whose GeoNames country has its own polygon goes to that row. GeoNames
    also lists territories that Natural Earth draws inside another country's polygon
    (French Guiana GF, Réunion RE, Martinique MQ, Guadeloupe GP and Mayotte YT in
    France's, the Caribbean Netherlands BQ in the Netherlands'): their places go to
    the polygon that holds them (or lies within 0.1° of them, for coastal places),
    so that "all of France" counts the people the polygon counts. -1: no polygon.

    Examples
    --------
    >>> places, countries = load_places(), load_countries()
    >>> cayenne = int(np.flatnonzero((places.name == "Cayenne") & (places.country == "GF"))[0])
    >>> str(countries.iso2[place_polygon_rows()[cayenne]])
    'FR'
    """
    places, countries = load_places(), load_countries()
    index = {str(c): i for i, c in enumerate(countries.iso2) if c}
    rows = np.array([index.get(str(c), -1) for c in places.country], dtype=np.int64)
    lost = np.flatnonzero(rows < 0)
    if lost.size:
        tree = shapely.STRtree(np.asarray(countries.geometry))
        points = shapely.points(places.lon[lost], places.lat[lost])
        hit_p, hit_c = tree.query(points, predicate="dwithin", distance=0.1)
        first = np.unique(hit_p, return_index=True)
        rows[lost[first[0]]] = hit_c[first[1]]
    return _frozen(rows)
