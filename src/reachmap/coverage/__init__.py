"""The coverage engine: which places, cells and people lie within range, decided by exact distance.

Holds :mod:`~reachmap.coverage.places` (countries, capitals and places reached),
:mod:`~reachmap.coverage.raster` (the row-interval engine on a lat/lon grid),
:mod:`~reachmap.coverage.grid` (population grids and their cache),
:mod:`~reachmap.coverage.geotiff` (a user's raster) and
:mod:`~reachmap.coverage.popgrid` (the default derived grid). May import
:mod:`reachmap.catalog`, :mod:`reachmap.world`, :mod:`reachmap.geo` and the foundation
modules; never :mod:`reachmap.rules`, its sibling, or anything above.
"""
