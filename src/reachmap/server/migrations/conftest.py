"""Keep pytest's doctest collection out of the alembic scripts (they run only under alembic)."""

collect_ignore = ["env.py", "versions"]
