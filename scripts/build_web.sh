#!/usr/bin/env bash
# Vendor the web page's browser dependencies (MapLibre GL JS) from web/package-lock.json
# into src/reachmap/server/static/vendor/ (gitignored). Offline-friendly: the page loads
# nothing from a CDN. Idempotent: does nothing when the vendored copy matches the lock.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

dest=src/reachmap/server/static/vendor/maplibre-gl
pkg=web/node_modules/maplibre-gl
files=(dist/maplibre-gl.mjs dist/maplibre-gl-worker.mjs dist/maplibre-gl.css LICENSE.txt)

# The locked version, read from the lockfile without node (node may not be installed yet).
locked=$(python3 - <<'PY'
import json
lock = json.load(open("web/package-lock.json"))
print(lock["packages"]["node_modules/maplibre-gl"]["version"])
PY
)

up_to_date() {
    [[ -f $dest/VERSION && $(cat "$dest/VERSION") == "maplibre-gl $locked" ]] || return 1
    local f
    for f in "${files[@]}"; do [[ -s $dest/$(basename "$f") ]] || return 1; done
}

if up_to_date; then
    echo "maplibre-gl $locked already vendored in $dest"
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    else
        echo "build_web.sh: npm is required (install Node.js 20+ and npm)" >&2
        exit 1
    fi
fi

npm ci --prefix web --no-audit --no-fund --loglevel=error >/dev/null

installed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' \
    "$pkg/package.json")
if [[ $installed != "$locked" ]]; then
    echo "build_web.sh: installed maplibre-gl $installed, locked $locked" >&2
    exit 1
fi

mkdir -p "$dest"
for f in "${files[@]}"; do
    cp "$pkg/$f" "$dest/"
done
echo "maplibre-gl $locked" >"$dest/VERSION"
echo "vendored maplibre-gl $locked into $dest"
