"""Saved scenarios: immutable, content-addressed JSON documents in SQLite or PostgreSQL.

A scenario is stored once, under the first 24 hex digits of the SHA-256 of its
canonical JSON, and never changed afterwards: saving the same document again
gives the same id. The schema is kept by alembic (``migrations/``) and upgraded
to the newest revision whenever a :class:`ScenarioStore` opens a database.

Examples
--------
>>> canonical_json({"b": [1, 2.5], "a": "Мінск"})
'{"a":"Мінск","b":[1,2.5]}'
>>> scenario_id({"b": [1, 2.5], "a": "Мінск"}) == scenario_id({"a": "Мінск", "b": [1, 2.5]})
True
>>> len(scenario_id({}))
24
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from reachmap.errors import ReachmapError

__all__ = [
    "MIGRATIONS_DIR",
    "ScenarioConflictError",
    "ScenarioStore",
    "canonical_json",
    "default_database_url",
    "metadata",
    "scenario_id",
    "scenarios",
]

#: The alembic script directory (``env.py``, ``versions/``) shipped with the package.
MIGRATIONS_DIR = Path(__file__).parent / "migrations"

#: The tables of the store; ``migrations/env.py`` compares against this.
metadata = MetaData()

#: One row per saved scenario; rows are written once and never updated.
scenarios = Table(
    "scenarios",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

_ID_LENGTH = 24
_ID_PATTERN = re.compile(f"[0-9a-f]{{{_ID_LENGTH}}}")
_SQLITE_BUSY_TIMEOUT_MS = 30_000
# pg_advisory_xact_lock key that serialises schema upgrades ("reachmap" in ASCII, as int64).
_MIGRATION_LOCK_KEY = int.from_bytes(b"reachmap", "big") - 2**63


class ScenarioConflictError(ReachmapError):
    """A different document is already stored under a scenario's id.

    Either two documents share the first 24 hex digits of their SHA-256 (a hash
    collision) or the stored row was changed behind the store's back. Scenarios
    are immutable, so the stored row is never overwritten.

    Parameters
    ----------
    scenario_id : str
        The id both documents map to.
    """

    def __init__(self, scenario_id: str) -> None:
        self.scenario_id = scenario_id
        super().__init__(
            f"scenario {scenario_id}: a different document is already stored under this id "
            "(a hash collision or a tampered row); scenarios are immutable, nothing was written"
        )


def _normalize_url(url: str) -> str:
    """Return *url* with ``postgresql://`` or ``postgres://`` pointing at psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def default_database_url() -> str:
    """Return the database URL the server uses when none is given.

    ``$REACHMAP_DATABASE_URL`` if set, else a SQLite file in the user's data
    directory (which is created). A ``postgresql://`` or ``postgres://`` URL is
    rewritten to ``postgresql+psycopg://`` (the psycopg 3 driver).

    Returns
    -------
    str
        A SQLAlchemy database URL.
    """
    url = os.environ.get("REACHMAP_DATABASE_URL")
    if url:
        return _normalize_url(url)
    directory = Path(platformdirs.user_data_dir("reachmap"))
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / 'reachmap.sqlite3'}"


def canonical_json(document: Mapping[str, Any]) -> str:
    """Return the canonical JSON text of a document: sorted keys, no spaces, UTF-8 as is.

    Parameters
    ----------
    document : Mapping
        A JSON-serialisable mapping.

    Returns
    -------
    str
        The JSON text; equal documents give equal text whatever their key order.

    Raises
    ------
    TypeError
        If the document holds a value JSON cannot represent.
    ValueError
        If the document holds NaN or an infinity (not JSON).
    """
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def scenario_id(document: Mapping[str, Any]) -> str:
    """Return a document's id: the first 24 hex digits of the SHA-256 of its canonical JSON.

    Parameters
    ----------
    document : Mapping
        A JSON-serialisable mapping.

    Returns
    -------
    str
        24 lowercase hexadecimal characters (96 bits).
    """
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()[:_ID_LENGTH]


