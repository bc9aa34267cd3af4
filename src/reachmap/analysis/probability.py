"""Reach under uncertainty: tiers per place and country, and Monte Carlo probabilities.

:func:`analyze_uncertain` applies the tiers of :mod:`reachmap.analysis.uncertainty` to every
GeoNames place and to the population (a grid, or the places), and with ``draws``
estimates, per place and per country, the probability of being reached under the
stated uncertainty. See :mod:`reachmap.analysis.uncertainty` for the model and its bounds.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import shapely
from shapely.geometry import MultiPolygon

from reachmap.analysis.uncertainty import (
    CERTAIN,
    MAX_DRAWS,
    POSSIBLE,
    UNREACHABLE,
    UncertainRange,
    UncertainSite,
    distance_bounds,
    tier_annuli,
    tiers_from_bounds,
)
from reachmap.coverage.grid import PopulationRaster
from reachmap.coverage.places import FULL_SHARE, reach_points
from reachmap.coverage.raster import RowIntervals, covered_union
from reachmap.errors import InputError
from reachmap.geo.envelope import annuli_union
from reachmap.world.parts import CountryPart
from reachmap.world.tables import load_countries, load_places, place_polygon_rows

__all__ = [
    "METHOD",
    "CountryTier",
    "PlaceTier",
    "UncertainResult",
    "analyze_uncertain",
]

# ------------------------------------------------------------------ results


@dataclass(frozen=True)
class PlaceTier:
    """A place's tier, its distance bounds from the nearest site, and its probability.

    ``probability`` is NaN without Monte Carlo draws.
    """

    name: str
    country: str
    lat: float
    lon: float
    population: int
    tier: str
    min_km: float
    max_km: float
    probability: float


@dataclass(frozen=True)
class CountryTier:
    """A country's population certainly and possibly reached, and its probabilities.

    Attributes
    ----------
    certain_population, possible_population : int
        People in the places (or grid cells) that are certainly / possibly reached;
        the possible figure includes the certain one.
    tier : str
        ``"certain"`` if some of its people are certainly reached, ``"possible"`` if
        some possibly, else ``"unreachable"``.
    certain_full : bool
        Whether the whole country (share >= 99.99%) is certainly reached.
    probability_reached, probability_full : float
        Share of the draws in which any of its people / the whole country is reached
        (NaN without draws).
    population_mean, population_p05, population_p95 : float
        Mean and 5th/95th percentiles of the people reached over the draws (NaN without).
    """

    iso2: str
    name: str
    population: int
    certain_population: int
    possible_population: int
    tier: str
    certain_full: bool
    probability_reached: float = math.nan
    probability_full: float = math.nan
    population_mean: float = math.nan
    population_p05: float = math.nan
    population_p95: float = math.nan


@dataclass(frozen=True)
class UncertainResult:
    """Tiers (exact) and Monte Carlo probabilities for an uncertain analysis."""

    sites: tuple[UncertainSite, ...]
    range: UncertainRange
    draws: int
    seed: int | None
    population_source: str
    countries: tuple[CountryTier, ...] = field(repr=False)
    capitals: tuple[PlaceTier, ...] = field(repr=False)
    places: tuple[PlaceTier, ...] = field(repr=False)
    places_certain: int
    places_possible: int
    population_certain: int
    population_possible: int
    population_mean: float = math.nan
    population_p05: float = math.nan
    population_p95: float = math.nan
    certain_envelope: MultiPolygon = field(default_factory=MultiPolygon, repr=False)
    possible_envelope: MultiPolygon = field(default_factory=MultiPolygon, repr=False)
    #: People reached per draw (rows) and country (columns, in
    #: :func:`~reachmap.world.tables.load_countries` order); shape ``(0, n)`` without draws.
    draw_population: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    #: Whether each country was wholly reached (share >= 99.99%), per draw; same shape.
    draw_full: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool), repr=False)
    #: The country parts asked for (``parts=`` of :func:`analyze_uncertain`), as rows like
    #: ``countries``; their draws are the columns after the countries' in ``draw_*``.
    parts: tuple[CountryTier, ...] = field(default=(), repr=False)

    def countries_in(self, tier: str) -> list[CountryTier]:
        """Countries of one tier, most people first."""
        rows = [c for c in self.countries if c.tier == tier]
        return sorted(rows, key=lambda c: (-c.possible_population, c.name))

    def capitals_in(self, tier: str) -> list[PlaceTier]:
        """Capitals of one tier, nearest first."""
        return sorted((c for c in self.capitals if c.tier == tier), key=lambda c: c.min_km)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (NaN as None; no geometry)."""

        def num(x: float) -> float | None:
            return None if math.isnan(x) else round(x, 6)

        def place(p: PlaceTier) -> dict[str, Any]:
            return {
                "name": p.name, "country": p.country, "lat": p.lat, "lon": p.lon,
                "population": p.population, "tier": p.tier, "min_km": round(p.min_km, 6),
                "max_km": round(p.max_km, 6), "probability": num(p.probability),
            }  # fmt: skip

        return {
            "sites": [
                {
                    "label": s.label,
                    "lat": s.site.lat,
                    "lon": s.site.lon,
                    "radius_km": s.radius_km,
                    "polygon": [list(v) for v in s.polygon] if s.polygon else None,
                }
                for s in self.sites
            ],
            "range": {
                "text": self.range.text,
                "min_km": [self.range.min.lo_km, self.range.min.hi_km],
                "max_km": [self.range.max.lo_km, self.range.max.hi_km],
                "max_mode_km": self.range.max.mode_km,
            },
            "draws": self.draws,
            "seed": self.seed,
            "population_source": self.population_source,
            "totals": {
                "places_certain": self.places_certain,
                "places_possible": self.places_possible,
                "population_certain": self.population_certain,
                "population_possible": self.population_possible,
                "population_mean": num(self.population_mean),
                "population_p05": num(self.population_p05),
                "population_p95": num(self.population_p95),
            },
            "countries": [
                {
                    "iso2": c.iso2,
                    "name": c.name,
                    "population": c.population,
                    "certain_population": c.certain_population,
                    "possible_population": c.possible_population,
                    "tier": c.tier,
                    "certain_full": c.certain_full,
                    "probability_reached": num(c.probability_reached),
                    "probability_full": num(c.probability_full),
                    "population_mean": num(c.population_mean),
                    "population_p05": num(c.population_p05),
                    "population_p95": num(c.population_p95),
                }
                for c in self.countries
                if c.tier != UNREACHABLE
            ],
            "capitals": [place(p) for p in self.capitals],
            "places": [place(p) for p in self.places],
            "method": METHOD,
        }


