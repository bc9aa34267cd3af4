"""Catalog validation: every problem in every catalog file, each with its file and line.

:mod:`tomllib` gives no line numbers, so the raw text of each file is scanned to map
every key, table header and array-of-tables element to its line (:class:`_Locator`);
pydantic's error locations are then translated into those lines. See
:mod:`reachmap.catalog.store` for the file format.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import (
    ValidationError,
)
from rapidfuzz import fuzz, process

from reachmap.catalog.models import CATALOG_FILES, NESTED_TABLES, RecordModel
from reachmap.errors import ReachmapError

__all__ = [
    "CatalogError",
    "Problem",
    "validate_catalog",
]

# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class Problem:
    """One problem in a catalog file, at a line.

    Attributes
    ----------
    file : str
        Path of the file.
    line : int or None
        1-based line number; None when the problem is the file itself (missing).
    message : str

    Examples
    --------
    >>> str(Problem("sites.toml", 12, "site 'x': lat: must be at most 90 (got 91)"))
    "sites.toml:12: site 'x': lat: must be at most 90 (got 91)"
    """

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


class CatalogError(ReachmapError):
    """A catalog that does not validate; ``problems`` lists every problem.

    Parameters
    ----------
    problems : list of Problem
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"the catalog has {len(self.problems)} problem(s):\n{lines}")


