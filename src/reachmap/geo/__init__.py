"""Geometry on the WGS84 ellipsoid: distances, envelopes and units.

Holds :mod:`~reachmap.geo.geodesy` (the only module that talks to pyproj's ``Geod``),
:mod:`~reachmap.geo.envelope` (geodesic disc and annulus polygons, unions, RFC 7946
output) and :mod:`~reachmap.geo.units` (published ranges and their units). The bottom
layer: it imports nothing from reachmap but :mod:`reachmap.errors`.
"""
