"""The gazetteer's name index: a SQLite file built once from the bundled places.

SQLite because it is in the standard library and answers an indexed lookup from a
file without reading the file into memory.

:mod:`reachmap.world.gazetteer` looks names up here instead of loading the places
table (pyarrow, numpy) and a million alternate names in every process. The file holds
the places, the :func:`~reachmap.world.names.name_key` of every primary and alternate
name with the places it names, and the fuzzy-search choices with postings per
character (the schema is in :mod:`reachmap.world._nameindex_build`).

It is built on first use (several seconds, with numpy and pyarrow) into the cache
directory (:func:`cache_dir`) under a name that holds a hash of the files it is built
from (the bundled places and names, and the code that derives keys and the index),
written to a temporary file and renamed into place, so that processes building at once
(pytest-xdist) never see half a file; a lock lets one build while the others wait. A
stamp file keyed by the paths, sizes and modification times of those files remembers
the hash, so that a lookup need not read and hash 9 MB of data. Building an index
removes the index files that nobody has used for :data:`STALE_AFTER_S` (30 days). A
lookup imports only the standard library (and rapidfuzz for fuzzy matches).
"""

from __future__ import annotations

import _thread
import contextlib
import functools
import os
import sqlite3
import time
import unicodedata
import warnings
import zlib
from array import array
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from reachmap.world.place import Place

if TYPE_CHECKING:
    from pathlib import Path

__all__: list[str] = []

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: The files the index is derived from: the bundled data, the key function, the build.
_SOURCES = (
    ("data", "places.parquet"),
    ("data", "place_names.parquet"),
    ("world", "names.py"),
    ("world", "_unicode_delta.py"),
    ("world", "_nameindex_build.py"),
)
_PLACE_COLUMNS = "row, geonameid, name, lat, lon, country, population, is_capital"


# --------------------------------------------------------------------------- where


def cache_dir() -> Path:
    """Return the directory of reachmap's caches.

    Returns
    -------
    pathlib.Path
        ``$REACHMAP_CACHE_DIR`` if set, else ``platformdirs.user_cache_dir("reachmap")``.
    """
    from pathlib import Path

    return Path(_cache_dir())


def _cache_dir() -> str:
    env = os.environ.get("REACHMAP_CACHE_DIR")
    if env:
        return env
    import platformdirs

    return str(platformdirs.user_cache_dir("reachmap"))


def _source_bytes(parts: tuple[str, str]) -> bytes:
    from importlib import resources

    return resources.files("reachmap").joinpath(*parts).read_bytes()


def _content_hash() -> str:
    """Hash of the source files' bytes and of Python's Unicode version (16 hex digits)."""
    import hashlib

    h = hashlib.sha256(f"gazetteer; unicodedata {unicodedata.unidata_version}".encode())
    for parts in _SOURCES:
        data = _source_bytes(parts)
        h.update(f"{'/'.join(parts)} {len(data)}\n".encode())
        h.update(data)
    return h.hexdigest()[:16]


def _signature() -> str | None:
    """Paths, sizes and modification times of the sources; None if they are no files."""
    fields = [f"unicodedata {unicodedata.unidata_version}"]
    for parts in _SOURCES:
        path = os.path.join(_PACKAGE, *parts)
        try:
            st = os.stat(path)
        except OSError:
            return None  # not a plain directory (a zip?): hash the contents each time
        fields.append(f"{path} {st.st_size} {st.st_mtime_ns}")
    return "; ".join(fields)


def data_hash(directory: str | os.PathLike[str]) -> str:
    """Return the hash of the files the index is built from (16 hex digits).

    The hash is of their contents; a stamp file in ``directory``, keyed by their paths,
    sizes and modification times, remembers it between processes.

    Parameters
    ----------
    directory : str or path-like
        The cache directory.

    Returns
    -------
    str
    """
    signature = _signature()
    if signature is None:
        return _content_hash()
    name = f"gazetteer-stamp-{zlib.crc32(signature.encode()):08x}.txt"
    stamp = os.path.join(os.fspath(directory), name)
    with contextlib.suppress(OSError, ValueError), open(stamp, encoding="utf-8") as f:
        recorded, digest = f.read().split("\n")[:2]
        if recorded == signature and len(digest) == 16:
            return digest
    digest = _content_hash()
    with contextlib.suppress(OSError):
        from reachmap.world._nameindex_build import write_atomically

        def write(tmp: str) -> None:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(f"{signature}\n{digest}\n")

        write_atomically(stamp, write)
    return digest


# --------------------------------------------------------------------------- reading


