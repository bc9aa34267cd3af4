"""reachmap: what can a strategic system reach from where it is deployed, and who lives there."""

from __future__ import annotations

from reachmap.errors import InputError, PlaceNotFoundError, ReachmapError

__all__ = [
    "InputError",
    "PlaceNotFoundError",
    "ReachmapError",
]

__version__ = "0.1.0"
