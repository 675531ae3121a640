#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, listening only on a Unix socket in a folder.
#
#   scripts/pg_test_server.sh start DIR   initdb in DIR/data (first time), start, create the
#                                         "incidents" database; prints the URL on stdout
#   scripts/pg_test_server.sh stop DIR    stop it (fast shutdown); DIR may then be deleted
#   scripts/pg_test_server.sh url DIR     print the URL again
#
# The URL is postgresql://postgres@/incidents?host=DIR&port=PORT (PORT: PG_TEST_PORT, else
# 54329); the tests read it from INCIDENT_MAP_TEST_PG. No TCP port is opened, fsync is off:
# for tests only. initdb refuses to run as root: as root the server runs as the "postgres"
# system user (DIR is handed to it), otherwise as the caller.
set -euo pipefail

action="${1:-}"
dir="${2:-}"
if [ -z "$action" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop|url DIR" >&2
  exit 2
fi
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
port="${PG_TEST_PORT:-54329}"
url="postgresql://postgres@/incidents?host=${dir}&port=${port}"

bin="${PG_BIN:-}"
if [ -z "$bin" ]; then
  initdb_path="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$initdb_path" ]; then
    bin="$(dirname "$initdb_path")"
  elif command -v initdb >/dev/null; then
    bin="$(dirname "$(command -v initdb)")"
  else
    echo "$0: PostgreSQL server binaries not found (install the Debian package postgresql)" >&2
    exit 1
  fi
fi

as_owner() {  # run a command as the server's owner
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$action" in
  start)
    if [ "$(id -u)" = 0 ]; then
      chown postgres "$dir"
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null \
        || as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >/dev/null
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    if ! as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -tAq \
          -c "SELECT 1 FROM pg_database WHERE datname = 'incidents'" | grep -q 1; then
      as_owner "$bin/createdb" -h "$dir" -p "$port" -U postgres incidents 2>/dev/null \
        || as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -q -c "CREATE DATABASE incidents"
    fi
    echo "$url"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    ;;
  url)
    echo "$url"
    ;;
  *)
    echo "usage: $0 start|stop|url DIR" >&2
    exit 2
    ;;
esac
