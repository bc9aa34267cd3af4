"""reachmap: what can a strategic system reach from where it is deployed, and who lives there.

The public names of every module are re-exported here; each module's ``__all__``
is the list of what it offers. The report modules (which import matplotlib) are
loaded on first use of one of their names.
"""

from __future__ import annotations

import importlib
from typing import Any

from reachmap.batch import *  # noqa: F403
from reachmap.batch import __all__ as _batch_all
from reachmap.catalog import *  # noqa: F403
from reachmap.catalog import __all__ as _catalog_all
from reachmap.claims import *  # noqa: F403
from reachmap.claims import __all__ as _claims_all
from reachmap.classification import *  # noqa: F403
from reachmap.classification import __all__ as _classification_all
from reachmap.coverage import *  # noqa: F403
from reachmap.coverage import __all__ as _coverage_all
from reachmap.envelope import *  # noqa: F403
from reachmap.envelope import __all__ as _envelope_all
from reachmap.errors import *  # noqa: F403
from reachmap.errors import __all__ as _errors_all
from reachmap.gazetteer import *  # noqa: F403
from reachmap.gazetteer import __all__ as _gazetteer_all
from reachmap.geodesy import *  # noqa: F403
from reachmap.geodesy import __all__ as _geodesy_all
from reachmap.geotiff import *  # noqa: F403
from reachmap.geotiff import __all__ as _geotiff_all
from reachmap.grid import *  # noqa: F403
from reachmap.grid import __all__ as _grid_all
from reachmap.ingest import *  # noqa: F403
from reachmap.ingest import __all__ as _ingest_all
from reachmap.ingestreview import *  # noqa: F403
from reachmap.ingestreview import __all__ as _ingestreview_all
from reachmap.popgrid import *  # noqa: F403
from reachmap.popgrid import __all__ as _popgrid_all
from reachmap.probability import *  # noqa: F403
from reachmap.probability import __all__ as _probability_all
from reachmap.raster import *  # noqa: F403
from reachmap.raster import __all__ as _raster_all
from reachmap.reach import *  # noqa: F403
from reachmap.reach import __all__ as _reach_all
from reachmap.regimes import *  # noqa: F403
from reachmap.regimes import __all__ as _regimes_all
from reachmap.regions import *  # noqa: F403
from reachmap.regions import __all__ as _regions_all
from reachmap.scenario import *  # noqa: F403
from reachmap.scenario import __all__ as _scenario_all
from reachmap.sweep import *  # noqa: F403
from reachmap.sweep import __all__ as _sweep_all
from reachmap.uncertainty import *  # noqa: F403
from reachmap.uncertainty import __all__ as _uncertainty_all
from reachmap.units import *  # noqa: F403
from reachmap.units import __all__ as _units_all
from reachmap.world import *  # noqa: F403
from reachmap.world import __all__ as _world_all

__version__ = "0.1.0"

#: Names loaded on first use, by module (these modules import matplotlib).
_LAZY = {
    "report": (
        "DEFAULT_PROVENANCE", "ReportSection", "html_table", "render_report", "write_report",
    ),
    "reportmap": (
        "DENSIFY_DEG", "MAX_VIEW_RADIUS_KM", "MapView", "map_centre", "map_view",
        "render_map_png", "view_radius_km",
    ),
}  # fmt: skip
_LAZY_NAME = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _LAZY_NAME.get(name)
    if module is None:
        raise AttributeError(f"module 'reachmap' has no attribute {name!r}")
    return getattr(importlib.import_module(f"reachmap.{module}"), name)


__all__ = sorted(
    {
        *_batch_all,
        *_catalog_all,
        *_claims_all,
        *_classification_all,
        *_coverage_all,
        *_envelope_all,
        *_errors_all,
        *_gazetteer_all,
        *_ingest_all,
        *_ingestreview_all,
        *_geodesy_all,
        *_geotiff_all,
        *_grid_all,
        *_popgrid_all,
        *_probability_all,
        *_raster_all,
        *_reach_all,
        *_regimes_all,
        *_regions_all,
        *_scenario_all,
        *_sweep_all,
        *_uncertainty_all,
        *_units_all,
        *_world_all,
        *_LAZY_NAME,
    }
)
