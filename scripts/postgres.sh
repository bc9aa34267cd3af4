#!/usr/bin/env bash
# Start a local PostgreSQL server for the storage tests and print its URL.
#
#   export REACHMAP_TEST_DATABASE_URL="$(bash scripts/postgres.sh | tail -n 1)"
#
# Run as root on Debian (12); systemd is not needed. Installs PostgreSQL with apt-get when
# it is missing, creates a cluster when there is none, starts it, then creates the role
# `reachmap` (LOGIN CREATEDB, password `reachmap`) and the database `reachmap_test` owned
# by it. Safe to run again: every step checks first. Progress goes to stderr; the last line
# on stdout is the SQLAlchemy URL of `reachmap_test`.
set -euo pipefail

# Everything goes to stderr; only the URL at the end goes to the real stdout (fd 3).
exec 3>&1 1>&2

log() { printf 'postgres.sh: %s\n' "$*" >&2; }

# Run a command that starts the server (pg_ctlcluster, or apt-get whose postinst starts it)
# with every descriptor above 2 closed: a server that inherits the pipe of a caller's
# `$(bash scripts/postgres.sh | tail -n 1)` keeps it open, and the caller waits forever.
detached() {
  (
    for fd in /proc/"$BASHPID"/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done 2>/dev/null
    exec "$@"
  )
}
die() { log "error: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (it installs packages and starts the server as postgres)"

# C.UTF-8 always exists on Debian: initdb (apt's postinst or pg_createcluster below) fails on
# a locale from the environment that is not generated.
export LANG=C.UTF-8 LC_ALL=C.UTF-8

have_server() {
  command -v pg_lsclusters >/dev/null 2>&1 \
    && command -v pg_ctlcluster >/dev/null 2>&1 \
    && command -v pg_createcluster >/dev/null 2>&1 \
    && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null \
    && compgen -G '/usr/lib/postgresql/*/bin/pg_isready' >/dev/null
}

if ! have_server; then
  log "installing PostgreSQL with apt-get"
  apt-get update
  detached env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
  have_server || die "apt-get installed postgresql but the server binaries are still missing"
fi

# The newest installed server version (the directory names under /usr/lib/postgresql).
newest_version() {
  local path
  for path in /usr/lib/postgresql/*/bin/postgres; do
    [ -x "$path" ] || continue
    path=${path%/bin/postgres}
    printf '%s\n' "${path##*/}"
  done | sort -V | awk 'END { print }'
}

# "version name port status" of the cluster to use: the newest version whose server is
# installed (apt's postinst usually created <version>/main already).
pick_cluster() {
  local version name port status _
  while read -r version name port status _; do
    [ -x "/usr/lib/postgresql/$version/bin/postgres" ] || continue
    printf '%s %s %s %s\n' "$version" "$name" "$port" "$status"
  done < <(pg_lsclusters --no-header) | sort -V -r -k1,1 | awk 'NR == 1'
}

cluster=$(pick_cluster)
if [ -z "$cluster" ]; then
  version=$(newest_version)
  [ -n "$version" ] || die "no PostgreSQL server version under /usr/lib/postgresql"
  log "creating cluster $version/main"
  pg_createcluster --locale=C.UTF-8 "$version" main
  cluster=$(pick_cluster)
  [ -n "$cluster" ] || die "pg_createcluster $version main did not leave a cluster"
fi
read -r version name port status <<<"$cluster"

if [[ "$status" != online* ]]; then
  log "starting cluster $version/$name (port $port)"
  # Another run may have started it meanwhile: then `start` fails, but the cluster is up.
  if ! detached pg_ctlcluster "$version" "$name" start; then
    pg_lsclusters --no-header "$version" "$name" | awk '$4 ~ /^online/ { up = 1 } END { exit !up }' \
      || die "pg_ctlcluster $version $name start failed; see /var/log/postgresql/"
  fi
fi

log "waiting for the server on 127.0.0.1:$port"
ready=""
for _ in $(seq 1 60); do
  if pg_isready -q -h 127.0.0.1 -p "$port"; then
    ready=yes
    break
  fi
  sleep 1
done
[ -n "$ready" ] || die "the server on 127.0.0.1:$port is not ready after 60 s"

# A command as the superuser postgres (peer authentication over the Unix socket), run from /
# so that postgres does not trip over a working directory it cannot read.
as_postgres() {
  (cd / && runuser -u postgres -- "$@")
}

log "creating role reachmap and database reachmap_test (if missing)"
as_postgres psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 -p "$port" -d postgres <<'SQL'
SELECT 'CREATE ROLE reachmap'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'reachmap')
\gexec
ALTER ROLE reachmap LOGIN CREATEDB PASSWORD 'reachmap';
SELECT 'CREATE DATABASE reachmap_test OWNER reachmap'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'reachmap_test')
\gexec
ALTER DATABASE reachmap_test OWNER TO reachmap;
SQL

log "checking that reachmap can log in over TCP"
PGPASSWORD=reachmap psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" \
  -U reachmap -d reachmap_test -c 'SELECT 1' >/dev/null \
  || die "role reachmap cannot log in on 127.0.0.1:$port (see pg_hba.conf of $version/$name)"

log "ready: cluster $version/$name on port $port"
printf 'postgresql+psycopg://reachmap:reachmap@127.0.0.1:%s/reachmap_test\n' "$port" >&3