#: What every result says about how tiers and probabilities were computed.
METHOD: Final = (
    "Certain: reached from every point of each site's disc or polygon with every "
    "admissible range; possible: from some; unreachable: from none. A disc's distance "
    "bounds are exact (d - u; d + u except near the antipode, where it is a bound). "
    "Probabilities are the share of seeded Monte Carlo draws (sites uniform by area, "
    "range ends uniform or triangular) in which a place or country is reached; they "
    "describe the stated uncertainty, not the world."
)


# ------------------------------------------------------------------ analysis


def analyze_uncertain(
    sites: Sequence[UncertainSite],
    range_km: UncertainRange,
    population: PopulationRaster | None = None,
    *,
    draws: int = 0,
    seed: int | None = 0,
    top: int = 100,
    progress: Callable[[int], None] | None = None,
    parts: Sequence[CountryPart] = (),
) -> UncertainResult:
    """Tiers of every place and country, and (with ``draws``) Monte Carlo probabilities.

    Parameters
    ----------
    sites : sequence of UncertainSite
        The sites, each a disc or a polygon; a place counts as reached from any.
    range_km : UncertainRange
        The uncertain range.
    population : PopulationRaster, optional
        A population grid; without one, populations are GeoNames places.
    draws : int
        Monte Carlo draws (0: tiers only), at most :data:`MAX_DRAWS`.
    seed : int, optional
        Seed of the draws; the same seed gives the same probabilities.
    top : int
        How many places to list (the most populous certain or possible places).
    progress : callable, optional
        Called with the number of draws done after each draw.
    parts : sequence of CountryPart, optional
        Parts of countries to measure as well (a region that counts, say, Russia west
        of the Urals): each gets a row in ``parts`` and a column after the countries'
        in the draws.

    Returns
    -------
    UncertainResult

    Examples
    --------
    >>> from reachmap.analysis.reach import resolve_site
    >>> from reachmap.analysis.uncertainty import Interval
    >>> r = analyze_uncertain([UncertainSite(resolve_site("Minsk"), radius_km=50.0)],
    ...                       UncertainRange(Interval(0, 0), Interval(600, 700)), draws=20)
    >>> [c.name for c in r.capitals_in("certain")]
    ['Minsk', 'Vilnius', 'Riga', 'Kyiv', 'Warsaw']
    >>> tallinn = r.capitals_in("possible")[0]
    >>> tallinn.name, 0.0 < tallinn.probability < 1.0
    ('Tallinn', True)
    """
    if not sites:
        raise InputError("site", "", "at least one site (a place name or 'lat,lon')")
    if isinstance(draws, bool) or not isinstance(draws, int) or not 0 <= draws <= MAX_DRAWS:
        raise InputError("draws", draws, f"a whole number from 0 to {MAX_DRAWS:,}")
    places = load_places()
    countries = load_countries()
    dmin, dmax = distance_bounds(sites, places.lat, places.lon, thresholds_km=range_km.thresholds)
    tiers = tiers_from_bounds(dmin, dmax, range_km)
    certain_ann, possible_ann = tier_annuli(sites, range_km)
    place_country = place_polygon_rows()  # overseas places count in the polygon that holds them
    place_pop = np.asarray(places.population, dtype=np.float64)
    n_c = len(countries)
    owner = np.array([countries.index_of(p.iso2) for p in parts], dtype=np.int64)
    n_cols = n_c + len(parts)
    columns = _Columns(population, place_country, parts, owner, n_c, places)

    if population is None:
        all_pop = columns.places(place_pop)
        country_pop = np.asarray(countries.population, dtype=np.float64)
        share = np.divide(
            np.concatenate([country_pop, country_pop[owner]]), np.concatenate(
                [all_pop[:n_c], all_pop[owner]]),
            out=np.zeros(n_cols), where=np.concatenate([all_pop[:n_c], all_pop[owner]]) > 0,
        )  # fmt: skip
        cert_c = columns.places(np.where(tiers == CERTAIN, place_pop, 0)) * share
        poss_c = columns.places(np.where(tiers != UNREACHABLE, place_pop, 0)) * share
        denom = all_pop * share  # each country's population, 0 if it has no places
        complete = np.ones(n_cols, dtype=bool)
        source = "GeoNames places (estimate)"
    else:
        cert_c = columns.grid(covered_union(population.grid, certain_ann))
        poss_c = columns.grid(covered_union(population.grid, possible_ann))
        # "all of a country" is only known for countries wholly inside the raster
        inside = _wholly_inside(population.grid, countries)
        complete = np.concatenate([inside, inside[owner]])
        denom = np.where(complete, columns.grid(_all_cells(population)), np.inf)
        share = None
        source = population.description

    mc = None
    if draws > 0 and not (range_km.is_exact and all(s.radius_km == 0 for s in sites)):
        mc = _monte_carlo(
            sites, range_km, population, places, columns, place_pop, share, tiers,
            denom, draws=draws, seed=seed, n_countries=n_cols, progress=progress,
        )  # fmt: skip
    elif draws > 0:  # nothing is uncertain: every draw is the same, no need to draw
        mc = _every_draw_alike(tiers, cert_c, denom, draws)
        if progress is not None:
            progress(draws)
    place_prob = mc["place_probability"] if mc is not None else np.full(tiers.size, np.nan)

    country_rows = []
    for i in range(n_cols):
        cert, poss = float(cert_c[i]), float(poss_c[i])
        tier = CERTAIN if cert > 0 else POSSIBLE if poss > 0 else UNREACHABLE
        full = denom[i] > 0 and cert >= FULL_SHARE * denom[i]
        extra: dict[str, float] = {}
        if mc is not None:
            extra = {k: float(mc[k][i]) for k in (
                "probability_reached", "probability_full", "population_mean",
                "population_p05", "population_p95")}  # fmt: skip
            if not complete[i]:
                extra["probability_full"] = math.nan
        c = i if i < n_c else int(owner[i - n_c])
        part_pop = math.ceil(denom[i] - 1e-6) if math.isfinite(denom[i]) else 0
        name = str(countries.name[c])
        country_rows.append(
            CountryTier(
                iso2=str(countries.iso2[c]),
                name=name if i < n_c else f"{name} ({parts[i - n_c].cut} part)",
                population=int(countries.population[c]) if i < n_c else part_pop,
                certain_population=math.floor(cert + 1e-6),  # never overstated
                possible_population=math.ceil(poss - 1e-6),  # never understated
                tier=tier,
                certain_full=bool(full),
                **extra,
            )
        )

    def place_row(i: int) -> PlaceTier:
        p = places.row(i)
        k = int(np.argmin(dmin[:, i]))  # the nearest site's area
        return PlaceTier(
            name=p.name, country=p.country, lat=p.lat, lon=p.lon, population=int(p.population),
            tier=str(tiers[i]), min_km=float(dmin[k, i]), max_km=float(dmax[k, i]),
            probability=float(place_prob[i]),
        )  # fmt: skip

    cap_idx = np.flatnonzero(np.asarray(places.is_capital))
    listed = np.flatnonzero(tiers != UNREACHABLE)
    listed = listed[np.argsort(-place_pop[listed], kind="stable")[:top]]
    if any(s.polygon is not None for s in sites):  # listed rows get a polygon's own bounds
        shown = np.concatenate([cap_idx, listed])
        dmin[:, shown], dmax[:, shown] = distance_bounds(
            sites, places.lat[shown], places.lon[shown]
        )
    totals_extra: dict[str, Any] = {
        "draw_population": np.zeros((0, n_cols)),
        "draw_full": np.zeros((0, n_cols), dtype=bool),
    }
    if mc is not None:
        totals_extra["draw_population"] = mc["by_country"]
        totals_extra["draw_full"] = mc["full"]
        for k in ("population_mean", "population_p05", "population_p95"):
            totals_extra[k] = float(mc["total_" + k])
    return UncertainResult(
        sites=tuple(sites),
        range=range_km,
        draws=draws,
        seed=seed,
        population_source=source,
        countries=tuple(country_rows[:n_c]),
        parts=tuple(country_rows[n_c:]),
        capitals=tuple(place_row(int(i)) for i in cap_idx),
        places=tuple(place_row(int(i)) for i in listed),
        places_certain=int((tiers == CERTAIN).sum()),
        places_possible=int((tiers != UNREACHABLE).sum()),
        population_certain=round(float(cert_c.sum())),
        population_possible=round(float(poss_c.sum())),
        certain_envelope=annuli_union(certain_ann),
        possible_envelope=annuli_union(possible_ann),
        **totals_extra,
    )


