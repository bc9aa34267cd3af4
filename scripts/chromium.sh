#!/usr/bin/env bash
# Make sure a Chromium for the browser tests exists (Debian's package; the machines are
# offline for `playwright install`). Prints the executable's path as the last stdout line;
# pass it to the tests as REACHMAP_CHROMIUM if it is not /usr/bin/chromium.
set -euo pipefail

exe=${REACHMAP_CHROMIUM:-/usr/bin/chromium}
if [[ ! -x $exe ]]; then
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        echo "chromium.sh: $exe is missing; install Chromium (needs root and apt-get)" >&2
        exit 1
    fi
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
    exe=/usr/bin/chromium
fi
"$exe" --version >&2 || true
echo "$exe"