def _uri(path: str) -> str:
    """Return a read-only, immutable SQLite URI for the file ``path``."""
    path = os.path.abspath(path).replace(os.sep, "/")
    if not path.startswith("/"):
        path = "/" + path  # Windows: file:///C:/...
    for char, code in (("%", "%25"), ("?", "%3f"), ("#", "%23")):
        path = path.replace(char, code)
    return f"file://{path}?mode=ro&immutable=1"


#: An index file not used for this long (seconds) is removed when another is built.
STALE_AFTER_S = 30 * 86400


def _open(path: str | os.PathLike[str], digest: str) -> sqlite3.Connection | None:
    """Open the index read-only, or return None if it is missing, unreadable or stale.

    Marks the file as used (its modification time, at most once a day), so that
    building another index removes only files that nobody has used for a while.
    """
    path = os.fspath(path)
    try:
        used = os.stat(path).st_mtime
    except OSError:
        return None
    conn = None
    try:
        conn = sqlite3.connect(_uri(path), uri=True, check_same_thread=False)
        found = conn.execute("SELECT value FROM meta WHERE key = 'hash'").fetchall()
        if found == [(digest,)]:
            if time.time() - used > 86400:
                with contextlib.suppress(OSError):
                    os.utime(path)
            return conn
    except sqlite3.DatabaseError:
        pass
    if conn is not None:
        conn.close()
    return None