@dataclass(frozen=True)
class _Columns:
    """Sums per country, then per country part (the columns of the draws)."""

    population: PopulationRaster | None
    place_country: np.ndarray
    parts: Sequence[CountryPart]
    owner: np.ndarray
    n_countries: int
    place_table: Any

    def places(self, values: np.ndarray) -> np.ndarray:
        """Sum per-place values by country, then over each part's own places."""
        out = _by_country(self.place_country, values, self.n_countries)
        if not self.parts:
            return out
        v = np.asarray(values, dtype=np.float64)
        extra = [float(v[m].sum()) for m in self._place_masks]
        return np.concatenate([out, extra])

    @functools.cached_property
    def _place_masks(self) -> list[np.ndarray]:
        p = self.place_table
        masks = []
        for part, c in zip(self.parts, self.owner, strict=True):
            mine = self.place_country == c
            mask = np.zeros(len(mine), dtype=bool)
            mask[mine] = part.holds(p.lat[mine], p.lon[mine])
            masks.append(mask)
        return masks

    def grid(self, covered: Any) -> np.ndarray:
        """Sum a grid's people over covered cells by country, then over each part's cells."""
        assert self.population is not None
        out = _grid_by_country(self.population, covered, self.n_countries)
        if not self.parts:
            return out
        from reachmap.coverage.cells import intersect_intervals, polygon_cells

        extra = []
        for part, c in zip(self.parts, self.owner, strict=True):
            cells = intersect_intervals(covered, polygon_cells(self.population.grid, part.geometry))
            extra.append(float(_grid_by_country(self.population, cells, self.n_countries)[c]))
        return np.concatenate([out, extra])


