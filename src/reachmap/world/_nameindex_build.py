"""Building the gazetteer's name index (see :mod:`reachmap.world.nameindex`).

Uses numpy and pyarrow (through :mod:`reachmap.world.tables`); imported only when the
index is built, so that lookups load neither. The SQLite schema:

* ``meta`` (key, value): ``hash``, the hash of the sources the file was built from;
* ``place`` (row, geonameid, name, lat, lon, country, population, is_capital): one row
  per place, numbered as the rows of :func:`reachmap.world.tables.load_places`;
* ``name_key`` (key, row, is_primary): the :func:`~reachmap.world.names.name_key` of
  every primary and alternate name with the place it names, once per pair, and
  whether it is the key of the place's primary name;
* ``bucket`` (scope, length, keys, ords, rows, indexed): per scope ("" for all places,
  or a country code) and key length, the fuzzy choices: the distinct keys, concatenated
  (all have the same length), in the order of their first name in
  ``place_names.parquet``; that first position and the most populous place of each
  (native int32 arrays); and whether the bucket has postings (at least
  :data:`POSTING_MIN_KEYS` keys);
* ``posting`` (scope, length, ch, times, bitmap, items): the keys of a bucket holding
  character ``ch`` at least ``times`` times, as a little-endian bitmap or as native
  int32 positions;
* ``blob`` (key, value): ``bonus``, the fuzzy ranking bonus of every place (float64),
  and ``countries``, the country codes that have places.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reachmap.world.names import name_key
from reachmap.world.tables import load_places, read_data

__all__: list[str] = []

#: Version of the file layout and of how it is derived (this file's source is hashed
#: too, so any change here makes a new file).
FORMAT_VERSION = 1
#: Buckets with fewer keys than this get no postings (scanning them is as fast).
POSTING_MIN_KEYS = 1000
#: Weight of log10(population) in the fuzzy ranking: a place 1,000 times more
#: populous gains 0.02, less than one typo in a ten-letter name (0.1).
POPULATION_WEIGHT = 0.05 / 7.0

_PLACE_COLUMNS = "row, geonameid, name, lat, lon, country, population, is_capital"


_SCHEMA = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE blob (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE place (
    row INTEGER PRIMARY KEY, geonameid INTEGER NOT NULL, name TEXT NOT NULL,
    lat REAL NOT NULL, lon REAL NOT NULL, country TEXT NOT NULL,
    population INTEGER NOT NULL, is_capital INTEGER NOT NULL
);
CREATE TABLE name_key (
    key TEXT NOT NULL, row INTEGER NOT NULL, is_primary INTEGER NOT NULL,
    PRIMARY KEY (key, row)
) WITHOUT ROWID;
CREATE TABLE bucket (
    scope TEXT NOT NULL, length INTEGER NOT NULL, keys TEXT NOT NULL,
    ords BLOB NOT NULL, rows BLOB NOT NULL, indexed INTEGER NOT NULL,
    PRIMARY KEY (scope, length)
);
CREATE TABLE posting (
    scope TEXT NOT NULL, length INTEGER NOT NULL, ch TEXT NOT NULL,
    times INTEGER NOT NULL, bitmap INTEGER NOT NULL, items BLOB NOT NULL,
    PRIMARY KEY (scope, length, ch, times)
);
"""


def build(conn: sqlite3.Connection, digest: str) -> None:
    """Fill an empty database with the index.

    Parameters
    ----------
    conn : sqlite3.Connection
        An empty database.
    digest : str
        The hash of the sources (see :func:`reachmap.world.nameindex.data_hash`),
        recorded in ``meta``.
    """
    places = load_places()
    names = read_data("place_names.parquet")
    rows = np.searchsorted(places.geonameid, names.column("geonameid").to_numpy())
    alt_keys = pa.array([name_key(n) for n in names.column("name").to_pylist()], pa.string())
    primary_keys = pa.array([name_key(str(n)) for n in places.name], pa.string())
    for keys in (alt_keys, primary_keys):
        if pc.min(pc.utf8_length(keys)).as_py() < 1:
            raise ValueError("a bundled name has an empty key")
    conn.executescript(_SCHEMA)
    conn.executemany(
        f"INSERT INTO place ({_PLACE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        zip(
            range(len(places)),
            places.geonameid.tolist(),
            map(str, places.name),
            places.lat.tolist(),
            places.lon.tolist(),
            places.country.tolist(),
            places.population.tolist(),
            places.is_capital.astype(int).tolist(),
            strict=True,
        ),
    )

    # Every (key, place) once, flagged if the key is the place's primary name's.
    pairs = (
        pa.table(
            {
                "key": pa.concat_arrays([primary_keys, alt_keys]),
                "row": np.concatenate([np.arange(len(places)), rows]),
                "is_primary": np.concatenate(
                    [np.ones(len(places), np.int8), np.zeros(len(rows), np.int8)]
                ),
            }
        )
        .group_by(["key", "row"])
        .aggregate([("is_primary", "max")])
        .sort_by([("key", "ascending"), ("row", "ascending")])
    )
    conn.executemany(
        "INSERT INTO name_key (key, row, is_primary) VALUES (?, ?, ?)",
        zip(
            pairs.column("key").to_pylist(),
            pairs.column("row").to_pylist(),
            pairs.column("is_primary_max").to_pylist(),
            strict=True,
        ),
    )

    # Fuzzy choices, as the gazetteer has always made them: per scope (0 for all places,
    # 1 + i for country i) each distinct key, at the position of its first name, with its
    # most populous place (ties: the place of the earliest name).
    encoded = alt_keys.dictionary_encode()
    codes = encoded.indices.to_numpy().astype(np.int64)
    distinct = encoded.dictionary
    lengths = pc.utf8_length(distinct).to_numpy().astype(np.int64)
    n_codes = len(distinct)
    country_codes, country_of = np.unique(places.country.astype(str), return_inverse=True)
    position = np.arange(len(rows))
    group = np.concatenate([codes, (1 + country_of[rows]) * n_codes + codes])
    position2 = np.concatenate([position, position])
    rows2 = np.concatenate([rows, rows])
    order = np.lexsort((position2, -np.concatenate([places.population[rows]] * 2), group))
    group, position2, rows2 = group[order], position2[order], rows2[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    first = np.minimum.reduceat(position2, starts)
    best = rows2[starts]
    scope, code = np.divmod(group[starts], n_codes)
    length = lengths[code]
    order = np.lexsort((first, length, scope))
    scope, code, length, first, best = (
        scope[order],
        code[order],
        length[order],
        first[order],
        best[order],
    )
    bounds = np.flatnonzero(
        np.r_[True, (scope[1:] != scope[:-1]) | (length[1:] != length[:-1]), True]
    )
    scope_names = ["", *country_codes.tolist()]
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        name, size = scope_names[int(scope[a])], int(length[a])
        keys = distinct.take(pa.array(code[a:b])).to_pylist()
        conn.execute(
            "INSERT INTO bucket (scope, length, keys, ords, rows, indexed) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                name,
                size,
                "".join(keys),  # all ``size`` long: key j is [j * size, (j + 1) * size)
                first[a:b].astype(np.int32).tobytes(),
                best[a:b].astype(np.int32).tobytes(),
                int(b - a >= POSTING_MIN_KEYS),
            ),
        )
        if b - a >= POSTING_MIN_KEYS:
            conn.executemany(
                "INSERT INTO posting (scope, length, ch, times, bitmap, items) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                ((name, size, *entry) for entry in _postings(keys, size)),
            )

    # The bonus exactly as the gazetteer has always computed it: numpy's float64 log10.
    bonus = POPULATION_WEIGHT * np.log10(1.0 + places.population)
    conn.executemany(
        "INSERT INTO blob (key, value) VALUES (?, ?)",
        [
            ("bonus", bonus.astype(np.float64).tobytes()),
            ("countries", " ".join(country_codes.tolist()).encode()),
        ],
    )
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("format", str(FORMAT_VERSION)), ("hash", digest)],
    )
    conn.commit()


