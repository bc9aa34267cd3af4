#!/usr/bin/env bash
# Load on the reach endpoint over loopback: start `reachmap serve` on a free port with a
# throwaway SQLite store, drive POST /api/v1/reach with wrk, print p50/p95 latency and
# the error count. wrk comes from Debian (installed here if missing, as root).
#   [WORKERS=n] bash benchmarks/load.sh [seconds] [connections]   default: 1 worker, 15 s, 4 connections
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-15}"
CONNECTIONS="${2:-4}"
if ! command -v wrk >/dev/null; then
  echo "installing wrk (apt)..." >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
fi
[ -x .venv/bin/reachmap ] || bash scripts/setup.sh >&2
tmp="$(mktemp -d)"
port="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
.venv/bin/reachmap serve --port "$port" --workers "${WORKERS:-1}" --database-url "sqlite:///$tmp/load.sqlite3" 2>"$tmp/server.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null || { cat "$tmp/server.log" >&2; exit 1; }

cat >"$tmp/reach.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"sites": [{"place": "Minsk"}], "range": "500-5500 km", "population": "places"}'
done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout + e.status
  io.write(string.format("requests %d in %.1f s (%.1f/s)\n", summary.requests,
    summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency p50 %.1f ms, p95 %.1f ms, max %.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency.max / 1000))
  io.write(string.format("errors %d (non-2xx %d, timeouts %d, socket %d)\n", errors,
    e.status, e.timeout, e.connect + e.read + e.write))
end
LUA
# one request first: the answer must be a 200 (a 4xx would make the numbers meaningless)
code="$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  -d '{"sites": [{"place": "Minsk"}], "range": "500-5500 km"}' "http://127.0.0.1:$port/api/v1/reach")"
[ "$code" = 200 ] || { echo "reach answered $code" >&2; exit 1; }
echo "POST /api/v1/reach (Minsk, 500-5500 km, places) for ${DURATION}s, ${CONNECTIONS} connections, ${WORKERS:-1} server worker(s), $(nproc) cores"
wrk -t 2 -c "$CONNECTIONS" -d "${DURATION}s" --timeout 30s -s "$tmp/reach.lua" \
  "http://127.0.0.1:$port/api/v1/reach" | sed -n '/^requests /,$p'
