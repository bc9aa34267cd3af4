"""One reach analysis: sites and a range in, envelope, countries, capitals and people out.

This is the core object the CLI (and later the web API) is a thin layer over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from shapely.geometry import MultiPolygon

from reachmap.coverage.grid import PopulationRaster
from reachmap.coverage.places import (
    BEYOND,
    IN_HOLE,
    REACHED,
    CountryReach,
    country_reach,
    grid_country_reach,
    reach_points,
)
from reachmap.coverage.raster import RowIntervals, covered_intervals
from reachmap.errors import InputError
from reachmap.geo.envelope import boundary_tolerance_km, envelope
from reachmap.geo.geodesy import distance_km, validate_lat_lon
from reachmap.geo.units import RangeKm
from reachmap.world.sites import Site, resolve_site
from reachmap.world.tables import capitals, load_countries, load_places

__all__ = [
    "CapitalReach",
    "PlaceReach",
    "ReachResult",
    "Site",
    "analyze",
    "load_population",
    "population_for",
    "reach_bounds",
    "resolve_site",
]

#: How population reached is estimated without a grid (``--population places``).
PLACES_ESTIMATE = (
    "Population reached is an estimate: each country's GeoNames population times the "
    "share of its GeoNames places' population (places of about 1,000 people and more) "
    "that is reached. It is not a gridded population count."
)

#: Values of ``population`` that name a built-in source rather than a file.
POPULATION_CHOICES = ("places", "default", "default-2.5m")

#: What every report must say about its own numbers.
ASSUMPTIONS = (
    "Distances are geodesics on the WGS84 ellipsoid (GeographicLib algorithms via pyproj); "
    "a place is reached when its exact distance from a site lies within the range.",
    "The drawn envelope follows the true range limit to within 0.1% of the range "
    "(never more than 1 km); country areas reached are measured on that polygon.",
    "Country outlines are Natural Earth 1:50m de-facto boundaries (e.g. Crimea is drawn "
    "inside Russia), while places carry their GeoNames country codes.",
    "Range is the published figure taken at face value; terrain, trajectory, payload "
    "and basing limits are not modelled.",
)


def load_population(
    spec: str, *, bounds: tuple[float, float, float, float] | None = None
) -> PopulationRaster | None:
    """Open the population source a user named.

    Parameters
    ----------
    spec : str
        ``"places"`` (no grid: estimate from GeoNames places), ``"default"`` (the
        bundled dasymetric grid at 30″), ``"default-2.5m"`` (the same at 2.5′), or
        the path of a GeoTIFF in geographic lat/lon coordinates.
    bounds : tuple of float, optional
        ``(west, south, east, north)`` in degrees: read only this window of a GeoTIFF.

    Returns
    -------
    PopulationRaster or None
        ``None`` for ``"places"``.

    Raises
    ------
    InputError
        A file that does not exist, is not a raster, or is not in lat/lon
        (field ``population``).
    """
    from reachmap.coverage.geotiff import read_geotiff
    from reachmap.coverage.popgrid import default_grid

    if spec == "places":
        return None
    if spec == "default":
        return default_grid("30s")
    if spec == "default-2.5m":
        return default_grid("2.5m")
    if not spec.lower().endswith((".tif", ".tiff")):
        raise InputError(
            "population", spec, "one of " + ", ".join(POPULATION_CHOICES) + " or a GeoTIFF path"
        )
    return read_geotiff(spec, bounds=bounds)


def population_for(spec: str, sites: Sequence[Site], max_km: float) -> PopulationRaster | None:
    """Open a population source for a query: a GeoTIFF only in the window it needs.

    Parameters
    ----------
    spec : str
        As for :func:`load_population`.
    sites : sequence of Site
        The query's sites.
    max_km : float
        The query's maximum range, in kilometres.

    Returns
    -------
    PopulationRaster or None
    """
    if spec in POPULATION_CHOICES:
        return load_population(spec)
    return load_population(spec, bounds=reach_bounds(sites, max_km))


def reach_bounds(sites: Sequence[Site], max_km: float) -> tuple[float, float, float, float]:
    """Return the lon/lat box that holds every point within ``max_km`` of the sites.

    Parameters
    ----------
    sites : sequence of Site
        Launch sites.
    max_km : float
        Maximum range in kilometres.

    Returns
    -------
    tuple of float
        ``(west, south, east, north)`` in degrees, padded by 0.01°: the window of a
        population GeoTIFF that a query needs.
    """
    west, south, east, north = envelope(
        [(s.lat, s.lon) for s in sites], min_km=0.0, max_km=max_km
    ).bounds
    pad = 0.01
    return (
        max(west - pad, -180.0),
        max(south - pad, -90.0),
        min(east + pad, 180.0),
        min(north + pad, 90.0),
    )


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
class PlaceReach:
    """A populated place within reach, with its distance from the nearest site."""

    name: str
    country: str
    lat: float
    lon: float
    population: int
    nearest_km: float
    nearest_site: str


#: How many of the most populous places reached a result lists.
TOP_PLACES = 100


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
    population_source: str = "GeoNames places (estimate)"
    assumptions: tuple[str, ...] = ASSUMPTIONS
    top_places: tuple[PlaceReach, ...] = field(default=(), repr=False)
    #: The grid the population was summed on (None: GeoNames places), and its cells
    #: within range: what a region that counts part of a country is measured on.
    population: PopulationRaster | None = field(default=None, repr=False, compare=False)
    covered: RowIntervals | None = field(default=None, repr=False, compare=False)

    def countries_with(self, status: str) -> list[CountryReach]:
        """Countries with the given status (``full``, ``partial``, ``none``), by name."""
        return sorted((c for c in self.countries if c.status == status), key=lambda c: c.name)

    def capitals_with(self, status: str) -> list[CapitalReach]:
        """Capitals with the given status, nearest first."""
        return sorted((c for c in self.capitals if c.status == status), key=lambda c: c.nearest_km)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (no geometry; see :mod:`reachmap.report.export` for that)."""
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
                "population_source": self.population_source,
            },
            "countries": [
                asdict(c) | {"area_share": round(c.area_share, 6)}
                for c in sorted(self.countries, key=lambda c: c.name)
                if c.status != "none"
            ],
            "capitals": [asdict(c) for c in sorted(self.capitals, key=lambda c: c.nearest_km)],
            "places": [asdict(p) for p in self.top_places],
            "assumptions": list(self.assumptions),
            "data": "Natural Earth 1:50m admin-0 (public domain); GeoNames cities1000 and "
            "country info (CC BY 4.0). See PROVENANCE.md.",
        }