def _postings(keys: list[str], length: int) -> Iterator[tuple[str, int, int, bytes]]:
    """Per character and count, the keys (all ``length`` long) that hold it that often.

    Yields ``(ch, times, bitmap, items)``: the positions in ``keys`` of the keys holding
    ``ch`` at least ``times`` times, as a little-endian bitmap (``bitmap`` = 1) or as
    native int32 positions (``bitmap`` = 0), whichever is smaller.
    """
    n = len(keys)
    chars = np.sort(
        np.frombuffer("".join(keys).encode("utf-32-le"), dtype="<u4").reshape(n, length), axis=1
    ).ravel()
    index = np.arange(chars.size)
    run = np.r_[True, chars[1:] != chars[:-1]] | (index % length == 0)
    times = index - np.maximum.accumulate(np.where(run, index, 0)) + 1
    key = index // length
    order = np.lexsort((key, times, chars))
    chars, times, key = chars[order], times[order], key[order]
    bounds = np.flatnonzero(
        np.r_[True, (chars[1:] != chars[:-1]) | (times[1:] != times[:-1]), True]
    )
    size = (n + 7) // 8
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        held = key[a:b]
        if size < 4 * held.size:
            mask = np.zeros(n, dtype=bool)
            mask[held] = True
            items = np.packbits(mask, bitorder="little").tobytes()
            yield chr(int(chars[a])), int(times[a]), 1, items
        else:
            yield chr(int(chars[a])), int(times[a]), 0, held.astype(np.int32).tobytes()


def write_atomically(path: str, write: Callable[[str], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``.

    The rename is atomic, so that readers see the old file or the whole new one.

    Parameters
    ----------
    path : str
        The file to write.
    write : callable
        Writes the content into the file named by its argument.
    """
    directory, name = os.path.split(path)
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=name + ".", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def build_file(path: str, digest: str) -> None:
    """Build the index into the file ``path``: a temporary file beside it, then a rename.

    Parameters
    ----------
    path : str
        The index file.
    digest : str
        The hash of the sources, recorded in the file.
    """

    def write(tmp: str) -> None:
        conn = sqlite3.connect(tmp)
        try:
            build(conn, digest)
        finally:
            conn.close()

    write_atomically(path, write)


def remove_stale(directory: str, keep: str, age_s: float) -> None:
    """Remove the other index files of ``directory`` that nobody used for ``age_s`` seconds.

    An index is marked as used by its modification time (see
    :func:`reachmap.world.nameindex._open`); its lock file goes with it. Files that
    cannot be removed are left.

    Parameters
    ----------
    directory : str
        The cache directory.
    keep : str
        The index file to keep.
    age_s : float
        How long unused, in seconds.
    """
    import glob
    import time

    for path in glob.glob(os.path.join(glob.escape(directory), "gazetteer-*.sqlite")):
        with contextlib.suppress(OSError):
            if os.path.samefile(path, keep) or time.time() - os.stat(path).st_mtime < age_s:
                continue
            os.unlink(path)
            os.unlink(path + ".lock")


@contextlib.contextmanager
def build_lock(path: str) -> Iterator[None]:
    """Hold an exclusive lock (on ``path + ".lock"``) while building ``path``.

    Processes that find no index at once then build it once: the others wait and
    find it built. Without ``fcntl`` (Windows) there is no lock; the rename keeps
    concurrent builds safe anyway.

    Parameters
    ----------
    path : str
        The index file.

    Yields
    ------
    None
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".lock", "a") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
