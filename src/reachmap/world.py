"""Bundled world data: country polygons, places and a gazetteer.

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

Name lookups (:func:`find_place`, :func:`search_places`) ignore case, accents,
spaces and punctuation (see :func:`name_key`). Among several places of the same
name the most populous wins; a name that is some place's primary GeoNames name
wins over a name that is only an alternate name of another place.

Examples
--------
>>> minsk = find_place("Minsk")
>>> minsk.country, minsk.is_capital
('BY', True)
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely
from rapidfuzz import process
from rapidfuzz.distance import OSA

from reachmap.errors import InputError, PlaceNotFoundError
from reachmap.geodesy import area_km2

__all__ = [
    "CountryTable",
    "Place",
    "PlaceTable",
    "capitals",
    "find_place",
    "load_countries",
    "load_places",
    "name_key",
    "name_keys",
    "search_places",
]

#: Letters that Unicode NFKD does not split into a base letter plus accents,
#: mapped to what a user without the key on the keyboard types instead.
_FOLDS: tuple[tuple[str, str], ...] = (
    ("ß", "ss"),
    ("ø", "o"),
    ("ł", "l"),
    ("đ", "d"),
    ("ð", "d"),
    ("þ", "th"),
    ("æ", "ae"),
    ("œ", "oe"),
    ("ı", "i"),
    ("ħ", "h"),
    ("ŀ", "l"),
    ("ŧ", "t"),
    ("ς", "σ"),
)
_FOLD_PATTERN = "[" + "".join(old for old, _ in _FOLDS) + "]"

#: Fuzzy suggestions below this OSA similarity (0 to 1) are not offered.
_FUZZY_CUTOFF = 0.6
#: Weight of log10(population) in the fuzzy ranking: a place 1,000 times more
#: populous gains 0.02, less than one typo in a ten-letter name (0.1).
_POPULATION_WEIGHT = 0.05 / 7.0

_NAME_ALLOWED = (
    "a non-empty place name, optionally followed by ', CC' with CC an "
    "ISO 3166-1 alpha-2 country code (e.g. 'Paris, FR')"
)


# --------------------------------------------------------------------------- names


def name_keys(names: Iterable[str] | pa.Array | pa.ChunkedArray) -> pa.StringArray:
    """Turn names into lookup keys, many at once.

    A key is the name in lower case, without accents (Unicode NFKD
    decomposition with the combining marks dropped, and ``ß`` → ``ss``,
    ``ø`` → ``o``, ``ł`` → ``l``, ``æ`` → ``ae`` ... for letters that do not
    decompose), and without spaces or punctuation: only letters and digits
    remain, in any script. Vectorised with pyarrow: about 0.4 s for a million
    names.

    Parameters
    ----------
    names : iterable of str, or pyarrow string array
        The names.

    Returns
    -------
    pyarrow.StringArray
        One key per name, in order.

    Examples
    --------
    >>> name_keys(["Saint-Étienne", "St. John's", "Łódź"]).to_pylist()
    ['saintetienne', 'stjohns', 'lodz']
    """
    if isinstance(names, pa.ChunkedArray):
        arr = names.combine_chunks()
    elif isinstance(names, pa.Array):
        arr = names
    else:
        arr = pa.array(list(names), type=pa.string())
    low = pc.utf8_lower(arr)
    non_ascii = pc.fill_null(pc.invert(pc.string_is_ascii(low)), False)
    if pc.any(non_ascii).as_py():
        sub = pc.utf8_normalize(pc.filter(low, non_ascii), "NFKD")
        sub = pc.utf8_lower(pc.replace_substring_regex(sub, r"\p{M}+", ""))
        to_fold = pc.match_substring_regex(sub, _FOLD_PATTERN)
        if pc.any(to_fold).as_py():
            folded = pc.filter(sub, to_fold)
            for old, new in _FOLDS:
                folded = pc.replace_substring(folded, old, new)
            sub = pc.replace_with_mask(sub, to_fold, folded)
        low = pc.replace_with_mask(low, non_ascii, sub)
    punct = pc.fill_null(pc.invert(pc.utf8_is_alnum(low)), False)
    if not pc.any(punct).as_py():
        return low
    cleaned = pc.replace_substring_regex(pc.filter(low, punct), r"[^\p{L}\p{N}]+", "")
    return pc.replace_with_mask(low, punct, cleaned)


def name_key(name: str) -> str:
    """Turn one name into its lookup key (see :func:`name_keys`).

    Parameters
    ----------
    name : str
        A place name, in any script.

    Returns
    -------
    str
        The key: lower case, no accents, letters and digits only.

    Examples
    --------
    >>> name_key("  MINSK ")
    'minsk'
    >>> name_key("Кричев") == name_key("кричев")
    True
    """
    return str(name_keys([name])[0].as_py())


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


@dataclass(frozen=True)
class Place:
    """One populated place from GeoNames.

    Attributes
    ----------
    geonameid : int
        GeoNames identifier.
    name : str
        Primary GeoNames name (e.g. "Krychaw").
    lat, lon : float
        Coordinates, in degrees (WGS84).
    country : str
        ISO 3166-1 alpha-2 code.
    population : int
        GeoNames population (people); 0 when GeoNames has none.
    is_capital : bool
        Whether this place is its country's capital.

    Examples
    --------
    >>> p = find_place("Warsaw")
    >>> p.label
    'Warsaw (PL)'
    """

    geonameid: int
    name: str
    lat: float
    lon: float
    country: str
    population: int
    is_capital: bool

    @property
    def label(self) -> str:
        """The name with its country code, as ``"Name (CC)"``."""
        return f"{self.name} ({self.country})"


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


def _read(filename: str) -> pa.Table:
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
    t = _read("countries.parquet")
    geometry = shapely.from_wkb(t.column("geometry").to_numpy(zero_copy_only=False))
    area = np.array(
        [area_km2(g) for g in geometry], dtype=np.float64
    )

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
    t = _read("places.parquet")
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


# --------------------------------------------------------------------------- gazetteer


@dataclass(frozen=True, eq=False)
class _Gazetteer:
    """Lookup index over the bundled places: name keys and where they point."""

    places: PlaceTable
    primary_keys: pa.Array  # one key per place row
    alt_keys: pa.Array  # one key per bundled name (primary included)
    alt_rows: np.ndarray  # place row of each bundled name
    countries: frozenset[str]


@functools.cache
def _gazetteer() -> _Gazetteer:
    """Build (once) the name index: keys of primary and alternate names."""
    places = load_places()
    names = _read("place_names.parquet")
    gids = names.column("geonameid").to_numpy()
    rows = np.searchsorted(places.geonameid, gids)
    return _Gazetteer(
        places=places,
        primary_keys=name_keys(pa.array(places.name, type=pa.string())),
        alt_keys=name_keys(names.column("name")),
        alt_rows=rows.astype(np.intp),
        countries=frozenset(places.country.tolist()),
    )


@functools.cache
def _fuzzy_index(country: str | None) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Distinct name keys (of one country, or all), each with its most populous place.

    Returns the keys, the place row of each key and the ranking bonus of that
    place (from its population).
    """
    g = _gazetteer()
    keys, rows = g.alt_keys, g.alt_rows
    if country is not None:
        mask = g.places.country[rows] == country
        keys, rows = pc.filter(keys, pa.array(mask)), rows[mask]
    encoded = pc.dictionary_encode(keys)
    codes = encoded.indices.to_numpy()
    pop = g.places.population[rows]
    order = np.lexsort((-pop, codes))
    _, first = np.unique(codes[order], return_index=True)
    best = rows[order[first]]
    bonus = _POPULATION_WEIGHT * np.log10(1.0 + g.places.population[best])
    return encoded.dictionary.to_pylist(), best, bonus


