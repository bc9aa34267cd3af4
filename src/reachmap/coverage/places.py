"""Who and what is within reach: places by exact distance, countries by area and population.

Membership of a point (a city, a capital) is decided by its exact geodesic distance
from each site on WGS84, never by testing it against a drawn polygon. A spherical
distance, which differs from the ellipsoidal one by less than 0.6% (tested), first
sets aside points that are clearly inside or outside; every point within 1% + 1 km
of a range limit gets the exact distance.

A point is

* ``reached`` if, for at least one site, ``min_km <= distance <= max_km``;
* ``inside-min-range`` if no site reaches it and it is nearer than ``min_km`` to at
  least one site (the hole of an annulus: too close, not safe);
* ``beyond-max-range`` otherwise.

Country area reached is the ellipsoidal area of the country polygon inside the drawn
envelope (boundary within 0.1% of the range, at most 1 km), or, with a population
grid (:func:`grid_country_reach`), the area of the country's cells whose centres are
within range. Population reached comes from the grid when one is used; otherwise it
is an estimate from the bundled GeoNames places: each country's population times the
share of its places' population that is reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from reachmap.coverage.grid import PopulationRaster
from reachmap.coverage.raster import RowIntervals
from reachmap.errors import InputError
from reachmap.geo.geodesy import SPHERE_RELATIVE_ERROR, area_km2, distance_km, sphere_distance_km
from reachmap.world.tables import CountryTable, PlaceTable

__all__ = [
    "BEYOND",
    "FULL_SHARE",
    "IN_HOLE",
    "REACHED",
    "CountryReach",
    "PointReach",
    "country_reach",
    "grid_country_reach",
    "reach_points",
]

REACHED = "reached"
IN_HOLE = "inside-min-range"
BEYOND = "beyond-max-range"

#: A country counts as fully reached when at least this share of its area is.
FULL_SHARE = 0.9999


@dataclass(frozen=True)
class PointReach:
    """Reach status of a set of points.

    Attributes
    ----------
    status : numpy.ndarray of str
        ``"reached"``, ``"inside-min-range"`` or ``"beyond-max-range"`` per point.
    nearest_km : numpy.ndarray or None
        Exact distance to the nearest site, in kilometres (only when requested).
    nearest_site : numpy.ndarray or None
        Index of the nearest site (only when requested).
    """

    status: np.ndarray
    nearest_km: np.ndarray | None = None
    nearest_site: np.ndarray | None = None

    @property
    def reached(self) -> np.ndarray:
        """Boolean mask of the points reached."""
        return self.status == REACHED


def _sites_array(sites: Sequence[tuple[float, float]]) -> np.ndarray:
    arr = np.asarray(list(sites), dtype=np.float64).reshape(-1, 2)
    if len(arr) == 0:
        raise InputError("site", "", "at least one site (a place name or 'lat,lon')")
    return arr


def reach_points(
    *,
    lat: np.ndarray,
    lon: np.ndarray,
    sites: Sequence[tuple[float, float]],
    min_km: float,
    max_km: float,
    with_distance: bool = False,
) -> PointReach:
    """Classify points as reached, inside the minimum-range hole, or beyond range.

    Parameters
    ----------
    lat, lon : array_like
        The points, in degrees.
    sites : sequence of (lat, lon)
        Launch sites, in degrees, latitude first.
    min_km, max_km : float
        Range interval in kilometres (the same for every site).
    with_distance : bool
        Also return the exact distance to, and the index of, the nearest site
        (costs one exact distance per point and site).

    Returns
    -------
    PointReach
        Status per point, and optionally the nearest site and its distance.

    Examples
    --------
    Warsaw (about 477 km from Minsk) and Paris (about 1,850 km), for a
    500-5,500 km system at Minsk:

    >>> r = reach_points(lat=[52.23, 48.86], lon=[21.01, 2.35], sites=[(53.9, 27.57)],
    ...                  min_km=500, max_km=5500)
    >>> r.status.tolist()
    ['inside-min-range', 'reached']
    """
    la = np.asarray(lat, dtype=np.float64).ravel()
    lo = np.asarray(lon, dtype=np.float64).ravel()
    site_arr = _sites_array(sites)
    reached = np.zeros(la.size, dtype=bool)
    too_close = np.zeros(la.size, dtype=bool)
    nearest = np.full(la.size, np.inf) if with_distance else None
    nearest_site = np.full(la.size, -1, dtype=np.int64) if with_distance else None
    for k, (s_lat, s_lon) in enumerate(site_arr):
        if with_distance:
            d = distance_km(lat1=s_lat, lon1=s_lon, lat2=la, lon2=lo)
            assert nearest is not None and nearest_site is not None
            closer = d < nearest
            nearest[closer] = d[closer]
            nearest_site[closer] = k
        else:
            approx = sphere_distance_km(s_lat, s_lon, la, lo)
            slack = SPHERE_RELATIVE_ERROR * approx + 1.0
            exact = (np.abs(approx - max_km) <= slack) | (np.abs(approx - min_km) <= slack)
            d = approx.copy()
            if exact.any():
                d[exact] = distance_km(lat1=s_lat, lon1=s_lon, lat2=la[exact], lon2=lo[exact])
        reached |= (d >= min_km) & (d <= max_km)
        too_close |= d < min_km
    status = np.where(reached, REACHED, np.where(too_close, IN_HOLE, BEYOND))
    return PointReach(status=status, nearest_km=nearest, nearest_site=nearest_site)


def _places_by_country(
    places: PlaceTable, places_status: np.ndarray
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Sum the places per ISO2 code.

    Returns the population of all places, of the reached ones, and the number of
    places inside the minimum-range hole, each as a dict by code.
    """
    codes = places.country
    pop = places.population.astype(np.int64)
    order = np.argsort(codes, kind="stable")
    uniq, start = np.unique(codes[order], return_index=True)

    def by_code(values: np.ndarray) -> dict[str, int]:
        sums = np.add.reduceat(values[order], start)
        return {str(k): int(v) for k, v in zip(uniq, sums, strict=True)}

    return (
        by_code(pop),
        by_code(np.where(places_status == REACHED, pop, 0)),
        by_code((places_status == IN_HOLE).astype(np.int64)),
    )


