"""Outputs people open: the HTML report, the static map, and GeoJSON/KML/GPKG/CSV exports.

Holds :mod:`~reachmap.report.sections` (escaping, tables, sections: the shared HTML
pieces), :mod:`~reachmap.report.html` (the self-contained report),
:mod:`~reachmap.report.mapview` (the map's centre and extent),
:mod:`~reachmap.report.staticmap` (the PNG map, matplotlib),
:mod:`~reachmap.report.tiers` (the uncertainty section), :mod:`~reachmap.report.scenario`
(a scenario run as a report) and :mod:`~reachmap.report.export` (files for QGIS and
Google Earth). May import :mod:`reachmap.analysis` and everything below; never
:mod:`reachmap.ingest` (its sibling) or the interfaces.
"""
