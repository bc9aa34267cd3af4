"""Errors raised by reachmap.

Every error derives from :class:`ReachmapError`. Errors caused by bad input name
the field, the bad value and what is allowed, so that the CLI can print one line
(exit code 2) and the HTTP API can answer 422 with the field path.
"""

from __future__ import annotations

__all__ = [
    "InputError",
    "PlaceNotFoundError",
    "ReachmapError",
]


class ReachmapError(Exception):
    """Base class of every error reachmap raises on purpose."""


class InputError(ReachmapError, ValueError):
    """A value given by the user is not allowed.

    Parameters
    ----------
    field : str
        The name of the input field, as the user typed it (e.g. ``"range"``,
        ``"site"``, ``"lat"``).
    value : object
        The offending value.
    allowed : str
        What is allowed, in words (e.g. ``"a number from -90 to 90"``).

    Examples
    --------
    >>> str(InputError("lat", 91, "a number from -90 to 90 (degrees)"))
    'lat: 91 is not allowed; expected a number from -90 to 90 (degrees)'
    """

    def __init__(self, field: str, value: object, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field}: {value!r} is not allowed; expected {allowed}")

    def __str__(self) -> str:
        if self.value is None or self.value == "":
            return f"{self.field}: missing; expected {self.allowed}"
        value = self.value if isinstance(self.value, (int, float)) else repr(self.value)
        return f"{self.field}: {value} is not allowed; expected {self.allowed}"


class PlaceNotFoundError(InputError):
    """A place name that the bundled gazetteer does not know.

    Parameters
    ----------
    field : str
        The input field that held the name (e.g. ``"site"``).
    name : str
        The name that was looked up.
    suggestions : list of str
        Close matches, best first, as ``"Name (CC)"`` strings; may be empty.
    """

    def __init__(self, field: str, name: str, suggestions: list[str]) -> None:
        self.suggestions = list(suggestions)
        if suggestions:
            allowed = "a known place name or 'lat,lon'; did you mean: " + ", ".join(suggestions)
        else:
            allowed = "a known place name or 'lat,lon' (try `reachmap place NAME`)"
        super().__init__(field, name, allowed)

    def __str__(self) -> str:
        return f"{self.field}: no place named {self.value!r}; expected {self.allowed}"
