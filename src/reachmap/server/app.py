"""The FastAPI application: settings, limits, the one error shape, static files.

Routes live in :mod:`reachmap.server.routes` and :mod:`reachmap.server.scenarios`; this
module wires them up with the request-size limit, CORS (off unless origins are given), the
write token, and the error handlers that turn every failure into
``{"error": {"status", "field", "message", "allowed"}}``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from reachmap._version import __version__
from reachmap.errors import InputError
from reachmap.server.schemas import MAX_BODY_BYTES, MAX_SITES

__all__ = ["Settings", "create_app", "error_response"]

log = logging.getLogger("reachmap.server")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Population sources a client may name (never a file path).
POPULATIONS = ("places", "default", "default-2.5m")


@dataclass(frozen=True)
class Settings:
    """How the server runs.

    Attributes
    ----------
    database_url : str or None
        SQLAlchemy URL of the scenario store; None: ``$REACHMAP_DATABASE_URL`` or
        a SQLite file in the user data directory.
    token : str or None
        When set, writes need ``Authorization: Bearer <token>``.
    cors_origins : tuple of str
        Origins allowed to call the API from a browser; empty: CORS off.
    populations : tuple of str
        Population sources clients may ask for (a subset of ``places``,
        ``default``, ``default-2.5m``).
    max_body_bytes : int
        Largest request body accepted.
    max_sites : int
        Most sites a request or a saved scenario may name.
    static_dir : pathlib.Path
        The web page's files.
    """

    database_url: str | None = None
    token: str | None = None
    cors_origins: tuple[str, ...] = ()
    populations: tuple[str, ...] = POPULATIONS
    max_body_bytes: int = MAX_BODY_BYTES
    max_sites: int = MAX_SITES
    static_dir: Path = field(default_factory=lambda: Path(str(files("reachmap.server"))) / "static")

    @classmethod
    def from_env(cls) -> Settings:
        """Read ``REACHMAP_DATABASE_URL``, ``REACHMAP_API_TOKEN`` and ``REACHMAP_CORS_ORIGINS``.

        ``REACHMAP_CORS_ORIGINS`` is a comma-separated list of origins.
        """
        origins = os.environ.get("REACHMAP_CORS_ORIGINS", "")
        return cls(
            database_url=os.environ.get("REACHMAP_DATABASE_URL") or None,
            token=os.environ.get("REACHMAP_API_TOKEN") or None,
            cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        )


def error_response(
    status: int,
    message: str,
    *,
    field: str | None = None,
    allowed: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Build the one JSON error shape of the API."""
    body = {"error": {"status": status, "field": field, "message": message, "allowed": allowed}}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def _loc_field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(x) for x in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    # pydantic names union branches and validators in the location; they are not fields
    parts = [p for p in parts if not p.startswith(("function-", "constrained-"))]
    return ".".join(parts) or "body"


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0]
    field_name = _loc_field(first.get("loc", ()))
    message = str(first.get("msg", "invalid input"))
    message = message.removeprefix("Value error, ")
    if first.get("type") == "json_invalid":
        return error_response(422, f"the body is not valid JSON ({message})", field="body")
    return error_response(
        422, f"{field_name}: {message}", field=field_name, allowed=_allowed(first)
    )


def _allowed(error: Mapping[str, Any]) -> str | None:
    """Say in words what a pydantic constraint allows, when it says."""
    ctx = error.get("ctx") or {}
    if "expected" in ctx:
        return f"one of {ctx['expected']}"
    bounds = [
        f"{word} {ctx[key]}"
        for key, word in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<"))
        if key in ctx
    ]
    if bounds:
        return "a number " + " and ".join(bounds)
    if "max_length" in ctx or "min_length" in ctx:
        lo, hi = ctx.get("min_length", 0), ctx.get("max_length")
        return f"from {lo} to {hi} items or characters" if hi else f"at least {lo}"
    return None


async def _input_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InputError)
    return error_response(422, str(exc), field=exc.field, allowed=exc.allowed)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    if exc.status_code == 400:  # a body FastAPI could not even decode: bad input, like the rest
        return error_response(422, f"the body is not valid JSON ({detail})", field="body")
    if isinstance(detail, dict):
        return error_response(exc.status_code, **detail, headers=exc.headers)
    return error_response(exc.status_code, str(detail), headers=exc.headers)


async def _server_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "internal error (logged on the server)")


class BodyLimit:
    """ASGI middleware: answer 413 to a request body over ``limit`` bytes.

    Checks ``Content-Length`` first, then counts the bytes of the body as they
    arrive, so a chunked upload cannot get past the limit either.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._reject(scope, receive, send)
            return
        # read the whole body first (at most ``limit`` bytes), then replay it
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.limit:
                await self._reject(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413,
            f"request body over {self.limit:,} bytes",
            field="body",
            allowed=f"at most {self.limit:,} bytes",
        )
        await response(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app: API under ``/api/v1``, the page at ``/``, files under ``/static``.

    Parameters
    ----------
    settings : Settings, optional
        Default: :meth:`Settings.from_env`.

    Returns
    -------
    fastapi.FastAPI
    """
    from reachmap.server import routes, scenarios
    from reachmap.server.storage import ScenarioStore, default_database_url

    settings = settings or Settings.from_env()
    unknown = sorted(set(settings.populations) - set(POPULATIONS))
    if unknown:
        raise InputError("populations", ", ".join(unknown), "a subset of " + ", ".join(POPULATIONS))
    app = FastAPI(
        title="reachmap",
        version=__version__,
        summary="What a strategic system can reach from where it is deployed, and who lives "
        "there: exact geodesic reach on WGS84 with sourced data.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = ScenarioStore(settings.database_url or default_database_url())
    app.include_router(routes.router, prefix="/api/v1")
    app.include_router(scenarios.router, prefix="/api/v1")

    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _server_error)

    static = settings.static_dir
    app.mount("/static", StaticFiles(directory=static, check_dir=False), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(static / "index.html", media_type="text/html")

    app.add_middleware(GZipMiddleware, minimum_size=2048)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app
