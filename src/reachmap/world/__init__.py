"""The bundled world: countries, places, the gazetteer and region definitions.

Holds :mod:`~reachmap.world.tables` (Natural Earth countries and GeoNames places read
from ``reachmap/data``), :mod:`~reachmap.world.gazetteer` (find places by name) and
:mod:`~reachmap.world.regions` (what "Europe" or "NATO" means, dated). May import
:mod:`reachmap.geo` and the foundation modules (:mod:`reachmap.errors`,
:mod:`reachmap.datafile`); nothing above.
"""