@dataclass(frozen=True)
class CountryReach:
    """Coverage of one country (one row of the bundled country table).

    Attributes
    ----------
    iso2, iso3, name, continent : str
        Identity of the country (``iso2`` is empty for the few Natural Earth
        features without a GeoNames country, e.g. Somaliland).
    status : str
        ``"full"`` (at least ``FULL_SHARE`` of the area reached), ``"partial"``,
        ``"inside-min-range"`` (nothing reached and some of its places lie in the
        minimum-range hole) or ``"none"``.
    area_km2, area_reached_km2 : float
        Ellipsoidal area of the country polygon and of its part inside the envelope.
    population : int
        Country population (GeoNames).
    places_population, places_population_reached : int
        Summed population of the bundled places in the country, all and reached.
    population_reached_estimate : int
        ``population * places_population_reached / places_population`` (the area
        share when the country has no populated places).
    """

    iso2: str
    iso3: str
    name: str
    continent: str
    status: str
    area_km2: float
    area_reached_km2: float
    population: int
    places_population: int
    places_population_reached: int
    population_reached_estimate: int

    @property
    def area_share(self) -> float:
        """Share of the area reached, 0 to 1."""
        return self.area_reached_km2 / self.area_km2 if self.area_km2 > 0 else 0.0


def _country_row(
    countries: CountryTable,
    i: int,
    *,
    area_km2: float,
    area_reached_km2: float,
    people: float,
    places_all: int,
    places_hit: int,
    in_hole: bool,
) -> CountryReach:
    """Build one country's row and decide its status (see :class:`CountryReach`)."""
    iso2 = str(countries.iso2[i])
    share = area_reached_km2 / area_km2 if area_km2 > 0 else 0.0
    if area_km2 > 0 and share >= FULL_SHARE:
        status = "full"
    elif area_reached_km2 > 0 or people > 0 or places_hit > 0:
        status = "partial"
    elif iso2 and in_hole:
        status = IN_HOLE  # nothing reached, and some of its places are too close to a site
    else:
        status = "none"
    return CountryReach(
        iso2=iso2,
        iso3=str(countries.iso3[i]),
        name=str(countries.name[i]),
        continent=str(countries.continent[i]),
        status=status,
        area_km2=area_km2,
        area_reached_km2=area_reached_km2,
        population=int(countries.population[i]),
        places_population=places_all,
        places_population_reached=places_hit,
        population_reached_estimate=round(people),
    )