def _by_country(country: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    ok = country >= 0
    return np.bincount(country[ok], weights=np.asarray(values, float)[ok], minlength=n)


def _grid_by_country(raster: PopulationRaster, covered: Any, n: int) -> np.ndarray:
    out = np.zeros(n)
    if covered.rows.size:
        idx, sums = raster.interval_sums_by_country(covered.rows, covered.starts, covered.stops)
        out[idx[idx >= 0]] = sums[idx >= 0]
    return out


def _wholly_inside(grid: Any, countries: Any) -> np.ndarray:
    """Whether each country's outline lies inside a (window of a) grid."""
    g = grid
    if g.is_global_lon and g.nrows * g.dy_deg >= 180.0 - 1e-9:
        return np.ones(len(countries), dtype=bool)
    west, south, east, north = shapely.bounds(np.asarray(countries.geometry)).T
    eps = 1e-9
    lon_ok = np.ones(len(countries), dtype=bool) if g.is_global_lon else (
        (west >= g.west_deg - eps) & (east <= g.east_deg + eps))  # fmt: skip
    return np.asarray(lon_ok & (south >= g.south_deg - eps) & (north <= g.north_deg + eps))


def _all_cells(raster: PopulationRaster) -> RowIntervals:
    g = raster.grid
    rows = np.arange(g.nrows, dtype=np.int64)
    return RowIntervals(rows, np.zeros(g.nrows, np.int64), np.full(g.nrows, g.ncols, np.int64))


def _every_draw_alike(
    tiers: np.ndarray, people: np.ndarray, denom: np.ndarray, draws: int
) -> dict[str, Any]:
    """Return what :func:`_monte_carlo` would when sites and range are exact: no chance left."""
    by_country = np.tile(people, (draws, 1))
    full = (by_country >= FULL_SHARE * denom) & (denom > 0)
    total = float(people.sum())
    return {
        "place_probability": np.where(tiers == CERTAIN, 1.0, 0.0),
        "by_country": by_country,
        "full": full,
        "probability_reached": (people > 0).astype(float),
        "probability_full": full[0].astype(float),
        "population_mean": people,
        "population_p05": people,
        "population_p95": people,
        "total_population_mean": total,
        "total_population_p05": total,
        "total_population_p95": total,
    }


def _monte_carlo(
    sites: Sequence[UncertainSite],
    rng: UncertainRange,
    population: PopulationRaster | None,
    places: Any,
    columns: _Columns,
    place_pop: np.ndarray,
    share: np.ndarray | None,
    tiers: np.ndarray,
    denom: np.ndarray,
    *,
    draws: int,
    seed: int | None,
    n_countries: int,
    progress: Callable[[int], None] | None,
) -> dict[str, np.ndarray]:
    """Draw sites and ranges; count, per place and country, the draws that reach them."""
    gen = np.random.default_rng(seed)
    site_draws = [s.sample(gen, draws) for s in sites]
    min_draws = rng.min.sample(gen, draws)
    max_draws = rng.max.sample(gen, draws)
    min_draws = np.minimum(min_draws, max_draws)
    open_idx = np.flatnonzero(tiers == POSSIBLE)
    certain = tiers == CERTAIN
    hits = np.zeros(open_idx.size)
    by_country = np.zeros((draws, n_countries))
    certain_pop = np.where(certain, place_pop, 0.0)
    totals = np.zeros(draws)
    for k in range(draws):
        pts = [(float(la[k]), float(lo[k])) for la, lo in site_draws]
        lo_k, hi_k = float(min_draws[k]), float(max_draws[k])
        reached = np.zeros(0, dtype=bool)
        if open_idx.size:
            reached = reach_points(
                lat=places.lat[open_idx], lon=places.lon[open_idx], sites=pts,
                min_km=lo_k, max_km=hi_k,
            ).reached  # fmt: skip
            hits += reached
        if population is None:
            pop = certain_pop.copy()
            pop[open_idx] += np.where(reached, place_pop[open_idx], 0.0)
            assert share is not None
            by_country[k] = columns.places(pop) * share
        else:
            cov = covered_union(population.grid, [(a, b, lo_k, hi_k) for a, b in pts])
            by_country[k] = columns.grid(cov)
        totals[k] = by_country[k].sum()
        if progress is not None:
            progress(k + 1)
    place_prob = np.where(certain, 1.0, 0.0)
    place_prob[open_idx] = hits / draws
    full = by_country >= FULL_SHARE * denom
    return {
        "place_probability": place_prob,
        "by_country": by_country,
        "full": full & (denom > 0),
        "probability_reached": (by_country > 0).mean(axis=0),
        "probability_full": np.where(denom > 0, full.mean(axis=0), 0.0),
        "population_mean": by_country.mean(axis=0),
        "population_p05": np.percentile(by_country, 5, axis=0),
        "population_p95": np.percentile(by_country, 95, axis=0),
        "total_population_mean": totals.mean(),
        "total_population_p05": np.percentile(totals, 5),
        "total_population_p95": np.percentile(totals, 95),
    }