class _Locator:
    """Lines of the keys, tables and array elements of one TOML text (see module doc)."""

    _KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
    _DOTTED_RE = re.compile(rf"{_KEY}(?:[ \t]*\.[ \t]*{_KEY})*")
    _PART_RE = re.compile(_KEY)
    _BARE_VALUE_RE = re.compile(r"[^,\]}\n#]*")

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: dict[tuple[str | int, ...], int] = {}
        self._aot: dict[tuple[str | int, ...], int] = {}
        self.pos, self.line = 0, 1
        self._scan()

    def line_of(self, path: tuple[str | int, ...]) -> int | None:
        """Line of the deepest recorded prefix of ``path`` (None if none is recorded)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def _skip_blank(self, newlines: bool) -> None:
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c in " \t\r" or (newlines and c == "\n"):
                self.line += c == "\n"
                self.pos += 1
            elif c == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
                if not newlines:
                    return
            else:
                return

    def _key(self) -> tuple[str, ...]:
        m = self._DOTTED_RE.match(self.text, self.pos)
        if m is None:
            raise ValueError("no key")
        self.pos = m.end()
        return tuple(p.strip("\"'") for p in self._PART_RE.findall(m.group()))

    def _scan(self) -> None:
        table: tuple[str | int, ...] = ()
        while True:
            self._skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return
            try:
                if self.text[self.pos] == "[":
                    table = self._header()
                else:
                    line, key = self.line, self._key()
                    self.lines.setdefault((*table, *key), line)
                    self._skip_blank(newlines=False)
                    self.pos += 1  # the "="
                    self._skip_blank(newlines=False)
                    self._value((*table, *key))
            except (ValueError, IndexError):
                pass  # unexpected text: give up on this line, keep scanning
            end = self.text.find("\n", self.pos)
            self.pos = len(self.text) if end < 0 else end

    def _header(self) -> tuple[str | int, ...]:
        aot = self.text.startswith("[[", self.pos)
        self.pos += 2 if aot else 1
        self._skip_blank(newlines=False)
        parts = self._key()
        path: tuple[str | int, ...] = ()
        for i, part in enumerate(parts):
            path = (*path, part)
            if aot and i == len(parts) - 1:
                self._aot[path] = self._aot.get(path, -1) + 1
                path = (*path, self._aot[path])
            elif path in self._aot:
                path = (*path, self._aot[path])
        self.lines[path] = self.line
        return path

    def _value(self, path: tuple[str | int, ...]) -> None:
        text, c = self.text, self.text[self.pos]
        if c in "\"'":
            quote = text[self.pos : self.pos + 3] if text.startswith(c * 3, self.pos) else c
            end = self.pos + len(quote)
            while True:
                end = text.index(quote, end)
                if c == "'" or text[end - 1] != "\\" or text[end - 2] == "\\":
                    break
                end += 1
            self.line += text.count("\n", self.pos, end)
            self.pos = end + len(quote)
        elif c == "[":
            self.pos += 1
            index = 0
            while True:
                self._skip_blank(newlines=True)
                if text[self.pos] == "]":
                    break
                self.lines.setdefault((*path, index), self.line)
                self._value((*path, index))
                self._skip_blank(newlines=True)
                if text[self.pos] == ",":
                    self.pos, index = self.pos + 1, index + 1
            self.pos += 1
        elif c == "{":
            self.pos += 1
            while True:
                self._skip_blank(newlines=False)
                if text[self.pos] == "}":
                    break
                if text[self.pos] == ",":
                    self.pos += 1
                    continue
                key = self._key()
                self.lines.setdefault((*path, *key), self.line)
                self._skip_blank(newlines=False)
                self.pos += 1  # the "="
                self._skip_blank(newlines=False)
                self._value((*path, *key))
            self.pos += 1
        else:
            m = self._BARE_VALUE_RE.match(text, self.pos)
            self.pos = m.end() if m and m.end() > self.pos else self.pos + 1


def _toml_syntax_error(err: tomllib.TOMLDecodeError, text: str) -> tuple[int, str]:
    """Line and message of a :mod:`tomllib` error (its message carries the position)."""
    message = str(err)
    lineno = getattr(err, "lineno", None)  # Python 3.14+
    m = re.search(r"\s*\(at line (\d+), column \d+\)", message)
    if m is not None:
        message, lineno = message[: m.start()], lineno or int(m[1])
    elif "(at end of document)" in message:
        message = message.replace("(at end of document)", "at the end of the file").strip()
        lineno = lineno or max(1, text.count("\n") + (not text.endswith("\n")))
    return int(lineno or 1), f"TOML syntax error: {message}"


def _dotted(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _error_message(err: Any, model: type[RecordModel]) -> str:
    """One pydantic error as ``where: what``, in the words of a TOML file."""
    loc: tuple[str | int, ...] = tuple(err["loc"])
    parent, key = loc[:-1], loc[-1] if loc else ""
    prefix = f"{_dotted(parent)}: " if parent else ""
    if err["type"] == "missing":
        return f"{prefix}missing required key {key!r}"
    if err["type"] == "extra_forbidden":
        nested = [p for p in parent if isinstance(p, str)]
        owner = NESTED_TABLES.get(nested[-1], model) if nested else model
        allowed = ", ".join(f.alias or name for name, f in owner.model_fields.items())
        return f"{prefix}unknown key {key!r}; allowed keys: {allowed}"
    message = str(err["msg"]).removeprefix("Value error, ")
    where = f"{_dotted(loc)}: " if loc else ""
    value = err.get("input")
    if err["type"] != "value_error" and not isinstance(value, (dict, list)):
        message += f" (got {value!r})"
    return where + message


def _entry_name(kind: str, i: int, entry: dict[str, Any]) -> str:
    """How messages name an entry: ``system 'oreshnik'``, or ``system #3`` without an id."""
    ident = entry.get("id")
    return f"{kind} {ident!r}" if isinstance(ident, str) else f"{kind} #{i + 1}"


def _references(
    kind: str, entry: dict[str, Any]
) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """(location, target kind, id) of every reference a raw entry makes."""

    def ids(loc: tuple[str | int, ...], value: object, target: str) -> Iterator[Any]:
        if isinstance(value, str):
            yield loc, target, value
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    yield (*loc, i), target, item

    yield from ids(("sources",), entry.get("sources"), "source")
    nested: list[tuple[tuple[str | int, ...], object]] = [
        (("range",), entry.get("range")),
        (("quantity",), entry.get("quantity")),
    ]
    others = entry.get("other_ranges")
    if isinstance(others, list):
        nested += [(("other_ranges", i), fig) for i, fig in enumerate(others)]
    for loc, figure in nested:
        if isinstance(figure, dict):
            yield from ids((*loc, "sources"), figure.get("sources"), "source")
    if kind == "deployment":
        yield from ids(("system",), entry.get("system"), "system")
        yield from ids(("site",), entry.get("site"), "site")
    if kind == "event":
        yield from ids(("systems",), entry.get("systems"), "system")


