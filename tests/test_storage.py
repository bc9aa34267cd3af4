"""The scenario store on SQLite and PostgreSQL: ids, immutability, migrations, crash safety.

PostgreSQL runs when ``REACHMAP_TEST_DATABASE_URL`` names a database whose role may
create databases (``bash scripts/postgres.sh`` prints one); every test gets a fresh
database of its own, so xdist workers never share one.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url

import reachmap
from reachmap.server import storage
from reachmap.server.storage import (
    ScenarioConflictError,
    ScenarioStore,
    default_database_url,
)

MIGRATIONS = Path(storage.__file__).parent / "migrations"

#: A scenario document with what JSON round trips get wrong: non-ASCII text, nesting,
#: floats that print long, a large integer, booleans and null.
DOCUMENT: dict[str, Any] = {
    "title": 'Мінск — 東京 ✈ «quotes» "escaped" \\ back\nslash',
    "on": "2024-11-21",
    "population": "places",
    "system": "Oreshnik",
    "sites": [
        {"place": "Minsk"},
        {"lat": 53.90019, "lon": 27.56653, "name": "clicked"},
        {"lat": -0.1, "lon": 179.99999999999997, "name": None},
    ],
    "claims": [{"region": "europe", "expect": True, "tags": [[1, 2.5], [], [{"deep": [0.1]}]]}],
    "extra": {"big": 2**63, "tiny": 5e-324, "neg": -1.5e300, "empty": {}, "flag": False},
}


def expected_id(document: dict[str, Any]) -> str:
    """The id as docs/api.md defines it, computed here without the code under test."""
    canonical = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


def psycopg_url(url: str) -> str:
    """A PostgreSQL URL with the psycopg 3 driver (the test's own rewrite)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'scenarios.sqlite3'}"
        return
    base = os.environ.get("REACHMAP_TEST_DATABASE_URL")
    if not base:
        if os.environ.get("REACHMAP_REQUIRE_POSTGRES") == "1":
            pytest.fail(
                "REACHMAP_REQUIRE_POSTGRES=1 but REACHMAP_TEST_DATABASE_URL is not set; run "
                "`bash scripts/postgres.sh` (as root) and export the URL it prints last"
            )
        pytest.skip("REACHMAP_TEST_DATABASE_URL is not set (bash scripts/postgres.sh prints one)")
    base = psycopg_url(base)
    name = f"reachmap_t_{uuid.uuid4().hex}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def raw(url: str) -> Iterator[Engine]:
    """An engine on the same database, to look at and tamper with rows behind the store."""
    engine = create_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(url: str) -> Iterator[ScenarioStore]:
    with ScenarioStore(url) as opened:
        yield opened


def rows(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text("SELECT id, body FROM scenarios"))]


def test_backend_and_ping(url: str) -> None:
    # postgresql:// (no driver named) must open with psycopg 3, the driver installed.
    short = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with ScenarioStore(short) as store:
        assert store.backend == make_url(url).get_backend_name()
        assert store.ping() is True


def test_round_trip_keeps_the_document(store: ScenarioStore) -> None:
    sid, created = store.save(DOCUMENT)
    assert created is True
    loaded = store.get(sid)
    assert loaded == DOCUMENT
    assert loaded is not None
    assert loaded["title"] == DOCUMENT["title"]
    assert isinstance(loaded["extra"]["tiny"], float) and loaded["extra"]["tiny"] == 5e-324
    assert loaded["extra"]["big"] == 2**63
    assert loaded["sites"][2]["lon"] == 179.99999999999997


def test_same_document_twice_is_stored_once(store: ScenarioStore, raw: Engine) -> None:
    def reverse_keys(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: reverse_keys(value[key]) for key in reversed(list(value))}
        if isinstance(value, list):
            return [reverse_keys(item) for item in value]
        return value

    reordered = reverse_keys(DOCUMENT)
    assert json.dumps(reordered) != json.dumps(DOCUMENT)
    first = store.save(DOCUMENT)
    second = store.save(DOCUMENT)
    third = store.save(reordered)
    assert first == (expected_id(DOCUMENT), True)
    assert second == (expected_id(DOCUMENT), False)
    assert third == (expected_id(DOCUMENT), False)
    assert [row[0] for row in rows(raw)] == [expected_id(DOCUMENT)]


