"""The sourced catalog of systems, sites, deployments and events.

Holds :mod:`~reachmap.catalog.models` (the pydantic records: every figure with its
source and status), :mod:`~reachmap.catalog.check` (cross-checks that turn every problem
into ``file:line: message``) and :mod:`~reachmap.catalog.store` (the :class:`Catalog` and
its loader). May import :mod:`reachmap.world` (place-name keys), :mod:`reachmap.geo` and
the foundation modules; nothing above.
"""
