#!/usr/bin/env bash
# Command 2 of the README: install reachmap with its test tools and run every check.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest -n 2 -p no:cacheprovider "$@"
