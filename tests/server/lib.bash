# Helpers of the service tests (sourced by tests/server/*.sh): start `sangloc serve` on a free
# loopback port and wait for its "listening on" line (a bounded poll), send requests with curl
# under `timeout`, and kill the server at exit whatever happened.
tmp=$(mktemp -d)
pid=
pgdir=
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    local p
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    wait 2>/dev/null
    [ -n "$pgdir" ] && { sl_pg_stop; rm -rf "$pgdir"; }
    rm -rf "$tmp"
}
trap cleanup EXIT

# The store the tests run against: SQLite files, or with SL_TEST_STORE=pg databases of one
# PostgreSQL server started for this script (tests/lib/pg.bash).
if [ "${SL_TEST_STORE:-sqlite}" = pg ]; then
    # shellcheck source=../lib/pg.bash
    source "$(dirname "${BASH_SOURCE[0]}")/../lib/pg.bash"
    pgdir=$(mktemp -d /tmp/sl-pg.XXXXXX) # outside $tmp: the server runs as the postgres user
    sl_pg_start "$pgdir" || { echo "FAIL: PostgreSQL did not start"; exit 1; }
    trap cleanup EXIT # sl_pg_start set its own
fi
# the options every `serve` of a test gets: a PostgreSQL store names its keys, which every
# server sharing it must use
store_keys=()
[ -n "$pgdir" ] && store_keys=(--secret-file "$tmp/secret.key" --audit-key "$tmp/audit.key")

# store_url NAME: a new, empty store for this test (a file path, or a PostgreSQL database URL)
store_url() {
    if [ -n "$pgdir" ]; then
        "$SL_PG_BIN/createdb" -h 127.0.0.1 -p "$SL_PG_PORT" -U postgres "$1" || return 1
        # what the tests' SQL uses of SQLite, for reading the store (never for the product)
        psql -X -q -h 127.0.0.1 -p "$SL_PG_PORT" -U postgres -d "$1" -v ON_ERROR_STOP=1 >/dev/null <<'SQL' || return 1
CREATE FUNCTION json_extract(doc anyelement, path text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT (CASE WHEN pg_typeof(doc) = 'bytea'::regtype THEN convert_from(doc::text::bytea, 'UTF8')
          ELSE doc::text END)::jsonb #>> string_to_array(substr(path, 3), '.') $$;
CREATE FUNCTION instr(s anyelement, sub text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT strpos(CASE WHEN pg_typeof(s) = 'bytea'::regtype THEN convert_from(s::text::bytea, 'UTF8')
                ELSE s::text END, sub) > 0 $$;
CREATE FUNCTION hex(b bytea) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(encode(b, 'hex')) $$;
CREATE FUNCTION group_concat_step(acc text, v anyelement) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN acc IS NULL THEN v::text WHEN v IS NULL THEN acc ELSE acc || ',' || v::text END $$;
CREATE AGGREGATE group_concat(anyelement) (SFUNC = group_concat_step, STYPE = text);
SQL
        echo "postgresql://postgres@127.0.0.1:$SL_PG_PORT/$1"
    else
        echo "$tmp/$1.db"
    fi
}

# db_sql SQL [DB]: runs SQL on the store (default $db) and prints the rows, as sqlite3 does
db_sql() {
    local target=${2:-$db}
    case $target in
    postgres*://*) psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$target" -c "$1" ;;
    *) sqlite3 "$target" "$1" ;;
    esac
}
fail() {
    echo "FAIL: $*"
    [ -s "$tmp/err" ] && { echo "--- server stderr:"; tail -20 "$tmp/err"; }
    exit 1
}

# wait_listening PID ERRFILE WHAT: waits for the "listening on" line of a server started in the
# background (a bounded poll: the first start may compile the patterns); sets port
wait_listening() {
    port=
    for _ in $(seq 1 600); do # at most ~30 s
        port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$2")
        [ -n "$port" ] && return 0
        kill -0 "$1" 2>/dev/null || fail "$3 exited at start: $(cat "$2")"
        sleep 0.05
    done
    fail "$3 did not print its port"
}

# start_server DB [OPTIONS...]: sets pid, port, url
start_server() {
    local db=$1
    shift
    : >"$tmp/err"
    "$bin" serve --listen 127.0.0.1:0 --db "$db" "${store_keys[@]}" "$@" 2>"$tmp/err" &
    pid=$!
    wait_listening "$pid" "$tmp/err" "the server"
    url=http://127.0.0.1:$port
}

# start_server_k K: one of several servers on $db (2 threads, its stderr in $tmp/errK); sets
# pids[K] and urls[K] (killed at exit like the single server)
pids=()
urls=()
start_server_k() {
    local k=$1
    "$bin" serve --listen 127.0.0.1:0 --db "$db" --threads 2 "${store_keys[@]}" 2>"$tmp/err$k" &
    pids[k]=$!
    wait_listening "${pids[k]}" "$tmp/err$k" "server $k"
    urls[k]=http://127.0.0.1:$port
}

# stop_server: SIGTERM, then the exit status must be 0 (bounded wait)
stop_server() {
    kill -TERM "$pid"
    local rc
    timeout 20 tail --pid="$pid" -f /dev/null || fail "the server did not stop on SIGTERM"
    wait "$pid"
    rc=$?
    pid=
    [ "$rc" -eq 0 ] || fail "the server exited $rc on SIGTERM"
}

# req METHOD PATH TOKEN [BODY [CONTENT-TYPE]]: sets code and body
req() {
    local m=$1 p=$2 t=$3
    local args=(-s -o "$tmp/body" -w '%{http_code}' -X "$m" --max-time 20)
    [ -n "$t" ] && args+=(-H "Authorization: Bearer $t")
    if [ $# -ge 4 ]; then
        printf '%s' "$4" >"$tmp/req"
        args+=(-H "Content-Type: ${5:-application/json}" --data-binary "@$tmp/req")
    fi
    code=$(timeout 30 curl "${args[@]}" "$url$p")
    body=$(cat "$tmp/body" 2>/dev/null)
}

# expect CODE JQ-FILTER WHAT: the status is CODE and the filter (jq -e) holds on the body
expect() {
    [ "$code" = "$1" ] || fail "$3: status $code, want $1: $body"
    if [ -n "$2" ]; then
        printf '%s' "$body" | jq -e "$2" >/dev/null 2>&1 || fail "$3: $2 does not hold on $body"
    fi
}

token() { # ROLE [ORG]
    "$bin" token create --db "$db" --role "$1" --name "t-$1" ${2:+--org "$2"} 2>/dev/null ||
        fail "token create $1"
}
