"""Regenerate docs/cli.md from the CLI's own --help (run after changing the CLI).

.venv/bin/python scripts/gen_cli_docs.py          # rewrite docs/cli.md
.venv/bin/python scripts/gen_cli_docs.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from reachmap.cli.main import app

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb", "_TYPER_FORCE_DISABLE_TERMINAL": "1"}


def commands() -> list[str]:
    """Every command, sub-commands of groups as "group command"."""
    names = [c.name or c.callback.__name__ for c in app.registered_commands if c.callback]
    for group in app.registered_groups:
        sub = group.typer_instance
        names += [
            f"{group.name} {c.name or c.callback.__name__}"
            for c in sub.registered_commands
            if c.callback
        ]
    return names


def help_text(args: list[str]) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env=ENV, prog_name="reachmap")
    if result.exit_code != 0:
        raise SystemExit(f"--help failed for {args}: {result.output}")
    return "\n".join(line.rstrip() for line in result.output.strip().splitlines())


def render() -> str:
    parts = [
        "# Command-line reference",
        "",
        "Generated from `--help` by `scripts/gen_cli_docs.py`; a test fails when it is stale.",
        "",
        "```",
        help_text([]),
        "```",
    ]
    for name in commands():
        parts += ["", f"## reachmap {name}", "", "```", help_text(name.split()), "```"]
    return "\n".join(parts) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        return 0 if DOC.exists() and DOC.read_text(encoding="utf-8") == text else 1
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    typer.echo(f"{DOC}")  # where it went
    raise SystemExit(main())
