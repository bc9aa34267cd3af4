#!/usr/bin/env bash
# Command 2 of the README: install reachmap with its test tools, the servers the tests
# need (PostgreSQL, Debian's Chromium: installed with apt if missing, then started), and
# run every check. Nothing is skipped here: a missing server fails the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
REACHMAP_TEST_DATABASE_URL="$(bash scripts/postgres.sh | tail -n 1)"
REACHMAP_CHROMIUM="$(bash scripts/chromium.sh | tail -n 1)"
export REACHMAP_TEST_DATABASE_URL REACHMAP_CHROMIUM
export REACHMAP_REQUIRE_POSTGRES=1 REACHMAP_REQUIRE_BROWSER=1
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/lint-imports  # the layer contracts in pyproject.toml
.venv/bin/python -m pytest -n 2 -p no:cacheprovider "$@"
