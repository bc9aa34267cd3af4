"""Launch sites as the user gives them: a place name or ``"lat,lon"``, resolved to a point.

Kept in the world layer (beside the gazetteer it reads) so that commands that only need a
point, such as ``reachmap distance``, load no coverage or envelope code.
:mod:`reachmap.analysis.reach` re-exports both names.
"""

from __future__ import annotations

from dataclasses import dataclass

from reachmap.errors import InputError
from reachmap.geo.geodesy import parse_latlon
from reachmap.world.gazetteer import find_place

__all__ = ["Site", "resolve_site"]


@dataclass(frozen=True)
class Site:
    """A launch site.

    Attributes
    ----------
    name : str
        Place name, or the coordinates as typed.
    lat, lon : float
        Position in degrees.
    country : str
        ISO 3166-1 alpha-2 code of the place, empty for raw coordinates.
    """

    name: str
    lat: float
    lon: float
    country: str = ""

    @property
    def label(self) -> str:
        """Name with its country code, e.g. ``"Minsk (BY)"``."""
        return f"{self.name} ({self.country})" if self.country else self.name


def resolve_site(text: str, *, field: str = "site") -> Site:
    """Turn ``"lat,lon"`` or a place name into a :class:`Site`.

    Parameters
    ----------
    text : str
        ``"53.9,27.57"`` (degrees) or a place name, optionally with a country
        code (``"Paris, FR"``).
    field : str
        Input field name for error messages.

    Returns
    -------
    Site

    Raises
    ------
    InputError
        Bad coordinates, or an empty text.
    PlaceNotFoundError
        An unknown place name (the message suggests close matches).

    Examples
    --------
    >>> resolve_site("53.9, 27.57")
    Site(name='53.9, 27.57', lat=53.9, lon=27.57, country='')
    >>> resolve_site("Minsk").label
    'Minsk (BY)'
    """
    text = str(text).strip()
    if not text:
        raise InputError(field, text, "a place name or 'lat,lon' in degrees")
    coords = parse_latlon(text, field=field)
    if coords is not None:
        return Site(name=text, lat=coords[0], lon=coords[1])
    place = find_place(text, field=field)
    return Site(name=place.name, lat=place.lat, lon=place.lon, country=place.country)