class NameIndex:
    """Read access to the name index (thread-safe: one connection, one lock).

    Parameters
    ----------
    conn : sqlite3.Connection
        An open index.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._lock = _thread.allocate_lock()

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    @functools.cached_property
    def countries(self) -> frozenset[str]:
        """The ISO 3166-1 alpha-2 codes of the countries that have places."""
        (value,) = self._query("SELECT value FROM blob WHERE key = 'countries'")[0]
        return frozenset(bytes(value).decode().split())

    @functools.cached_property
    def bonus(self) -> array[float]:
        """The fuzzy ranking bonus of each place row (see the gazetteer)."""
        (value,) = self._query("SELECT value FROM blob WHERE key = 'bonus'")[0]
        out = array("d")
        out.frombytes(value)
        return out

    def exact(self, key: str, country: str | None, limit: int) -> list[tuple[int, Place]]:
        """Places with a name of key ``key``: primary names first, then alternate names.

        Each group is sorted by population, largest first (ties: lowest geonameid).

        Parameters
        ----------
        key : str
            A :func:`~reachmap.world.names.name_key`.
        country : str or None
            Only places of this ISO 3166-1 alpha-2 code, or of any country.
        limit : int
            The most places to return.

        Returns
        -------
        list of (int, Place)
            The row of each place (as in :func:`reachmap.world.tables.load_places`)
            and the place.
        """
        where = "k.key = ?" + ("" if country is None else " AND p.country = ?")
        params = [key] if country is None else [key, country]
        found = self._query(
            f"SELECT p.{_PLACE_COLUMNS.replace(', ', ', p.')} FROM name_key k "
            f"JOIN place p ON p.row = k.row WHERE {where} "
            "ORDER BY k.is_primary DESC, p.population DESC, p.geonameid LIMIT ?",
            [*params, limit],
        )
        return [(r[0], _place(r)) for r in found]

    def exact_rows(self, key: str, country: str | None) -> tuple[list[int], list[int]]:
        """Return the rows of the places with a name of key ``key``, as :meth:`exact` orders them.

        Parameters
        ----------
        key : str
            A :func:`~reachmap.world.names.name_key`.
        country : str or None
            Only places of this ISO 3166-1 alpha-2 code, or of any country.

        Returns
        -------
        primary, alternate : list of int
            The rows of the places whose primary name has that key, and of the others.
        """
        where = "k.key = ?" + ("" if country is None else " AND p.country = ?")
        found = self._query(
            f"SELECT p.row, k.is_primary FROM name_key k JOIN place p ON p.row = k.row "
            f"WHERE {where} ORDER BY k.is_primary DESC, p.population DESC, p.geonameid",
            [key] if country is None else [key, country],
        )
        return [r for r, p in found if p], [r for r, p in found if not p]

    def place(self, row: int) -> Place:
        """Return the place of row ``row``.

        Parameters
        ----------
        row : int
            A row of :func:`reachmap.world.tables.load_places`.

        Returns
        -------
        Place
        """
        return _place(self._query(f"SELECT {_PLACE_COLUMNS} FROM place WHERE row = ?", [row])[0])

    @functools.cache  # noqa: B019 - one index per process, kept for its life
    def lengths(self, scope: str) -> tuple[int, ...]:
        """Return the key lengths of the fuzzy buckets of ``scope``.

        Parameters
        ----------
        scope : str
            ``""`` for all places, or an ISO 3166-1 alpha-2 code.

        Returns
        -------
        tuple of int
            Lengths in code points, ascending; empty for an unknown scope.
        """
        found = self._query("SELECT length FROM bucket WHERE scope = ? ORDER BY length", [scope])
        return tuple(n for (n,) in found)

    @functools.lru_cache(maxsize=1024)  # noqa: B019 - one index per process, kept for its life
    def bucket(self, scope: str, length: int) -> tuple[str, array[int], array[int]]:
        """Return the fuzzy choices of one scope and key length: keys, first positions, places.

        Parameters
        ----------
        scope : str
            ``""`` for all places, or an ISO 3166-1 alpha-2 code.
        length : int
            The key length, in code points (one of :meth:`lengths`).

        Returns
        -------
        keys : str
            The distinct keys, concatenated (key ``j`` is
            ``keys[j * length:(j + 1) * length]``), in the order of their first name
            in ``place_names.parquet``.
        ords : array of int
            The position of each key's first name in ``place_names.parquet``.
        rows : array of int
            The place row of each key: its most populous place (ties: the place of
            the earliest name).
        """
        keys, ords, rows = self._query(
            "SELECT keys, ords, rows FROM bucket WHERE scope = ? AND length = ?", [scope, length]
        )[0]
        ord_array, row_array = array("i"), array("i")
        ord_array.frombytes(ords)
        row_array.frombytes(rows)
        return keys, ord_array, row_array

    @functools.cache  # noqa: B019 - one index per process, kept for its life
    def has_postings(self, scope: str, length: int) -> bool:
        """Tell whether the bucket of ``scope`` and ``length`` has postings (:meth:`holding`).

        Parameters
        ----------
        scope : str
            ``""`` for all places, or an ISO 3166-1 alpha-2 code.
        length : int
            The key length, in code points.

        Returns
        -------
        bool
        """
        found = self._query(
            "SELECT indexed FROM bucket WHERE scope = ? AND length = ?", [scope, length]
        )
        return bool(found and found[0][0])

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one index per process, kept for its life
    def holding(self, scope: str, length: int, ch: str, times: int) -> int:
        """Return the keys of a bucket holding ``ch`` at least ``times`` times, as a bitmap.

        Only for buckets that have postings (:meth:`has_postings`). The most recently
        used 4,096 bitmaps are kept (at most 12 kB each).

        Parameters
        ----------
        scope : str
            ``""`` for all places, or an ISO 3166-1 alpha-2 code.
        length : int
            The key length, in code points.
        ch : str
            One character (code point).
        times : int
            How many times, at least (1 or more).

        Returns
        -------
        int
            Bit ``j`` is set if key ``j`` of :meth:`bucket` holds ``ch`` at least
            ``times`` times.
        """
        found = self._query(
            "SELECT bitmap, items FROM posting "
            "WHERE scope = ? AND length = ? AND ch = ? AND times = ?",
            [scope, length, ch, times],
        )
        if not found:
            return 0
        bitmap, items = found[0]
        if bitmap:
            return int.from_bytes(items, "little")
        positions = array("i")
        positions.frombytes(items)
        bits = bytearray((len(self.bucket(scope, length)[1]) + 7) // 8)
        for j in positions:
            bits[j >> 3] |= 1 << (j & 7)
        return int.from_bytes(bits, "little")


def _place(r: Sequence[Any]) -> Place:
    return Place(
        geonameid=r[1],
        name=r[2],
        lat=r[3],
        lon=r[4],
        country=r[5],
        population=r[6],
        is_capital=bool(r[7]),
    )


_MEMO: dict[str, NameIndex] = {}
_MEMO_LOCK = _thread.allocate_lock()  # threading.Lock, without importing threading


def name_index() -> NameIndex:
    """Return the name index: opened from the cache, or built there on first use.

    If the cache directory cannot be written, the index is built in memory (with a
    warning) and kept for the life of the process.

    Returns
    -------
    NameIndex
    """
    directory = os.path.abspath(_cache_dir())
    memo = _MEMO.get(directory)
    if memo is not None:
        return memo
    with _MEMO_LOCK:
        memo = _MEMO.get(directory)
        if memo is not None:
            return memo
        digest = data_hash(directory)
        path = os.path.join(directory, f"gazetteer-{digest}.sqlite")
        conn = _open(path, digest)
        if conn is None:
            from reachmap.world import _nameindex_build as build

            try:
                with build.build_lock(path):
                    conn = _open(path, digest)  # another process may have built it
                    if conn is None:
                        build.build_file(path, digest)
                        conn = _open(path, digest)
                        build.remove_stale(directory, path, STALE_AFTER_S)
            except OSError as err:
                warnings.warn(
                    f"could not cache the gazetteer index in {directory}: {err}", stacklevel=3
                )
            if conn is None:
                conn = sqlite3.connect(":memory:", check_same_thread=False)
                build.build(conn, digest)
        index = _MEMO[directory] = NameIndex(conn)
        return index
