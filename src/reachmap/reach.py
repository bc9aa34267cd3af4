"""One reach analysis: sites and a range in, envelope, countries, capitals and people out.

This is the core object the CLI (and later the web API) is a thin layer over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from shapely.geometry import MultiPolygon

from reachmap.coverage import BEYOND, IN_HOLE, REACHED, CountryReach, country_reach, reach_points
from reachmap.envelope import boundary_tolerance_km, envelope
from reachmap.errors import InputError
from reachmap.gazetteer import find_place
from reachmap.geodesy import parse_latlon, validate_lat_lon
from reachmap.units import RangeKm
from reachmap.world import capitals, load_countries, load_places

__all__ = [
    "CapitalReach",
    "ReachResult",
    "Site",
    "analyze",
    "resolve_site",
]

#: What every report must say about its own numbers.
ASSUMPTIONS = (
    "Distances are geodesics on the WGS84 ellipsoid (GeographicLib algorithms via pyproj); "
    "a place is reached when its exact distance from a site lies within the range.",
    "The drawn envelope follows the true range limit to within 0.1% of the range "
    "(never more than 1 km); country areas reached are measured on that polygon.",
    "Population reached is an estimate: each country's GeoNames population times the "
    "share of its GeoNames places' population (places of about 1,000 people and more) "
    "that is reached. It is not a gridded population count.",
    "Country outlines are Natural Earth 1:50m de-facto boundaries (e.g. Crimea is drawn "
    "inside Russia), while places carry their GeoNames country codes.",
    "Range is the published figure taken at face value; terrain, trajectory, payload "
    "and basing limits are not modelled.",
)


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


@dataclass(frozen=True)
class CapitalReach:
    """A national capital and whether it is reached.

    Attributes
    ----------
    name, country : str
        Capital name and ISO2 country code (GeoNames).
    lat, lon : float
        Position in degrees.
    population : int
        GeoNames population of the city.
    status : str
        ``"reached"``, ``"inside-min-range"`` or ``"beyond-max-range"``.
    nearest_km : float
        Exact distance to the nearest site, in kilometres.
    nearest_site : str
        Label of that site.
    """

    name: str
    country: str
    lat: float
    lon: float
    population: int
    status: str
    nearest_km: float
    nearest_site: str


@dataclass(frozen=True)
class ReachResult:
    """Everything one reach analysis found, with the assumptions behind it."""

    sites: tuple[Site, ...]
    range: RangeKm
    envelope: MultiPolygon = field(repr=False)
    countries: tuple[CountryReach, ...] = field(repr=False)
    capitals: tuple[CapitalReach, ...] = field(repr=False)
    places_count: int
    places_reached: int
    places_population_reached: int
    population_reached_estimate: int
    world_population: int
    assumptions: tuple[str, ...] = ASSUMPTIONS

    def countries_with(self, status: str) -> list[CountryReach]:
        """Countries with the given status (``full``, ``partial``, ``none``), by name."""
        return sorted((c for c in self.countries if c.status == status), key=lambda c: c.name)

    def capitals_with(self, status: str) -> list[CapitalReach]:
        """Capitals with the given status, nearest first."""
        return sorted((c for c in self.capitals if c.status == status), key=lambda c: c.nearest_km)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (no geometry; see :mod:`reachmap.export` for that)."""
        return {
            "range": {
                "text": self.range.text,
                "min_km": self.range.min_km,
                "max_km": self.range.max_km,
                "boundary_tolerance_km": boundary_tolerance_km(self.range.max_km),
            },
            "sites": [asdict(s) | {"label": s.label} for s in self.sites],
            "totals": {
                "countries_full": len(self.countries_with("full")),
                "countries_partial": len(self.countries_with("partial")),
                "countries_inside_min_range": len(self.countries_with(IN_HOLE)),
                "capitals_reached": len(self.capitals_with(REACHED)),
                "capitals_inside_min_range": len(self.capitals_with(IN_HOLE)),
                "capitals_beyond_max_range": len(self.capitals_with(BEYOND)),
                "places_count": self.places_count,
                "places_reached": self.places_reached,
                "places_population_reached": self.places_population_reached,
                "population_reached_estimate": self.population_reached_estimate,
                "world_population": self.world_population,
            },
            "countries": [
                asdict(c) | {"area_share": round(c.area_share, 6)}
                for c in sorted(self.countries, key=lambda c: c.name)
                if c.status != "none"
            ],
            "capitals": [asdict(c) for c in sorted(self.capitals, key=lambda c: c.nearest_km)],
            "assumptions": list(self.assumptions),
            "data": "Natural Earth 1:50m admin-0 (public domain); GeoNames cities1000 and "
            "country info (CC BY 4.0). See PROVENANCE.md.",
        }


def analyze(sites: Sequence[Site], range_km: RangeKm) -> ReachResult:
    """Run a reach analysis on the bundled world data.

    Parameters
    ----------
    sites : sequence of Site
        One or more launch sites (their union is analysed).
    range_km : RangeKm
        Range interval (see :func:`reachmap.units.parse_range`).

    Returns
    -------
    ReachResult

    Examples
    --------
    >>> from reachmap.units import parse_range
    >>> r = analyze([resolve_site("Minsk")], parse_range("500-5500 km"))
    >>> [c.name for c in r.capitals_with("inside-min-range")][:3]
    ['Minsk', 'Vilnius', 'Riga']
    """
    if not sites:
        raise InputError("site", "", "at least one site (a place name or 'lat,lon')")
    for s in sites:
        validate_lat_lon(s.lat, s.lon, field="site")
    latlon = [(s.lat, s.lon) for s in sites]
    lo, hi = range_km.min_km, range_km.max_km
    geom = envelope(latlon, min_km=lo, max_km=hi)

    places = load_places()
    pr = reach_points(lat=places.lat, lon=places.lon, sites=latlon, min_km=lo, max_km=hi)
    countries = load_countries()
    rows = country_reach(countries, places, pr.status, geom)

    caps = capitals()
    cr = reach_points(
        lat=caps.lat, lon=caps.lon, sites=latlon, min_km=lo, max_km=hi, with_distance=True
    )
    assert cr.nearest_km is not None and cr.nearest_site is not None
    capital_rows = tuple(
        CapitalReach(
            name=str(caps.name[i]),
            country=str(caps.country[i]),
            lat=float(caps.lat[i]),
            lon=float(caps.lon[i]),
            population=int(caps.population[i]),
            status=str(cr.status[i]),
            nearest_km=float(cr.nearest_km[i]),
            nearest_site=sites[int(cr.nearest_site[i])].label,
        )
        for i in range(len(caps))
    )
    return ReachResult(
        sites=tuple(sites),
        range=range_km,
        envelope=geom,
        countries=tuple(rows),
        capitals=capital_rows,
        places_count=len(places),
        places_reached=int(pr.reached.sum()),
        places_population_reached=int(np.where(pr.reached, places.population, 0).sum()),
        population_reached_estimate=sum(c.population_reached_estimate for c in rows),
        world_population=int(countries.population.sum()),
    )
