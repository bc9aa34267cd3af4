"""Docs cannot drift: the CLI reference is regenerated from --help and compared."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

import reachmap

ROOT = Path(__file__).resolve().parent.parent


def _gen():
    spec = importlib.util.spec_from_file_location(
        "gen_cli_docs", ROOT / "scripts" / "gen_cli_docs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_up_to_date() -> None:
    gen = _gen()
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == gen.render(), (
        "docs/cli.md is stale: run .venv/bin/python scripts/gen_cli_docs.py"
    )


@pytest.mark.parametrize(
    "command", ["reach", "distance", "place", "report", "classify", "check", "catalog validate"]
)
def test_every_command_is_documented(command: str) -> None:
    assert command in _gen().commands()
    assert f"## reachmap {command}" in (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert f"reachmap {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^bash (scripts/\S+)", text, flags=re.M)
    assert commands[:2] == ["scripts/demo.sh", "scripts/test.sh"]
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_public_names_are_exported() -> None:
    for name in (
        "distance_km",
        "disc",
        "annulus",
        "envelope",
        "parse_range",
        "find_place",
        "reach_points",
        "analyze",
        "ReachmapError",
        "InputError",
    ):
        assert name in reachmap.__all__ and hasattr(reachmap, name)


def test_lazy_report_names_match_their_modules() -> None:
    import importlib

    for module, names in reachmap._LAZY.items():
        assert set(names) == set(importlib.import_module(f"reachmap.{module}").__all__)
        for name in names:
            assert getattr(reachmap, name) is not None
