"""Arms-control rules: the regimes and how a system or a range falls under them.

Holds :mod:`~reachmap.rules.regimes` (INF, MTCR Category I, New START ... with their
bands and in-force dates, read from ``data/regimes.toml``) and
:mod:`~reachmap.rules.classification` (a system or a published range judged against
them on a date). May import :mod:`reachmap.catalog`, :mod:`reachmap.world`,
:mod:`reachmap.geo` and the foundation modules; never :mod:`reachmap.coverage`, which is
its sibling, or anything above.
"""