def analyze(
    sites: Sequence[Site], range_km: RangeKm, population: PopulationRaster | None = None
) -> ReachResult:
    """Run a reach analysis on the bundled world data.

    Parameters
    ----------
    sites : sequence of Site
        One or more launch sites (their union is analysed).
    range_km : RangeKm
        Range interval (see :func:`reachmap.geo.units.parse_range`).
    population : PopulationRaster, optional
        A population grid (see :func:`load_population`). With one, population and
        area reached per country are summed over the grid cells within range;
        without, population is estimated from the GeoNames places.

    Returns
    -------
    ReachResult

    Examples
    --------
    >>> from reachmap.geo.units import parse_range
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
    covered = None
    if population is None:
        rows = country_reach(countries, places, pr.status, geom)
        reached_people = sum(c.population_reached_estimate for c in rows)
        source = "GeoNames places (estimate)"
        population_note = PLACES_ESTIMATE
    else:
        covered = covered_intervals(population.grid, latlon, min_km=lo, max_km=hi)
        rows, total = grid_country_reach(
            countries, places, pr.status, population, covered, _country_areas(population)
        )
        reached_people = round(total)
        source = population.description
        population_note = (
            f"Population reached is summed over the cells of {source} whose centres are "
            "within range (decided by exact distance)."
        )

    caps = capitals()
    cr = reach_points(
        lat=caps.lat, lon=caps.lon, sites=latlon, min_km=lo, max_km=hi, with_distance=True
    )
    assert cr.nearest_km is not None and cr.nearest_site is not None
    capital_rows = tuple(
        CapitalReach(
            name=place.name,
            country=place.country,
            lat=place.lat,
            lon=place.lon,
            population=place.population,
            status=str(cr.status[i]),
            nearest_km=float(cr.nearest_km[i]),
            nearest_site=sites[int(cr.nearest_site[i])].label,
        )
        for i, place in ((i, caps.row(i)) for i in range(len(caps)))
    )
    return ReachResult(
        top_places=_top_places(places, pr.reached, sites),
        sites=tuple(sites),
        range=range_km,
        envelope=geom,
        countries=tuple(rows),
        capitals=capital_rows,
        places_count=len(places),
        places_reached=int(pr.reached.sum()),
        places_population_reached=int(np.where(pr.reached, places.population, 0).sum()),
        population_reached_estimate=reached_people,
        world_population=int(countries.population.sum()),
        population_source=source,
        assumptions=(*ASSUMPTIONS, population_note),
        population=population,
        covered=covered,
    )


def _top_places(places: Any, reached: np.ndarray, sites: Sequence[Site]) -> tuple[PlaceReach, ...]:
    """Return the :data:`TOP_PLACES` most populous places reached, most populous first."""
    idx = np.flatnonzero(reached)
    if idx.size == 0:
        return ()
    pop = np.asarray(places.population)[idx]
    top = idx[np.argsort(-pop, kind="stable")[:TOP_PLACES]]
    lat, lon = np.asarray(places.lat)[top], np.asarray(places.lon)[top]
    dist = np.stack(
        [distance_km(lat1=s.lat, lon1=s.lon, lat2=lat, lon2=lon) for s in sites]
    ).reshape(len(sites), top.size)
    nearest = dist.argmin(axis=0)
    out = []
    for k, i in enumerate(top):
        place = places.row(int(i))
        out.append(
            PlaceReach(
                name=place.name,
                country=place.country,
                lat=place.lat,
                lon=place.lon,
                population=int(place.population),
                nearest_km=float(dist[nearest[k], k]),
                nearest_site=sites[int(nearest[k])].label,
            )
        )
    return tuple(out)


def _country_areas(raster: PopulationRaster) -> np.ndarray:
    """Return the denominators of the area share, per country.

    On a global grid, each country's land area on that grid; on a window of a
    user's raster, the area of the country's polygon.
    """
    countries = load_countries()
    g = raster.grid
    if not (g.is_global_lon and g.nrows * g.dy_deg >= 180.0 - 1e-9):
        return np.asarray(countries.area_km2, dtype=np.float64)
    rows = np.arange(g.nrows, dtype=np.int64)
    idx, areas = raster.interval_areas_by_country(
        rows, np.zeros(g.nrows, dtype=np.int64), np.full(g.nrows, g.ncols, dtype=np.int64)
    )
    out = np.zeros(len(countries))
    out[idx[idx >= 0]] = areas[idx >= 0]
    return out