def test_id_is_a_sha256_prefix_of_the_canonical_json(store: ScenarioStore, raw: Engine) -> None:
    document = {"title": "Minsk", "sites": [{"place": "Minsk"}]}
    canonical = '{"sites":[{"place":"Minsk"}],"title":"Minsk"}'  # written out by hand
    want = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]
    sid, _ = store.save(document)
    assert sid == want == expected_id(document)
    assert rows(raw) == [(want, canonical)]
    assert storage.scenario_id(document) == want
    assert storage.canonical_json(document) == canonical
    # Non-ASCII text is hashed as UTF-8, not as \u escapes.
    assert (
        storage.scenario_id({"t": "Мінск"})
        == (hashlib.sha256('{"t":"Мінск"}'.encode()).hexdigest()[:24])
    )


def test_conflicting_stored_body_raises_and_is_not_overwritten(
    store: ScenarioStore, raw: Engine
) -> None:
    sid = expected_id(DOCUMENT)
    tampered = '{"title":"tampered"}'
    with raw.begin() as connection:
        connection.execute(
            text("INSERT INTO scenarios (id, body, created_at) VALUES (:id, :body, :at)"),
            {"id": sid, "body": tampered, "at": "2024-01-01 00:00:00+00:00"},
        )
    with pytest.raises(ScenarioConflictError, match=sid):
        store.save(DOCUMENT)
    assert rows(raw) == [(sid, tampered)]


@contextmanager
def recorded_statements() -> Iterator[list[str]]:
    """Collect the SQL every engine sends to its database while the block runs."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def test_unknown_or_malformed_id_is_none_without_a_query(store: ScenarioStore) -> None:
    sid, _ = store.save(DOCUMENT)
    assert store.get("0" * 24) is None  # well formed, unknown
    malformed = [
        "",
        "xyz",
        "0" * 23,
        "0" * 25,
        "G" * 24,
        sid.upper(),
        sid + "\n",
        " " + sid,
        sid[:-1],
        hashlib.sha256(b"x").hexdigest(),  # a whole sha256, not its 24-digit prefix
        "' OR '1'='1' --",
        "../../etc/passwd",
    ]
    with recorded_statements() as statements:
        for bad in malformed:
            assert store.get(bad) is None, bad
        assert statements == []
        assert store.get(sid) == DOCUMENT
        assert statements  # the listener does see the store's queries


def test_fresh_database_is_at_head_and_reopening_is_a_no_op(url: str, raw: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None

    with ScenarioStore(url) as first:
        sid, _ = first.save(DOCUMENT)
    with raw.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [
            (head,)
        ]
    columns = {column["name"]: column for column in inspect(raw).get_columns("scenarios")}
    assert set(columns) == {"id", "body", "created_at"}
    assert not columns["body"]["nullable"] and not columns["created_at"]["nullable"]
    assert inspect(raw).get_pk_constraint("scenarios")["constrained_columns"] == ["id"]

    with recorded_statements() as statements:
        second = ScenarioStore(url)
    with second:
        assert second.get(sid) == DOCUMENT
        assert second.save(DOCUMENT) == (sid, False)
    changes = [
        statement
        for statement in statements
        if statement.lstrip().upper().startswith(("CREATE", "ALTER", "DROP", "INSERT", "UPDATE"))
    ]
    assert changes == []
    assert any("alembic_version" in statement for statement in statements)  # it did look
    with raw.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [
            (head,)
        ]


def document_number(writer: int, n: int) -> dict[str, Any]:
    """The n-th document a writer saves (WRITER spells the same formula out)."""
    return {"title": f"{writer}/{n}", "n": n, "sites": [{"lat": n / 7}], "pad": "Ж" * 3000}


# Waits for the file argv[2], then opens a store on argv[1] and saves document_number(argv[3],
# 0), (argv[3], 1), ..., printing "writer n id" only once save has returned.
WRITER = """
import pathlib, sys, time
from reachmap.server.storage import ScenarioStore

go, writer = pathlib.Path(sys.argv[2]), int(sys.argv[3])
print("ready", flush=True)
while not go.exists():
    time.sleep(0.001)
store = ScenarioStore(sys.argv[1])
n = 0
while True:
    document = {"title": f"{writer}/{n}", "n": n, "sites": [{"lat": n / 7}], "pad": "Ж" * 3000}
    sid, created = store.save(document)
    print(writer, n, sid, flush=True)
    n += 1
