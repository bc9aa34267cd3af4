"""reachmap: what can a strategic system reach from where it is deployed, and who lives there.

The public names of every module are re-exported here; each module's ``__all__``
is the list of what it offers.
"""

from __future__ import annotations

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
from reachmap.popgrid import *  # noqa: F403
from reachmap.popgrid import __all__ as _popgrid_all
from reachmap.raster import *  # noqa: F403
from reachmap.raster import __all__ as _raster_all
from reachmap.reach import *  # noqa: F403
from reachmap.reach import __all__ as _reach_all
from reachmap.units import *  # noqa: F403
from reachmap.units import __all__ as _units_all
from reachmap.world import *  # noqa: F403
from reachmap.world import __all__ as _world_all

__version__ = "0.1.0"

__all__ = sorted(
    {
        *_coverage_all,
        *_envelope_all,
        *_errors_all,
        *_gazetteer_all,
        *_geodesy_all,
        *_geotiff_all,
        *_grid_all,
        *_popgrid_all,
        *_raster_all,
        *_reach_all,
        *_units_all,
        *_world_all,
    }
)
