# Sourced by test.sh and bench/run.sh: a throwaway PostgreSQL cluster on 127.0.0.1.
#   pg_throwaway_start [fast|durable]   -> exports PG_THROWAWAY_CS (an Npgsql connection string)
#   pg_throwaway_stop                    -> stops it and removes its files (also at exit)
# Installs Debian's postgresql when no server binaries are present. As root the cluster runs as
# the postgres user (initdb refuses root).
PG_THROWAWAY_DIR=""
PG_THROWAWAY_BIN=""

_pg_run() {
  if [ "$(id -u)" = 0 ]; then
    local cmd; printf -v cmd '%q ' "$@"
    su postgres -s /bin/bash -c "PATH=$PG_THROWAWAY_BIN:\$PATH $cmd"
  else PATH="$PG_THROWAWAY_BIN:$PATH" "$@"; fi
}

_pg_find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

pg_throwaway_start() {
  local mode="${1:-fast}"
  PG_THROWAWAY_BIN="$(_pg_find_bin)"
  if [ -z "$PG_THROWAWAY_BIN" ] || [ ! -x "$PG_THROWAWAY_BIN/initdb" ]; then
    echo "Installing PostgreSQL (Debian package)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq postgresql; } >/dev/null 2>&1 || { echo "could not install postgresql" >&2; return 1; }
    PG_THROWAWAY_BIN="$(_pg_find_bin)"
  fi
  PG_THROWAWAY_DIR="$(mktemp -d /tmp/grantha-pg.XXXXXX)"
  [ "$(id -u)" = 0 ] && chown postgres "$PG_THROWAWAY_DIR"
  local port="" p
  for p in $(shuf -i 20000-40000 -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
  done
  local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "$mode" = durable ] && durability=""
  _pg_run initdb -D "$PG_THROWAWAY_DIR/data" -A trust -U postgres --no-sync >/dev/null || { echo "initdb failed" >&2; return 1; }
  _pg_run pg_ctl -D "$PG_THROWAWAY_DIR/data" -w -l "$PG_THROWAWAY_DIR/log" \
    -o "-p $port -k $PG_THROWAWAY_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 $durability" start >/dev/null \
    || { cat "$PG_THROWAWAY_DIR/log" >&2; return 1; }
  export PG_THROWAWAY_CS="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  export PG_THROWAWAY_PORT="$port"
  trap pg_throwaway_stop EXIT
  echo "Throwaway PostgreSQL ($mode) on 127.0.0.1:$port" >&2
}

pg_throwaway_restart() {
  _pg_run pg_ctl -D "$PG_THROWAWAY_DIR/data" -w -m fast restart >/dev/null
}

pg_throwaway_stop() {
  if [ -n "$PG_THROWAWAY_DIR" ] && [ -d "$PG_THROWAWAY_DIR" ]; then
    _pg_run pg_ctl -D "$PG_THROWAWAY_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_THROWAWAY_DIR"
    PG_THROWAWAY_DIR=""
  fi
}
