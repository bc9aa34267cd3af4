"""The :class:`Place` record: one GeoNames populated place.

Kept apart from :mod:`reachmap.world.tables` (numpy, pyarrow, shapely) so that a name
lookup (:mod:`reachmap.world.gazetteer`) can build places without loading those;
:mod:`reachmap.world.tables` re-exports it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Place"]


@dataclass(frozen=True)
class Place:
    """One populated place from GeoNames.

    Attributes
    ----------
    geonameid : int
        GeoNames identifier.
    name : str
        Primary GeoNames name (e.g. "Krychaw").
    lat, lon : float
        Coordinates, in degrees (WGS84).
    country : str
        ISO 3166-1 alpha-2 code.
    population : int
        GeoNames population (people); 0 when GeoNames has none.
    is_capital : bool
        Whether this place is its country's capital.

    Examples
    --------
    >>> from reachmap.world.gazetteer import find_place
    >>> p = find_place("Warsaw")
    >>> p.label
    'Warsaw (PL)'
    """

    geonameid: int
    name: str
    lat: float
    lon: float
    country: str
    population: int
    is_capital: bool

    @property
    def label(self) -> str:
        """The name with its country code, as ``"Name (CC)"``."""
        return f"{self.name} ({self.country})"
