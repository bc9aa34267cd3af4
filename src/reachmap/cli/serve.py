"""``reachmap serve`` (the web app) and ``reachmap catalog validate``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reachmap._version import __version__
from reachmap.cli.app import app, err_console, fail, out_console
from reachmap.errors import ReachmapError

__all__ = ['catalog_validate', 'serve']


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="SQLAlchemy URL of the scenario store (default: $REACHMAP_DATABASE_URL, "
            "else a SQLite file in the user data directory); postgresql://… works too.",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="REACHMAP_API_TOKEN",
            help="Writes (saving scenarios) need 'Authorization: Bearer TOKEN'.",
        ),
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(help="Allow browser calls from this origin (repeatable; default: none)."),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Server processes (a reach analysis holds one CPU core).",
        ),
    ] = 1,
) -> None:
    """Serve the web app and the HTTP API (OpenAPI schema at /api/v1/openapi.json)."""
    import os

    try:
        import uvicorn

        from reachmap.server.app import Settings, create_app
    except ImportError as err:
        err_console.print(
            f"error: serve needs the web extra ({err.name} is missing): "
            "pip install 'reachmap[web]'",
            markup=False, highlight=False, soft_wrap=True,
        )  # fmt: skip
        raise typer.Exit(code=2) from None
    from reachmap.server.storage import default_database_url

    settings = Settings.from_env()
    settings = Settings(
        database_url=database_url or settings.database_url or default_database_url(),
        token=token or None,
        cors_origins=tuple(cors_origin or settings.cors_origins),
    )
    try:
        web = create_app(settings)  # checks the settings and migrates the database once
    except ReachmapError as err:
        fail(err)
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    err_console.print(
        f"reachmap {__version__} serving on [bold]{url}[/] "
        f"(API docs {url}api/v1/docs; database {web.state.store.backend}; "
        f"{workers} worker{'s' if workers > 1 else ''}); Ctrl-C stops",
        highlight=False,
        soft_wrap=True,
    )
    if workers == 1:
        uvicorn.run(web, host=host, port=port, log_level="warning")
        return
    web.state.store.close()
    # each worker process builds its own app from the environment (Settings.from_env)
    assert settings.database_url is not None
    os.environ["REACHMAP_DATABASE_URL"] = settings.database_url
    os.environ["REACHMAP_CORS_ORIGINS"] = ",".join(settings.cors_origins)
    if settings.token:
        os.environ["REACHMAP_API_TOKEN"] = settings.token
    else:
        os.environ.pop("REACHMAP_API_TOKEN", None)
    uvicorn.run(
        "reachmap.server.app:create_app", factory=True, host=host, port=port,
        workers=workers, log_level="warning",
    )  # fmt: skip


catalog_app = typer.Typer(help="The sourced catalog of systems, sites, deployments and events.")
app.add_typer(catalog_app, name="catalog")


@catalog_app.command("validate")
def catalog_validate(
    directory: Annotated[
        Path | None, typer.Argument(help="Catalog directory (default: the bundled catalog).")
    ] = None,
) -> None:
    """Check every catalog file; print each problem as file:line: message (exit 1 if any)."""
    from reachmap.catalog.store import validate_catalog

    problems = validate_catalog(directory)
    for p in problems:
        out_console.print(str(p), markup=False, highlight=False)
    if problems:
        err_console.print(f"{len(problems)} problem(s)", highlight=False)
        raise typer.Exit(code=1)
    out_console.print("catalog OK", highlight=False)
