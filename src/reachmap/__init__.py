"""reachmap: what can a strategic system reach from where it is deployed, and who lives there.

Every public name of the library is importable from here (``from reachmap import analyze,
envelope, find_place``), and each is loaded on first use (PEP 562): ``import reachmap``
loads no module of the library, so a command or a script pays only for what it uses. The
name's home is the module in the table below; each module's ``__all__`` lists what it
offers, and a test checks that the table and the ``__all__`` lists agree. The layers
(``geo`` → ``world`` → ``catalog`` → ``coverage``/``rules`` → ``analysis`` →
``ingest``/``report`` → interfaces) are described in docs/architecture.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from reachmap._version import __version__ as __version__

#: The public names, by the module (under ``reachmap.``) that defines them.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "errors": (
        "InputError", "PlaceNotFoundError", "ReachmapError",
    ),
    "geo.geodesy": (
        "ANTIPODAL_DISTANCE_KM", "GEOD", "MAX_RADIUS_KM", "SPHERE_RELATIVE_ERROR", "area_km2",
        "azimuth_deg", "cell_area_km2", "destination", "distance_km", "inverse",
        "inverse_with_arrival", "normalize_lon", "parse_latlon", "sphere_distance_km",
        "validate_lat_lon",
    ),
    "geo.envelope": (
        "MIN_DRAWN_RADIUS_KM", "WORLD", "annuli_union", "annulus", "boundary_ring",
        "boundary_tolerance_km", "disc", "envelope", "to_geojson",
    ),
    "geo.units": (
        "KM_PER_MILE", "KM_PER_NMI", "MAX_KM", "RangeKm", "parse_km", "parse_range", "to_km",
    ),
    "world.place": (
        "Place",
    ),
    "world.tables": (
        "CountryTable", "PlaceTable", "capitals", "load_countries", "load_places",
        "place_polygon_rows",
    ),
    "world.parts": (
        "COAST_DEG", "CUTS", "CountryPart", "load_parts",
    ),
    "world.gazetteer": (
        "find_place", "name_key", "name_keys", "search_places",
    ),
    "world.regions": (
        "CONTINENTS", "Citation", "City", "Member", "REGION_KINDS", "Region", "load_regions",
        "region",
    ),
    "world.sites": (
        "Site", "resolve_site",
    ),
    "catalog.models": (
        "CatalogSite", "Deployment", "Event", "Quantity", "RangeFigure", "Record", "Source",
        "System",
    ),
    "catalog.check": (
        "CatalogError", "Problem", "validate_catalog",
    ),
    "catalog.store": (
        "Catalog", "load_catalog",
    ),
    "rules.regimes": (
        "BASINGS", "Band", "InForce", "Regime", "SYSTEM_CLASSES", "km_text", "load_regimes",
        "regime",
    ),
    "rules.classification": (
        "Classifiable", "Finding", "VERDICTS", "capability_km", "classifiable", "classify",
    ),
    "coverage.places": (
        "BEYOND", "CountryReach", "FULL_SHARE", "IN_HOLE", "PointReach", "REACHED",
        "country_reach", "grid_country_reach", "reach_points",
    ),
    "coverage.raster": (
        "GridGeometry", "RowIntervals", "covered_intervals", "covered_union", "disc_row_bounds",
    ),
    "coverage.cells": (
        "empty_intervals", "intersect_intervals", "merge_intervals", "polygon_cells",
        "subtract_intervals",
    ),
    "coverage.grid": (
        "CountryRuns", "LatLonGrid", "PopulationRaster", "country_runs", "rasterize_countries",
    ),
    "coverage.geotiff": (
        "DenseRaster", "read_geotiff",
    ),
    "coverage.popgrid": (
        "DasymetricRaster", "FORMAT_VERSION", "LEVELS", "build_default_grid", "cache_dir",
        "default_grid",
    ),
    "analysis.reach": (
        "CapitalReach", "PlaceReach", "ReachResult", "analyze", "load_population",
        "population_for", "reach_bounds",
    ),
    "analysis.claims": (
        "HOLDS", "HOLDS_WITH_EXCEPTIONS", "NOT_HOLD", "RegionLike", "Verdict", "VerdictPart",
        "check_region", "needed_text", "region_cells", "region_range_needed",
        "verdict_rows",
    ),
    "analysis.ranges": (
        "Interval", "UncertainRange", "parse_interval",
    ),
    "analysis.uncertainty": (
        "CERTAIN", "POSSIBLE", "TIERS", "UNREACHABLE", "UncertainSite", "distance_bounds",
        "point_tiers", "tier_annuli", "tiers_from_bounds", "uncertain_sites",
    ),
    "analysis.probability": (
        "CountryTier", "METHOD", "PlaceTier", "UncertainResult", "analyze_uncertain",
    ),
    "analysis.needed": (
        "HoleContents", "RangeNeeded", "capitals_needed", "range_needed",
    ),
    "analysis.scenario": (
        "Scenario", "ScenarioRun", "deployment_site", "deployment_system", "load_scenario",
        "read_toml_model", "run_scenario",
    ),
    "analysis.sweep": (
        "SWEEP_COLUMNS", "SweepScenario", "SweepSpec", "load_sweep", "run_serial",
        "scenario_rows", "write_outputs",
    ),
    "batch": (
        "dask_client", "local_cluster", "run_on_dask",
    ),
    "ingest.extract": (
        "Extraction", "Extractions", "VAGUE", "extract",
    ),
    "ingest.review": (
        "ClaimCheck", "render_ingest_report", "review_document", "review_toml", "run_checks",
    ),
    "report.sections": (
        "ReportSection", "html_table",
    ),
    "report.html": (
        "DEFAULT_PROVENANCE", "render_report", "write_report",
    ),
    "report.mapview": (
        "DENSIFY_DEG", "MAX_VIEW_RADIUS_KM", "MapView", "Projector", "map_centre", "map_view",
        "view_radius_km",
    ),
    "report.staticmap": (
        "render_map_png",
    ),
    "report.scenario": (
        "render_scenario",
    ),
    "report.export": (
        "FILE_FORMATS", "FORMATS", "feature_collection", "format_for_path", "render",
        "summary_text", "write",
    ),
}  # fmt: skip
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use, and keep it."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'reachmap' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"reachmap.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # type checkers and IDEs see every name without running the imports
    from reachmap.analysis.claims import *  # noqa: F403
    from reachmap.analysis.probability import *  # noqa: F403
    from reachmap.analysis.ranges import *  # noqa: F403
    from reachmap.analysis.reach import *  # noqa: F403
    from reachmap.analysis.scenario import *  # noqa: F403
    from reachmap.analysis.sweep import *  # noqa: F403
    from reachmap.analysis.uncertainty import *  # noqa: F403
    from reachmap.batch import *  # noqa: F403
    from reachmap.catalog.check import *  # noqa: F403
    from reachmap.catalog.models import *  # noqa: F403
    from reachmap.catalog.store import *  # noqa: F403
    from reachmap.coverage.geotiff import *  # noqa: F403
    from reachmap.coverage.grid import *  # noqa: F403
    from reachmap.coverage.places import *  # noqa: F403
    from reachmap.coverage.popgrid import *  # noqa: F403
    from reachmap.coverage.raster import *  # noqa: F403
    from reachmap.errors import *  # noqa: F403
    from reachmap.geo.envelope import *  # noqa: F403
    from reachmap.geo.geodesy import *  # noqa: F403
    from reachmap.geo.units import *  # noqa: F403
    from reachmap.ingest.extract import *  # noqa: F403
    from reachmap.ingest.review import *  # noqa: F403
    from reachmap.report.export import *  # noqa: F403
    from reachmap.report.html import *  # noqa: F403
    from reachmap.report.mapview import *  # noqa: F403
    from reachmap.report.scenario import *  # noqa: F403
    from reachmap.report.sections import *  # noqa: F403
    from reachmap.report.staticmap import *  # noqa: F403
    from reachmap.rules.classification import *  # noqa: F403
    from reachmap.rules.regimes import *  # noqa: F403
    from reachmap.world.gazetteer import *  # noqa: F403
    from reachmap.world.regions import *  # noqa: F403
    from reachmap.world.sites import *  # noqa: F403
    from reachmap.world.tables import *  # noqa: F403