def _sqlite_engine(url: URL) -> Engine:
    """Create a SQLite engine with durable settings and transactions SQLAlchemy controls."""
    if url.database in (None, "", ":memory:") or (url.database or "").startswith("file::memory:"):
        raise ValueError(
            f"database url: {url.render_as_string()!r} is not allowed; expected a SQLite file "
            "(sqlite:///path/to/file.sqlite3): saved scenarios must outlive the process"
        )
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": _SQLITE_BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own implicit BEGIN is switched off: SQLAlchemy emits BEGIN itself
        # (below), so every transaction, DDL included, is one SQLite transaction.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {_SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Writers take the write lock up front, so two writers wait (busy_timeout) for each
        # other instead of failing when a read lock cannot be upgraded.
        immediate = connection.get_execution_options().get("reachmap_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class ScenarioStore:
    """Saved scenarios in a SQLite file or a PostgreSQL database.

    Opening a store upgrades the database schema to the newest alembic revision;
    on PostgreSQL the upgrade holds an advisory lock and on SQLite the write lock,
    so processes that start at once do not race. Every :meth:`save` is one
    transaction, committed before it returns: a process killed mid-write loses at
    most the scenario it had not yet acknowledged.

    Parameters
    ----------
    url : str
        A SQLAlchemy URL: ``sqlite:///path/to/file.sqlite3`` or
        ``postgresql+psycopg://user:password@host:port/database`` (``postgresql://``
        and ``postgres://`` are read as psycopg 3).

    Raises
    ------
    ValueError
        If the URL is neither a SQLite file nor PostgreSQL.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     store = ScenarioStore(f"sqlite:///{tmp}/scenarios.sqlite3")
    ...     sid, created = store.save({"title": "Minsk", "sites": [{"place": "Minsk"}]})
    ...     again = store.save({"sites": [{"place": "Minsk"}], "title": "Minsk"})
    ...     document = store.get(sid)
    ...     store.close()
    >>> created, again == (sid, False), document["title"]
    (True, True, 'Minsk')
    """

    def __init__(self, url: str) -> None:
        parsed = make_url(_normalize_url(url))
        backend = parsed.get_backend_name()
        if backend == "sqlite":
            self._engine = _sqlite_engine(parsed)
        elif backend == "postgresql":
            self._engine = create_engine(parsed, pool_pre_ping=True)
        else:
            raise ValueError(
                f"database url: backend {backend!r} is not allowed; expected sqlite or postgresql"
            )
        try:
            self._upgrade()
        except BaseException:
            self._engine.dispose()
            raise

    @property
    def backend(self) -> str:
        """The database kind: ``"sqlite"`` or ``"postgresql"``."""
        return self._engine.dialect.name

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """Open one write transaction, committed on success and rolled back on error."""
        with self._engine.connect() as connection:
            connection = connection.execution_options(reachmap_write=True)
            with connection.begin():
                yield connection

    def _upgrade(self) -> None:
        """Upgrade the schema to the newest alembic revision, one process at a time."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        # The value goes through configparser interpolation, where "%" is special.
        config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
        with self._write() as connection:
            if self.backend == "postgresql":
                # Released at commit; a second process waits here, then finds the schema current.
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                )
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def save(self, document: Mapping[str, Any]) -> tuple[str, bool]:
        """Store a scenario document unless it is stored already.

        Parameters
        ----------
        document : Mapping
            The scenario document (the JSON form of a scenario TOML file).

        Returns
        -------
        tuple of (str, bool)
            The scenario's id and whether this call stored it (``False`` when the
            same document was stored before).

        Raises
        ------
        ScenarioConflictError
            If a different document is stored under the same id; nothing is written.
        TypeError, ValueError
            If the document is not JSON (see :func:`canonical_json`).
        """
        body = canonical_json(document)
        sid = hashlib.sha256(body.encode("utf-8")).hexdigest()[:_ID_LENGTH]
        insert = postgresql.insert if self.backend == "postgresql" else sqlite.insert
        statement = (
            insert(scenarios)
            .values(id=sid, body=body, created_at=datetime.now(UTC))
            .on_conflict_do_nothing(index_elements=[scenarios.c.id])
            # SQLAlchemy 2.1 keeps rowcount for UPDATE and DELETE only unless asked.
            .execution_options(preserve_rowcount=True)
        )
        with self._write() as connection:
            if connection.execute(statement).rowcount == 1:
                return sid, True
            stored = connection.execute(
                select(scenarios.c.body).where(scenarios.c.id == sid)
            ).scalar_one()
        if stored != body:
            raise ScenarioConflictError(sid)
        return sid, False

    def get(self, id: str) -> dict[str, Any] | None:
        """Return the scenario document stored under an id.

        Parameters
        ----------
        id : str
            A scenario id (24 lowercase hex digits).

        Returns
        -------
        dict or None
            The document, or ``None`` when no scenario has this id (a string that is
            not an id at all is answered without asking the database).
        """
        if not isinstance(id, str) or _ID_PATTERN.fullmatch(id) is None:
            return None
        with self._engine.connect() as connection:
            body = connection.execute(
                select(scenarios.c.body).where(scenarios.c.id == id)
            ).scalar_one_or_none()
        if body is None:
            return None
        document: dict[str, Any] = json.loads(body)
        return document

    def ping(self) -> bool:
        """Return whether the database answers ``SELECT 1``."""
        try:
            with self._engine.connect() as connection:
                return connection.execute(text("SELECT 1")).scalar_one() == 1
        except SQLAlchemyError:
            return False

    def close(self) -> None:
        """Close the store's database connections."""
        self._engine.dispose()

    def __enter__(self) -> ScenarioStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ScenarioStore({self._engine.url.render_as_string(hide_password=True)!r})"
