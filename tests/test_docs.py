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


def test_every_public_name_resolves_to_its_home_module() -> None:
    """Each name in ``reachmap.__all__`` loads, from the module the table says."""
    import importlib

    for module, names in reachmap._EXPORTS.items():
        home = importlib.import_module(f"reachmap.{module}")
        for name in names:
            assert name in home.__all__, f"{name} is not in reachmap.{module}.__all__"
            assert getattr(reachmap, name) is getattr(home, name)
    assert set(reachmap.__all__) == {n for names in reachmap._EXPORTS.values() for n in names}


def test_every_module_all_is_reachable_from_the_package() -> None:
    """No public name of a module is missing from ``reachmap`` (the table cannot drift)."""
    import importlib
    import pkgutil

    # interfaces, the report's own section builder and the shared TOML reader (internal
    # plumbing of regimes and regions) are not library API
    skip = {"reachmap.cli", "reachmap.server", "reachmap.report.tiers", "reachmap.datafile"}
    seen = set()
    for info in pkgutil.walk_packages(reachmap.__path__, "reachmap."):
        if info.ispkg or any(info.name == s or info.name.startswith(s + ".") for s in skip):
            continue
        seen.add(info.name)
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            assert name in reachmap.__all__, f"{info.name}.{name} is not exported by reachmap"
            assert getattr(reachmap, name) is getattr(module, name), f"{info.name}.{name}"
    assert {"reachmap.geo.geodesy", "reachmap.report.export", "reachmap.batch"} <= seen


def test_import_reachmap_loads_no_library_module() -> None:
    """``import reachmap`` is lazy (PEP 562): no submodule, numpy or pyproj is loaded."""
    import subprocess
    import sys

    code = (
        "import sys, reachmap; "
        "print(sorted(m for m in sys.modules if m.startswith('reachmap.') "
        "or m.split('.')[0] in ('numpy', 'pyproj', 'pyarrow', 'matplotlib', 'pydantic')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['reachmap._version']"
