#!/usr/bin/env bash
# Command 1 of the README: install reachmap and map what a 500-5,500 km system
# (the INF Treaty's ground-launched band) based at Minsk can reach.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p out
.venv/bin/reachmap reach --site Minsk --range "500-5,500 km" --population default \
  --out out/minsk-500-5500km.geojson \
  --out out/minsk-500-5500km.kml \
  --out out/minsk-500-5500km.csv \
  --out out/minsk-500-5500km.txt
echo
echo "Open out/minsk-500-5500km.geojson (QGIS, geojson.io) or .kml (Google Earth);"
echo "the readable summary is out/minsk-500-5500km.txt"