def country_reach(
    countries: CountryTable,
    places: PlaceTable,
    places_status: np.ndarray,
    envelope: BaseGeometry,
) -> list[CountryReach]:
    """Per-country coverage: area inside the envelope, places and population reached.

    Parameters
    ----------
    countries : CountryTable
        Country polygons and populations.
    places : PlaceTable
        Populated places.
    places_status : numpy.ndarray of str
        Status of each place (``PointReach.status`` from :func:`reach_points`).
    envelope : shapely geometry
        The drawn envelope (lon/lat degrees), used for areas only.

    Returns
    -------
    list of CountryReach
        One entry per country, in the order of ``countries``.
    """
    total_by, reached_by, hole_by = _places_by_country(places, places_status)

    geoms = countries.geometry
    hits = np.zeros(len(countries), dtype=bool)
    if not envelope.is_empty:
        tree = shapely.STRtree(geoms)
        hits[tree.query(envelope, predicate="intersects")] = True
    shapely.prepare(envelope)
    out: list[CountryReach] = []
    for i in range(len(countries)):
        total_area = float(countries.area_km2[i])
        if not hits[i]:
            area = 0.0
        elif shapely.covers(envelope, geoms[i]):
            area = total_area
        else:
            area = min(area_km2(shapely.intersection(geoms[i], envelope)), total_area)
        iso2 = str(countries.iso2[i])
        p_all = total_by.get(iso2, 0) if iso2 else 0
        p_hit = reached_by.get(iso2, 0) if iso2 else 0
        share = area / total_area if total_area > 0 else 0.0
        population = int(countries.population[i])
        estimate = population * (p_hit / p_all if p_all > 0 else share)
        out.append(
            _country_row(
                countries,
                i,
                area_km2=total_area,
                area_reached_km2=area,
                people=estimate,
                places_all=p_all,
                places_hit=p_hit,
                in_hole=hole_by.get(iso2, 0) > 0,
            )
        )
    return out


def grid_country_reach(
    countries: CountryTable,
    places: PlaceTable,
    places_status: np.ndarray,
    raster: PopulationRaster,
    covered: RowIntervals,
    country_area_km2: np.ndarray,
) -> tuple[list[CountryReach], float]:
    """Per-country coverage measured on a population grid.

    The population and land area reached in each country are summed over the
    covered cells (cells whose centres are within range, decided exactly by
    :func:`reachmap.coverage.raster.covered_intervals`).

    Parameters
    ----------
    countries : CountryTable
        Country table (the grid's country indices point into it).
    places : PlaceTable
        Populated places, for the places columns and the minimum-range status.
    places_status : numpy.ndarray of str
        Status of each place from :func:`reach_points`.
    raster : PopulationRaster
        The population grid.
    covered : RowIntervals
        Covered cells of ``raster.grid``.
    country_area_km2 : numpy.ndarray
        Each country's whole area in km², the denominator of the area share.

    Returns
    -------
    rows : list of CountryReach
        One per country, in table order; ``population_reached_estimate`` is the
        grid's population in the covered cells of the country.
    total : float
        Population in all covered cells (people), sea cells included.
    """
    args = (covered.rows, covered.starts, covered.stops)
    total = float(raster.interval_sums(*args).sum()) if covered.rows.size else 0.0
    pop = np.zeros(len(countries))
    area = np.zeros(len(countries))
    if covered.rows.size:
        idx, sums = raster.interval_sums_by_country(*args)
        pop[idx[idx >= 0]] = sums[idx >= 0]
        idx, sums = raster.interval_areas_by_country(*args)
        area[idx[idx >= 0]] = sums[idx >= 0]
    total_by, reached_by, hole_by = _places_by_country(places, places_status)
    out: list[CountryReach] = []
    for i in range(len(countries)):
        iso2 = str(countries.iso2[i])
        p_all = total_by.get(iso2, 0) if iso2 else 0
        p_hit = reached_by.get(iso2, 0) if iso2 else 0
        whole = float(country_area_km2[i])
        reached_area = min(float(area[i]), whole) if whole > 0 else float(area[i])
        out.append(
            _country_row(
                countries,
                i,
                area_km2=whole,
                area_reached_km2=reached_area,
                people=float(pop[i]),
                places_all=p_all,
                places_hit=p_hit,
                in_hole=hole_by.get(iso2, 0) > 0,
            )
        )
    return out, total