"""


def child_env() -> dict[str, str]:
    """The environment of a child Python that imports this checkout's reachmap."""
    src = str(Path(reachmap.__file__).resolve().parents[1])
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": src + (os.pathsep + path if path else "")}


def test_two_writers_start_at_once_and_killed_mid_write_lose_nothing_acknowledged(
    url: str, tmp_path: Path, raw: Engine
) -> None:
    """Two processes open a fresh database at the same moment (the schema upgrade must not
    race), write concurrently and are SIGKILLed mid-write: every save they acknowledged is
    there afterwards, byte for byte, and the database is intact."""
    helper, go = tmp_path / "writer.py", tmp_path / "go"
    helper.write_text(WRITER, encoding="utf-8")
    writers = [
        subprocess.Popen(
            [sys.executable, str(helper), url, str(go), str(k)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        for k in range(2)
    ]
    lines: queue.Queue[str | None] = queue.Queue()

    def pump(writer: subprocess.Popen[str]) -> None:
        assert writer.stdout is not None
        for line in writer.stdout:
            lines.put(line)
        lines.put(None)  # end of output: the writer is dead

    def next_line(deadline: float) -> str | None:
        return lines.get(timeout=max(0.0, deadline - time.monotonic()))

    readers = [threading.Thread(target=pump, args=(writer,), daemon=True) for writer in writers]
    for reader in readers:
        reader.start()
    acknowledged: dict[tuple[int, int], str] = {}

    def acknowledge(line: str) -> None:
        # only a whole "writer n id" line acknowledges a save (not one cut short by the kill)
        if m := re.fullmatch(r"(\d+) (\d+) ([0-9a-f]{24})\n", line):
            acknowledged[int(m[1]), int(m[2])] = m[3]

    died = False
    try:
        deadline = time.monotonic() + 60
        ready = 0
        while ready < 2 and not died:  # both have imported reachmap
            line = next_line(deadline)
            died = line is None
            ready += line == "ready\n"
        go.touch()  # release them together
        while not died and min(sum(k == w for k, _ in acknowledged) for w in range(2)) < 25:
            line = next_line(deadline)
            if line is None:
                died = True
            else:
                acknowledge(line)
        for writer in writers:
            os.kill(writer.pid, signal.SIGKILL)
    finally:
        for writer in writers:
            writer.kill()  # a no-op when it is dead already
            writer.wait(timeout=30)
    for reader in readers:
        reader.join(timeout=30)
    if died:
        errors = [writer.stderr.read() for writer in writers if writer.stderr is not None]
        pytest.fail(f"a writer died: {errors}")
    while not lines.empty():  # acknowledged before the kill landed
        if (line := lines.get_nowait()) not in (None, "ready\n"):
            acknowledge(line)
    assert [writer.returncode for writer in writers] == [-signal.SIGKILL] * 2

    with ScenarioStore(url) as store:
        for (k, n), sid in acknowledged.items():
            assert sid == expected_id(document_number(k, n))
            assert store.get(sid) == document_number(k, n), (k, n)
        assert store.save({"title": "after the crash"})[1] is True
    with raw.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM scenarios")).scalar_one()
        assert count >= len(acknowledged) + 1
        if raw.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA integrity_check").all() == [("ok",)]
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"


def test_default_database_url_honours_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = {
        "postgresql://u:p@db.example:5433/reach": "postgresql+psycopg://u:p@db.example:5433/reach",
        "postgres://u:p@db.example/reach": "postgresql+psycopg://u:p@db.example/reach",
        "postgresql+psycopg://u@h/d": "postgresql+psycopg://u@h/d",
        "sqlite:////srv/reachmap/scenarios.sqlite3": "sqlite:////srv/reachmap/scenarios.sqlite3",
    }
    for given, want in cases.items():
        monkeypatch.setenv("REACHMAP_DATABASE_URL", given)
        assert default_database_url() == want


def test_default_database_url_is_a_sqlite_file_in_the_user_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("REACHMAP_DATABASE_URL", raising=False)
    data = tmp_path / "data" / "reachmap"
    monkeypatch.setattr(
        storage.platformdirs, "user_data_dir", lambda app: str(tmp_path / "data" / app)
    )
    assert default_database_url() == f"sqlite:///{data}/reachmap.sqlite3"
    assert data.is_dir()


def test_in_memory_sqlite_is_refused() -> None:
    with pytest.raises(ValueError, match="SQLite file"):
        ScenarioStore("sqlite://")
