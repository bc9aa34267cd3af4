"""Reading an article: proposals (systems, ranges, places, deployments) and claim checks.

Holds :mod:`~reachmap.ingest.extract` (rule- and gazetteer-based extraction, every item
with its sentence and offsets) and :mod:`~reachmap.ingest.review` (the review file and
the claim-check report). May import :mod:`reachmap.analysis` and everything below; never
:mod:`reachmap.report` (its sibling) or the interfaces.
"""
