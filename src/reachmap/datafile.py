"""Shared reading of reachmap's TOML data files (regimes, regions): models, errors, keys.

Both files are plain TOML validated by frozen pydantic models; errors name the file,
the table (with its id) and the field, as :class:`reachmap.errors.InputError`.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reachmap.errors import InputError

__all__ = [
    "Citation",
    "DataModel",
    "check_date",
    "load_records",
    "lookup_key",
    "read_toml",
    "validation_error",
]

_DATE_TEXT: Final = r"^(\d{4}(-\d{2}(-\d{2})?)?)?$"


class DataModel(BaseModel):
    """Frozen pydantic model that rejects unknown keys and accepts field names or aliases."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Citation(DataModel):
    """A source for a rule, a date or a member list.

    Attributes
    ----------
    publisher : str
        Who published it.
    title : str
        Its title.
    date : str
        Publication date as ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; ``""`` for an
        undated web page.
    via : str
        The copy that was read when it is not the publisher's own ("" if it is).
    url : str
        The address the page was read at, only when it was seen ("" otherwise).
    supports : str
        What the source supports, in words.
    checked : str
        When the source was last checked (``YYYY-MM-DD``), "" if not recorded.
    """

    publisher: str = Field(min_length=1)
    title: str = Field(min_length=1)
    date: str
    via: str = ""
    url: str = ""
    supports: str = Field(min_length=1)
    checked: str = ""

    @field_validator("date")
    @classmethod
    def _date_text(cls, value: str) -> str:
        if not re.fullmatch(_DATE_TEXT, value):
            raise ValueError('a date written YYYY-MM-DD, YYYY-MM or YYYY, or "" if undated')
        return value

    def __str__(self) -> str:
        when = self.date or "undated"
        via = f"; read via {self.via}" if self.via else ""
        return f"{self.publisher}, {self.title!r} ({when}){via}"


def check_date(day: object, field: str = "on") -> dt.date:
    """Return ``day`` as a ``datetime.date`` or raise :class:`InputError`."""
    if isinstance(day, dt.datetime):
        return day.date()
    if not isinstance(day, dt.date):
        raise InputError(field, day, "a date (datetime.date), e.g. datetime.date(2023, 4, 4)")
    return day


def lookup_key(text: str) -> str:
    """Normalise a region name for lookup: case, spaces, hyphens and underscores ignored."""
    return "".join(text.casefold().replace("-", " ").replace("_", " ").split())


def _location(loc: tuple[int | str, ...], data: Mapping[str, Any]) -> str:
    """Turn a pydantic error location into ``region[3] 'nato' members[2] from``."""
    parts: list[str] = []
    node: Any = data
    for step in loc:
        if isinstance(step, int):
            parts[-1] += f"[{step}]"
            if isinstance(node, list) and step < len(node):
                node = node[step]
                if isinstance(node, dict) and "id" in node and len(parts) == 1:
                    parts[-1] += f" {node['id']!r}"
            continue
        parts.append(str(step))
        node = node.get(step) if isinstance(node, dict) else None
    return " ".join(parts)


def read_toml(path: Path | None, filename: str) -> tuple[str, dict[str, Any]]:
    """Read a bundled data file (``path`` None) or a user's file; return its label and data."""
    label = str(path) if path is not None else f"reachmap/data/{filename}"
    try:
        if path is None:
            text = resources.files("reachmap").joinpath("data", filename).read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        return label, tomllib.loads(text)
    except OSError as exc:
        raise InputError("path", label, f"a readable TOML file ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(label, "(file)", f"valid TOML: {exc}") from exc


def validation_error(label: str, exc: ValidationError, data: Mapping[str, Any]) -> InputError:
    """Turn the first pydantic error into an :class:`InputError` naming file and field."""
    errors = exc.errors()
    # an error on a table also empties the list holding it; count only the root causes
    causes = [
        e
        for e in errors
        if not any(o is not e and o["loc"][: len(e["loc"])] == e["loc"] for o in errors)
    ]
    err = causes[0]
    where = _location(err["loc"], data)
    more = f" (and {len(causes) - 1} more problems)" if len(causes) > 1 else ""
    value = err.get("input")
    if isinstance(value, (dict, list)):  # a whole table: name it rather than print it
        value = "this table"
    msg = str(err["msg"]).removeprefix("Value error, ")
    return InputError(f"{label}: {where}", value, f"{msg}{more}")


def load_records(
    path: Path | None, filename: str, file_model: type[BaseModel], kind: str
) -> tuple[str, dict[str, Any]]:
    """Read, validate and index the records of a data file by id.

    Parameters
    ----------
    path : pathlib.Path or None
        A user's file, or None for the bundled ``reachmap/data/<filename>``.
    filename : str
        Name of the bundled file.
    file_model : pydantic model class
        Model of the whole file; its one field holds the records (each with ``id``).
    kind : str
        What a record is called in messages (``"region"``, ``"regime"``).

    Returns
    -------
    label : str
        How messages name the file.
    records : dict
        Records by id, in file order.

    Raises
    ------
    InputError
        Unreadable file, invalid TOML or record, or an id used twice.
    """
    label, data = read_toml(path, filename)
    try:
        parsed = file_model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(label, exc, data) from None
    (records,) = (getattr(parsed, name) for name in type(parsed).model_fields)
    out: dict[str, Any] = {}
    for rec in records:
        if rec.id in out:
            raise InputError(f"{label}: {kind}", rec.id, f"a {kind} id used only once")
        out[rec.id] = rec
    return label, out
