"""The default population grid, derived from the bundled data (an approximation).

Nobody publishes a population grid on a package registry, so reachmap derives one
from what it bundles (:mod:`reachmap.world.tables`), dasymetrically:

1. every GeoNames place with a population puts it in the cell that holds it;
2. the rest of each country's population (the GeoNames country figure minus its
   places) is spread over the country's land cells in proportion to their area.

A cell is land of a country when its centre lies in the country's Natural Earth
polygon. It is an approximation, and every raster says so in its ``description``:
it has the right number of people in every country, the cities in the right
cells, and a uniform density everywhere else.

Rules (each keeps the grid's per-country sums equal to the bundled figures, so that
the world total is the sum of the countries' populations, 7,610,886,654):

* **Shared figures.** A country's figure covers every polygon row whose
  ``counted_in`` is that country (Somalia with Somaliland, Cyprus with N. Cyprus,
  Australia with Ashmore and Cartier): the rest is spread over all their land
  cells, and each row reports the people of its own cells.
* **Places that overlap.** GeoNames lists cities *and* their districts and suburbs,
  so in 52 countries the places add up to more than the country (157.6 million
  people in all: Japan, Germany, Australia, Hong Kong ...). Keeping them would
  count those people twice; their places are scaled down to the country's figure
  (a factor, per country, of figure / places) and nothing is spread there.
* **Territories without a polygon row.** French Guiana, Guadeloupe, Martinique,
  Réunion and Mayotte are in France's figure (see ``PROVENANCE.md``): their places
  count for France. Places of Bonaire, Svalbard, Gibraltar, Tuvalu and Tokelau are
  in no bundled figure and are left out (93,473 people).
* **Places off their country's cells.** A coastal city whose cell centre is sea at
  this resolution, or a border town whose cell centre lies across the border,
  keeps its people in its own cell and they are attributed to its country (the
  place's ISO code); a cell can therefore hold people of two countries.
* **Countries without a land cell** (small islands at 2.5′): the rest of their
  people go to the cell of their capital, or of their largest place, or of a point
  inside their polygon.

Storage: the spread-out population is uniform per country and row, so the grid
is stored as country runs along the rows (:class:`reachmap.coverage.grid.CountryRuns`) with
people per cell for each run, plus the place cells: a few megabytes even at 30″
(933 million cells), never a dense array. Interval sums are two binary searches
per interval end.

Levels: ``"30s"`` (30 arc-seconds, about 1 km at the equator, 43,200 × 21,600)
and ``"2.5m"`` (2.5 arc-minutes, 8,640 × 4,320). Each is built on first use (a
progress bar on stderr), then cached on disk, in ``platformdirs.user_cache_dir
("reachmap")`` or in the directory named by the environment variable
``REACHMAP_CACHE_DIR``, under a name that hashes the bundled data files, the
format version and the GDAL version.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from reachmap.coverage.grid import (
    CountryRuns,
    LatLonGrid,
    _by_country,
    _intervals,
    rasterize_countries,
)
from reachmap.errors import InputError
from reachmap.world.nameindex import cache_dir as world_cache_dir
from reachmap.world.tables import load_countries, load_places

__all__ = [
    "FORMAT_VERSION",
    "LEVELS",
    "DasymetricRaster",
    "build_default_grid",
    "cache_dir",
    "default_grid",
]

#: Cell sizes of the default grid, in arc-seconds, by level name.
LEVELS: dict[str, float] = {"30s": 30.0, "2.5m": 150.0}

#: Version of the cache file format and of the derivation rules; bump on change.
FORMAT_VERSION = 1

#: Territories without a polygon row whose people GeoNames counts in another
#: country's figure (PROVENANCE.md: "GeoNames' France population already includes them").
_COUNTED_IN_PARENT = {"GF": "FR", "GP": "FR", "MQ": "FR", "RE": "FR", "YT": "FR"}

_DATA_FILES = ("countries.parquet", "places.parquet")


class DasymetricRaster:
    """A population raster stored as country runs plus place cells.

    Implements :class:`reachmap.coverage.grid.PopulationRaster`. The people of a cell are
    ``run_value`` of the run that holds it (0 outside runs) plus the people of the
    places in it.

    Parameters
    ----------
    grid : LatLonGrid
        The grid.
    description : str
        What the numbers are; says that the grid is an approximation.
    country_runs : CountryRuns
        Country of the cells.
    run_value : numpy.ndarray of float64
        People per cell of each run.
    point_keys : numpy.ndarray of int64
        ``row * ncols + col`` of the place cells, ascending (a key may repeat, once
        per country with people in that cell).
    point_people : numpy.ndarray of float64
        People at each point.
    point_country : numpy.ndarray of int16
        Country row the point's people are attributed to.
    """

    def __init__(
        self,
        grid: LatLonGrid,
        description: str,
        country_runs: CountryRuns,
        run_value: np.ndarray,
        point_keys: np.ndarray,
        point_people: np.ndarray,
        point_country: np.ndarray,
    ) -> None:
        self.grid = grid
        self.description = description
        self.country_runs = country_runs
        self.run_value = np.asarray(run_value, dtype=np.float64)
        self.point_keys = np.asarray(point_keys, dtype=np.int64)
        self.point_people = np.asarray(point_people, dtype=np.float64)
        self.point_country = np.asarray(point_country, dtype=np.int16)
        lengths = (country_runs.stops - country_runs.starts).astype(np.float64)
        self._run_cum = np.concatenate([[0.0], np.cumsum(lengths * self.run_value)])
        self._point_cum = np.concatenate([[0.0], np.cumsum(self.point_people)])
        self._row_area = grid.row_cell_area_km2()

    def _prefix_at(self, keys: np.ndarray) -> np.ndarray:
        """People in all cells before each key (``row * ncols + col``), in key order."""
        places = self._point_cum[np.searchsorted(self.point_keys, keys, side="left")]
        runs = self.country_runs
        if len(runs) == 0:
            return places
        j = np.searchsorted(runs.start_keys, keys, side="right") - 1
        jj = np.maximum(j, 0)
        inside = np.clip(keys - runs.start_keys[jj], 0, runs.stop_keys[jj] - runs.start_keys[jj])
        spread = np.where(j >= 0, self._run_cum[jj] + inside * self.run_value[jj], 0.0)
        return spread + places

    def interval_sums(self, rows: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
        """Return the population in each interval (people, float64).

        See :class:`reachmap.coverage.grid.PopulationRaster`.
        """
        r, a, b = _intervals(self.grid, rows, starts, stops)
        base = r * self.grid.ncols
        return self._prefix_at(base + b) - self._prefix_at(base + a)

    def interval_sums_by_country(
        self, rows: np.ndarray, starts: np.ndarray, stops: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the population of all intervals by country (``-1``: no country).

        See :class:`reachmap.coverage.grid.PopulationRaster`.
        """
        r, a, b = _intervals(self.grid, rows, starts, stops)
        runs = self.country_runs
        interval, run, lo, hi = runs.overlaps(r, a, b)
        spread = (hi - lo) * self.run_value[run]
        base = r * self.grid.ncols
        p0 = np.searchsorted(self.point_keys, base + a, side="left")
        p1 = np.searchsorted(self.point_keys, base + b, side="left")
        count = p1 - p0
        first = np.cumsum(count) - count
        owner = np.repeat(np.arange(r.size), count)
        point = p0[owner] + (np.arange(owner.size) - first[owner])
        land_cells = np.bincount(interval, weights=hi - lo, minlength=r.size)
        sea = np.flatnonzero((b - a) > land_cells)  # report sea (0 people) where it is met
        country = np.concatenate(
            [runs.country[run].astype(np.int64), self.point_country[point], np.full(sea.size, -1)]
        )
        people = np.concatenate([spread, self.point_people[point], np.zeros(sea.size)])
        keep = np.concatenate([hi > lo, np.ones(point.size + sea.size, dtype=bool)])
        return _by_country(country[keep], people[keep])

    def interval_areas_by_country(
        self, rows: np.ndarray, starts: np.ndarray, stops: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the area of all intervals by country (``-1``: no country), in km².

        See :class:`reachmap.coverage.grid.PopulationRaster`.
        """
        r, a, b = _intervals(self.grid, rows, starts, stops)
        return self.country_runs.areas_by_country(self._row_area, r, a, b)

    def read_rows(self, row0: int, row1: int) -> np.ndarray:
        """Return the people per cell of rows ``[row0, row1)``, dense, float64.

        For checks and oracles: at 30″ one row is 43,200 cells (346 kB).
        """
        ncols = self.grid.ncols
        row0, row1 = max(0, row0), min(self.grid.nrows, row1)
        out = np.zeros(max(row1 - row0, 0) * ncols, dtype=np.float64)
        runs = self.country_runs
        k0, k1 = row0 * ncols, row1 * ncols
        j0, j1 = np.searchsorted(runs.start_keys, [k0, k1], side="left")
        lengths = runs.stop_keys[j0:j1] - runs.start_keys[j0:j1]
        first = np.cumsum(lengths) - lengths
        idx = np.repeat(runs.start_keys[j0:j1] - k0 - first, lengths) + np.arange(lengths.sum())
        out[idx] = np.repeat(self.run_value[j0:j1], lengths)
        p0, p1 = np.searchsorted(self.point_keys, [k0, k1], side="left")
        np.add.at(out, self.point_keys[p0:p1] - k0, self.point_people[p0:p1])
        return out.reshape(max(row1 - row0, 0), ncols)


# --------------------------------------------------------------------------- building


def _describe(level: str) -> str:
    return (
        f"reachmap default grid ({level}): dasymetric estimate from GeoNames places and "
        "country totals (an approximation)"
    )


def build_default_grid(
    arcsec: float, *, description: str | None = None, progress: bool = True
) -> DasymetricRaster:
    """Derive the default population grid from the bundled data (no cache).

    Parameters
    ----------
    arcsec : float
        Cell size in arc-seconds (30 for the ``"30s"`` level, 150 for ``"2.5m"``).
    description : str, optional
        The raster's description; by default one that says it is an approximation.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    DasymetricRaster
    """
    grid = LatLonGrid.global_grid(arcsec)
    label = f"{arcsec / 60:g}′" if arcsec >= 60 else f"{arcsec:g}″"
    with _progress(progress, label) as tick:
        runs = rasterize_countries(grid, progress=lambda done, total: tick(0.8 * done / total))
        raster = _derive(grid, runs, description or _describe(label))
        tick(1.0)
    return raster


@contextlib.contextmanager
def _progress(show: bool, label: str) -> Iterator[Any]:
    if not show:
        yield lambda fraction: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    with bar:
        task = bar.add_task(
            f"Building the {label} population grid (first use; then cached)", total=1.0
        )
        yield lambda fraction: bar.update(task, completed=fraction)


def _derive(grid: LatLonGrid, runs: CountryRuns, description: str) -> DasymetricRaster:
    """Apply the dasymetric rules of the module docstring to given country runs."""
    countries = load_countries()
    places = load_places()
    row_area = grid.row_cell_area_km2()

    # Groups: the countries whose figure covers one or more polygon rows.
    codes = sorted({str(c) for c in countries.counted_in if c})
    group_of_code = {c: g for g, c in enumerate(codes)}
    row_group = np.array([group_of_code.get(str(c), -1) for c in countries.counted_in])
    main_row = np.array([countries.index_of(c) for c in codes], dtype=np.int64)
    ng = len(codes)
    people = np.bincount(row_group[row_group >= 0], countries.population[row_group >= 0], ng)

    # Places: their group, cell and attributed country row.
    code = np.array([_COUNTED_IN_PARENT.get(str(c), str(c)) for c in places.country])
    group = np.array([group_of_code.get(c, -1) for c in code], dtype=np.int64)
    use = (places.population > 0) & (group >= 0)
    group = group[use]
    pr, pc = grid.cell_of(lat=places.lat[use], lon=places.lon[use])
    if (pr < 0).any():
        raise ValueError("a bundled place lies outside the global grid")
    cell_row = runs.country_at(pr, pc)
    own = (cell_row >= 0) & (row_group[np.maximum(cell_row, 0)] == group)
    attributed = np.where(own, cell_row, main_row[group])
    in_places = np.bincount(group, places.population[use], ng)
    scale = np.where(in_places > people, people / np.maximum(in_places, 1), 1.0)
    point_people = places.population[use] * scale[group]
    rest = np.maximum(people - in_places, 0.0)

    # Spread the rest over the land cells, in proportion to cell area.
    lengths = (runs.stops - runs.starts).astype(np.float64)
    run_group = row_group[runs.country]
    run_area = lengths * row_area[runs.rows]
    land = np.bincount(run_group[run_group >= 0], run_area[run_group >= 0], ng)
    density = np.divide(rest, land, out=np.zeros(ng), where=land > 0)  # people per km²
    run_value = np.where(run_group >= 0, density[run_group], 0.0) * row_area[runs.rows]

    keys = pr * grid.ncols + pc
    extra_keys, extra_people, extra_rows = [], [], []
    for g in np.flatnonzero((land <= 0) & (rest > 0)):
        extra_keys.append(_fallback_key(grid, int(main_row[g]), codes[g]))
        extra_people.append(rest[g])
        extra_rows.append(main_row[g])
    keys = np.concatenate([keys, np.asarray(extra_keys, dtype=np.int64)])
    point_people = np.concatenate([point_people, np.asarray(extra_people, dtype=np.float64)])
    attributed = np.concatenate([attributed, np.asarray(extra_rows, dtype=np.int64)])

    # One point per (cell, country), sorted by cell.
    pair = keys * 65536 + attributed
    uniq, inverse = np.unique(pair, return_inverse=True)
    summed = np.bincount(inverse, point_people, uniq.size)
    return DasymetricRaster(
        grid,
        description,
        runs,
        run_value,
        uniq // 65536,
        summed,
        (uniq % 65536).astype(np.int16),
    )


def _fallback_key(grid: LatLonGrid, row: int, code: str) -> int:
    """Cell key for a country without land cells: capital, largest place, or polygon."""
    places = load_places()
    mine = np.flatnonzero(places.country == code)
    if mine.size:
        caps = mine[places.is_capital[mine]]
        pick = caps[0] if caps.size else mine[np.argmax(places.population[mine])]
        lat, lon = places.lat[pick], places.lon[pick]
    else:
        pt = shapely.point_on_surface(load_countries().geometry[row])
        lat, lon = pt.y, pt.x
    r, c = grid.cell_of(lat=np.array([lat]), lon=np.array([lon]))
    return int(r[0] * grid.ncols + c[0])


# --------------------------------------------------------------------------- caching


def cache_dir() -> Path:
    """Directory of the cached grids: ``$REACHMAP_CACHE_DIR`` or the user cache dir.

    The same directory as the gazetteer's name index (:func:`reachmap.world.nameindex.cache_dir`).
    """
    return world_cache_dir()


@functools.cache
def _data_hash() -> str:
    import rasterio

    h = hashlib.sha256(f"format {FORMAT_VERSION}; gdal {rasterio.__gdal_version__}".encode())
    for name in _DATA_FILES:
        h.update(resources.files("reachmap").joinpath("data", name).read_bytes())
    return h.hexdigest()[:16]


def _save(path: Path, raster: DasymetricRaster, meta: dict[str, Any]) -> None:
    """Write the raster to ``path`` atomically (a temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    runs = raster.country_runs
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(
                f,
                meta=np.array(json.dumps(meta)),
                rows=runs.rows,
                starts=runs.starts,
                stops=runs.stops,
                country=runs.country,
                run_value=raster.run_value,
                point_keys=raster.point_keys,
                point_people=raster.point_people,
                point_country=raster.point_country,
            )
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _load(path: Path, meta: dict[str, Any]) -> DasymetricRaster | None:
    """Read a cached raster, or ``None`` if it is missing, unreadable or stale."""
    try:
        with np.load(path, allow_pickle=False) as z:
            if json.loads(str(z["meta"])) != meta:
                return None
            grid = LatLonGrid(**meta["grid"])
            runs = CountryRuns(grid.ncols, z["rows"], z["starts"], z["stops"], z["country"])
            return DasymetricRaster(
                grid,
                meta["description"],
                runs,
                z["run_value"],
                z["point_keys"],
                z["point_people"],
                z["point_country"],
            )
    except (OSError, ValueError, KeyError, TypeError):
        return None


_MEMO: dict[tuple[str, Path], DasymetricRaster] = {}


def _cached_grid(level: str, directory: Path, progress: bool) -> DasymetricRaster:
    """Return the grid of ``level`` from memory, or ``directory``, or build and save it."""
    memo = _MEMO.get((level, directory))
    if memo is not None:
        return memo
    grid = LatLonGrid.global_grid(LEVELS[level])
    meta = {
        "format": FORMAT_VERSION,
        "data": _data_hash(),
        "level": level,
        "description": _describe(level),
        "grid": {f: getattr(grid, f) for f in grid.__dataclass_fields__},
    }
    path = directory / f"popgrid-{level}-{meta['data']}.npz"
    raster = _load(path, meta)
    if raster is None:
        raster = build_default_grid(LEVELS[level], description=_describe(level), progress=progress)
        try:
            _save(path, raster, meta)
        except OSError as err:
            warnings.warn(
                f"could not cache the population grid in {directory}: {err}", stacklevel=3
            )
    _MEMO[(level, directory)] = raster
    return raster


def default_grid(level: str = "30s", *, progress: bool = True) -> DasymetricRaster:
    """Return the default population grid: built on first use, then read from the cache.

    Parameters
    ----------
    level : {"30s", "2.5m"}
        30 arc-seconds (about 1 km; builds in a few seconds) or 2.5 arc-minutes.
    progress : bool
        Show a progress bar on stderr while building.

    Returns
    -------
    DasymetricRaster
        Kept in memory for the rest of the process.

    Raises
    ------
    reachmap.errors.InputError
        If ``level`` is not one of :data:`LEVELS`.
    """
    if level not in LEVELS:
        raise InputError("population level", level, "one of " + ", ".join(map(repr, LEVELS)))
    return _cached_grid(level, cache_dir().resolve(), progress)
