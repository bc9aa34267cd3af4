"""Alembic environment of the scenario store.

:class:`reachmap.server.storage.ScenarioStore` runs the upgrade itself and hands
over its open connection in ``config.attributes["connection"]``. From the
``alembic`` command line, give ``script_location`` (this directory) and
``sqlalchemy.url`` in an ini file; without ``sqlalchemy.url`` the server's
default database (``$REACHMAP_DATABASE_URL`` or the user's SQLite file) is used.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, create_engine, pool

from reachmap.server.storage import _normalize_url, default_database_url, metadata

config = context.config
target_metadata = metadata


def _run(connection: Connection) -> None:
    """Run the migrations over an open connection."""
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    """Run the migrations over the store's connection, or over a new one (command line)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    if config.config_file_name is not None and config.file_config.has_section("loggers"):
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    url = _normalize_url(config.get_main_option("sqlalchemy.url") or default_database_url())
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as new_connection:
            _run(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("reachmap's migrations run online only (without --sql)")
_run_online()
