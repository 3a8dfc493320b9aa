# tests/lib/pg.bash — a throwaway PostgreSQL server for one test (source this file).
#
#   sl_pg_start DIR   initdb a cluster in DIR/pg, start it on a free loopback port with its unix
#                     socket in DIR, create database "sangloc" and export SL_PG_URL (and
#                     SL_PG_PORT, SL_PG_DIR); an EXIT trap stops it again.
#   sl_pg_stop        stop it now (immediate shutdown) and forget it.
#   sl_pg_psql SQL    run SQL in the test database and print the rows (unaligned, no headers).
#
# initdb refuses to run as root, so when the caller is root the cluster belongs to the
# `postgres` user that Debian's postgresql package creates. The server is tuned for tests
# (fsync stays on: durability is part of what the tests check).
SL_PG_BIN=${SL_PG_BIN:-/usr/lib/postgresql/15/bin}

_sl_pg_as() {
    if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

sl_pg_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

sl_pg_start() {
    local dir=$1
    [ -x "$SL_PG_BIN/initdb" ] || { echo "PostgreSQL is missing: run scripts/setup.sh (postgresql-15)" >&2; return 1; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    chmod 0755 "$dir"
    _sl_pg_as "'$SL_PG_BIN/initdb' -D '$dir/pg' -U postgres -A trust -E UTF8 --no-locale" \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
    local port tries
    for tries in 1 2 3 4 5; do
        port=$(sl_pg_free_port)
        if _sl_pg_as "'$SL_PG_BIN/pg_ctl' -D '$dir/pg' -l '$dir/server.log' -w -t 60 -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=128MB\" start" >/dev/null 2>&1; then
            break
        fi
        port=
    done
    [ -n "$port" ] || { echo "PostgreSQL did not start:" >&2; cat "$dir/server.log" >&2; return 1; }
    SL_PG_DIR=$dir
    SL_PG_PORT=$port
    export SL_PG_DIR SL_PG_PORT
    trap 'sl_pg_stop' EXIT
    "$SL_PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres sangloc || return 1
    export SL_PG_URL="postgresql://postgres@127.0.0.1:$port/sangloc"
}

sl_pg_psql() {
    psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$SL_PG_PORT" -U postgres -d sangloc -c "$1"
}

sl_pg_stop() {
    [ -n "${SL_PG_DIR:-}" ] || return 0
    _sl_pg_as "'$SL_PG_BIN/pg_ctl' -D '$SL_PG_DIR/pg' -m immediate -w stop" >/dev/null 2>&1 || true
    SL_PG_DIR=
}