def _by_population(places: PlaceTable, rows: np.ndarray) -> np.ndarray:
    """Sort place rows by population, largest first (ties: lowest geonameid)."""
    rows = np.unique(rows)
    return rows[np.lexsort((places.geonameid[rows], -places.population[rows]))]


def _exact(g: _Gazetteer, key: str, country: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose primary name has ``key``, and rows with only an alternate name."""
    primary = np.flatnonzero(pc.equal(g.primary_keys, key).to_numpy(zero_copy_only=False))
    alt = g.alt_rows[np.flatnonzero(pc.equal(g.alt_keys, key).to_numpy(zero_copy_only=False))]
    if country is not None:
        primary = primary[g.places.country[primary] == country]
        alt = alt[g.places.country[alt] == country]
    alt = np.setdiff1d(alt, primary)
    return _by_population(g.places, primary), _by_population(g.places, alt)


def _fuzzy(key: str, country: str | None, limit: int) -> list[int]:
    """Place rows whose names are close to ``key``, best first, at most ``limit``."""
    choices, best, bonus = _fuzzy_index(country)
    if not choices or limit <= 0:
        return []
    sim = process.cdist(
        [key],
        choices,
        scorer=OSA.normalized_similarity,
        dtype=np.float32,
        workers=-1,
        score_cutoff=_FUZZY_CUTOFF,
    )[0]
    hits = np.flatnonzero(sim >= _FUZZY_CUTOFF)
    if hits.size == 0:
        return []
    rank = sim[hits].astype(np.float64) + bonus[hits]
    top = hits[np.argsort(-rank, kind="stable")][: 4 * limit]
    out: list[int] = []
    for r in best[top].tolist():
        if r not in out:
            out.append(r)
        if len(out) == limit:
            break
    return out


def _parse(name: object, field: str, g: _Gazetteer) -> tuple[str, str, str | None]:
    """Split ``"Name, CC"``; return the name, its key and the country (or None).

    A two-letter tail that is no known country code is kept as part of the name
    ("Washington, DC").
    """
    if not isinstance(name, str) or not name.strip():
        raise InputError(field, name, _NAME_ALLOWED)
    text, country = name.strip(), None
    head, comma, tail = text.rpartition(",")
    code = tail.strip().upper()
    if comma and len(code) == 2 and code.isalpha() and code in g.countries:
        text, country = head.strip(), code
    key = name_key(text)
    if not key:
        raise InputError(field, name, _NAME_ALLOWED)
    return text, key, country


def find_place(name: str, *, field: str = "site") -> Place:
    """Find a place by name in the bundled GeoNames gazetteer.

    Matching ignores case, accents, spaces and punctuation, and accepts any
    script ("Кричев"). Primary GeoNames names are tried first, then alternate
    names. Among several matches the most populous place wins (ties: the lowest
    geonameid), so "Paris" is Paris, France. A country qualifier after a comma
    (ISO 3166-1 alpha-2, any case) restricts the search: "Paris, US".

    Parameters
    ----------
    name : str
        The place name, optionally followed by ``", CC"``.
    field : str, optional
        The input field named in errors, by default ``"site"``.

    Returns
    -------
    Place

    Raises
    ------
    reachmap.errors.InputError
        If ``name`` is empty (or has no letter or digit).
    reachmap.errors.PlaceNotFoundError
        If nothing matches; carries up to 5 suggestions, ``"Name (CC)"``.

    Examples
    --------
    >>> find_place("Krichev").label
    'Krychaw (BY)'
    >>> find_place("paris, us").label
    'Paris (US)'
    >>> find_place("Minks")
    Traceback (most recent call last):
    ...
    reachmap.errors.PlaceNotFoundError: site: no place named 'Minks'; expected ... Minsk (BY)...
    """
    g = _gazetteer()
    text, key, country = _parse(name, field, g)
    primary, alt = _exact(g, key, country)
    if primary.size:
        return g.places.row(int(primary[0]))
    if alt.size:
        return g.places.row(int(alt[0]))
    if country is None and "," in text:
        # "Paris, XX" with an unknown code: suggest from the name before the comma.
        key = name_key(text.rpartition(",")[0]) or key
    rows: list[int] = []
    if country is not None:
        # "Paris, DE": the same name in other countries first, then close names in DE.
        elsewhere = np.concatenate(_exact(g, key, None))
        rows.extend(elsewhere[:3].tolist())
    rows.extend(_fuzzy(key, country, 10))
    labels: list[str] = []
    for r in rows:
        label = g.places.row(r).label
        if label not in labels:
            labels.append(label)
    raise PlaceNotFoundError(field, name, labels[:5])


def search_places(name: str, *, limit: int = 10) -> list[Place]:
    """Return the places that best match a name: exact matches first, then close ones.

    Exact matches (ignoring case, accents and punctuation) come first: places
    whose primary name matches, then places with a matching alternate name,
    each group most populous first. Fuzzy matches (typos) fill the rest, by
    similarity with a small preference for populous places. A ``", CC"``
    qualifier restricts the search to one country, as in :func:`find_place`.

    Parameters
    ----------
    name : str
        The place name, optionally followed by ``", CC"``.
    limit : int, optional
        The most places to return (1 or more), by default 10.

    Returns
    -------
    list of Place
        Possibly empty.

    Raises
    ------
    reachmap.errors.InputError
        If ``name`` is empty or ``limit`` is below 1.

    Examples
    --------
    >>> [p.label for p in search_places("Paris", limit=3)]
    ['Paris (FR)', 'Paris (US)', 'Paris (CA)']
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InputError("limit", limit, "an integer of 1 or more")
    g = _gazetteer()
    _, key, country = _parse(name, "name", g)
    primary, alt = _exact(g, key, country)
    rows = [*primary.tolist(), *alt.tolist()][:limit]
    if len(rows) < limit:
        for r in _fuzzy(key, country, limit):
            if r not in rows:
                rows.append(r)
            if len(rows) == limit:
                break
    return [g.places.row(r) for r in rows]
