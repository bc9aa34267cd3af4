"""Analyses built on the engine and the rules: reach, claims, uncertainty and scenarios.

Holds :mod:`~reachmap.analysis.reach` (one analysis: sites, range, population),
:mod:`~reachmap.analysis.claims` (verdicts on "can cover all of Europe"),
:mod:`~reachmap.analysis.uncertainty` and :mod:`~reachmap.analysis.probability` (tiers
and seeded Monte Carlo), :mod:`~reachmap.analysis.scenario` (a TOML file that reproduces
a report) and :mod:`~reachmap.analysis.sweep` (grids of uncertain scenarios; Dask runs
them from :mod:`reachmap.batch`). May import :mod:`reachmap.rules`,
:mod:`reachmap.coverage` and everything below; never :mod:`reachmap.ingest`,
:mod:`reachmap.report` or the interfaces.
"""
