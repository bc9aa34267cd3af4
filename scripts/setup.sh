#!/usr/bin/env bash
# Create .venv (Python >= 3.11) and install reachmap into it, with the web app (its
# Python packages and the vendored MapLibre GL JS from npm, see scripts/build_web.sh)
# and Dask for `reachmap sweep`.
#   scripts/setup.sh          the tool and the web app
#   scripts/setup.sh test     the same, and everything the test suite needs
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "error: reachmap needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
if [ "$extras" = "test" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
else
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[web,batch]"
fi
bash scripts/build_web.sh >&2