def check_directory(directory: Traversable) -> tuple[list[Problem], dict[str, list[RecordModel]]]:
    """Validate every file of a catalog directory; return problems and valid records."""
    problems: list[Problem] = []
    records: dict[str, list[RecordModel]] = {kind: [] for kind, _ in CATALOG_FILES.values()}
    raw: dict[str, list[tuple[str, _Locator, int, dict[str, Any]]]] = {k: [] for k in records}
    unreadable: set[str] = set()
    if directory.is_dir():
        for item in directory.iterdir():
            if item.name.endswith(".toml") and item.name not in CATALOG_FILES:
                problems.append(
                    Problem(
                        str(item),
                        None,
                        f"unknown catalog file; expected {', '.join(CATALOG_FILES)}",
                    )
                )
    for filename, (kind, model) in CATALOG_FILES.items():
        path = directory / filename
        file = str(path)
        if not path.is_file():
            msg = f"missing catalog file (holds the [[{kind}]] tables)"
            problems.append(Problem(file, None, msg))
            unreadable.add(kind)
            continue
        text = path.read_text(encoding="utf-8")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            problems.append(Problem(file, *_toml_syntax_error(err, text)))
            unreadable.add(kind)
            continue
        where = _Locator(text)
        for key in data:
            if key != kind:
                msg = f"unknown top-level key {key!r}; {filename} holds [[{kind}]] tables only"
                problems.append(Problem(file, where.line_of((key,)), msg))
        entries = data.get(kind, [])
        if not isinstance(entries, list):
            entries = []
            msg = f"{kind!r} must be an array of tables, written [[{kind}]]"
            problems.append(Problem(file, where.line_of((kind,)), msg))
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                msg = f"{kind} #{i + 1}: expected a table, got {entry!r}"
                problems.append(Problem(file, where.line_of((kind, i)), msg))
                continue
            raw[kind].append((file, where, i, entry))
            name = _entry_name(kind, i, entry)
            try:
                records[kind].append(model.model_validate(entry))
            except ValidationError as err:
                for e in err.errors():
                    line = where.line_of((kind, i, *e["loc"]))
                    problems.append(Problem(file, line, f"{name}: {_error_message(e, model)}"))

    known: dict[str, set[str]] = {}
    for kind, entries_ in raw.items():
        first: dict[str, int | None] = {}
        for file, where, i, entry in entries_:
            ident = entry.get("id")
            if not isinstance(ident, str):
                continue
            line = where.line_of((kind, i, "id"))
            if ident in first:
                msg = f"{kind} {ident!r}: duplicate id (first defined at line {first[ident]})"
                problems.append(Problem(file, line, msg))
            else:
                first[ident] = line
        known[kind] = set(first)
    for kind, entries_ in raw.items():
        for file, where, i, entry in entries_:
            name = _entry_name(kind, i, entry)
            for loc, target, ident in _references(kind, entry):
                if target in unreadable or ident in known[target]:
                    continue
                close = process.extractOne(
                    ident, known[target], scorer=fuzz.WRatio, score_cutoff=80
                )
                hint = f"; did you mean {close[0]!r}?" if close else ""
                msg = f"{name}: {_dotted(loc)}: unknown {target} id {ident!r}{hint}"
                problems.append(Problem(file, where.line_of((kind, i, *loc)), msg))
    problems.sort(key=lambda p: (p.file, p.line or 0, p.message))
    return problems, records


def default_directory() -> Traversable:
    return resources.files("reachmap") / "data" / "catalog"


def validate_catalog(directory: Path | None = None) -> list[Problem]:
    """Check a catalog directory and report every problem, each with its file and line.

    Checks: TOML syntax; the five files (and no others); known keys only and
    every required key; values (ids, ISO 3166-1 alpha-2 codes, partial dates,
    lat/lon in degrees, statuses, ranges parsed by
    :func:`reachmap.geo.units.parse_range`, ``min <= max``); unique ids; every
    cited source, system and site exists. It does not stop at the first
    problem. See the module docstring for how lines are found.

    Parameters
    ----------
    directory : pathlib.Path, optional
        The catalog directory; by default the bundled catalog.

    Returns
    -------
    list of Problem
        Sorted by file and line; empty when the catalog is valid.

    Examples
    --------
    >>> validate_catalog()
    []
    """
    return check_directory(default_directory() if directory is None else Path(directory))[0]
