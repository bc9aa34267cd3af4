"""The typer app every command registers on, its consoles and the shared error rules.

A bad input prints one line naming the field and what is allowed (:func:`fail`), and
exits with code 2; nothing is computed or written before every input is checked.
"""

from __future__ import annotations

import datetime
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from reachmap._version import __version__
from reachmap.errors import InputError, ReachmapError

__all__ = ["app", "err_console", "fail", "out_console", "parse_day"]

app = typer.Typer(
    name="reachmap",
    help="What can a strategic system reach from where it is deployed, and who lives there.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out_console = Console(soft_wrap=True)  # one-line results stay one line when piped
err_console = Console(stderr=True)


def fail(err: ReachmapError) -> NoReturn:
    """Print ``error: <message>`` on stderr and exit with code 2."""
    err_console.print(f"error: {err}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _version(value: bool) -> None:
    if value:
        out_console.print(f"reachmap {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Map what a strategic system can reach from where it is deployed, and who lives there."""


def parse_day(text: str) -> datetime.date:
    """Read ``--on`` as an ISO date (YYYY-MM-DD), or fail naming the field."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise InputError("on", text, "a date YYYY-MM-DD") from None
