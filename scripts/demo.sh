#!/usr/bin/env bash
# Command 1 of the README: install reachmap, map what a 500-5,500 km system (the INF
# Treaty's ground-launched band) based at Minsk can reach, and render the Belarus
# scenario report (catalog figures with sources, regimes, claim checks).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p out
.venv/bin/reachmap reach --site Minsk --range "500-5,500 km" --population default \
  --out out/minsk-500-5500km.geojson \
  --out out/minsk-500-5500km.kml \
  --out out/minsk-500-5500km.csv \
  --out out/minsk-500-5500km.txt
.venv/bin/reachmap report examples/belarus-intermediate-range.toml --out out/belarus-report.html
echo
echo "Report (open in a browser): out/belarus-report.html"
echo "Map layers: out/minsk-500-5500km.geojson (QGIS, geojson.io) or .kml (Google Earth);"
echo "the readable summary is out/minsk-500-5500km.txt"
echo "Web app: .venv/bin/reachmap serve   then open http://127.0.0.1:8765/"
