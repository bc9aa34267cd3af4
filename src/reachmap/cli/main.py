"""The ``reachmap`` command line: the entry point, and every command registered in order.

Each command lives in the module of its family (:mod:`~reachmap.cli.reach`,
:mod:`~reachmap.cli.documents`, :mod:`~reachmap.cli.rules`, :mod:`~reachmap.cli.serve`,
:mod:`~reachmap.cli.tiers`) and imports the core it needs when it runs, so ``reachmap
--help`` loads typer and rich and nothing else. Every input is checked before anything
is computed or written; a bad input prints one line naming the field and what is allowed,
and exits with code 2.
"""

from __future__ import annotations

import sys

import typer
from typer.exceptions import TyperException

# Importing a command module registers its commands on ``app``, in this order in --help.
from reachmap.cli import documents, reach, rules, serve, tiers  # noqa: F401
from reachmap.cli.app import app, err_console

__all__ = ["app", "main_entry"]

app.command("sweep")(tiers.sweep)


def main_entry() -> None:
    """Run the CLI; usage errors (unknown option, bad option type) print one line, exit 2."""
    try:
        code = app(prog_name="reachmap", standalone_mode=False)
    except typer.Abort:
        err_console.print("aborted", highlight=False)
        sys.exit(1)
    except TyperException as err:  # typer's usage errors (click's, vendored)
        message = err.format_message()
        if message:  # (no arguments at all: the help was printed, nothing to add)
            err_console.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(getattr(err, "exit_code", 2))
    sys.exit(code if isinstance(code, int) else 0)
