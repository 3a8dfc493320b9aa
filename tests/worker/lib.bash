# Helpers of the stream-worker tests (sourced by tests/worker/*.sh, which get the sangloc binary
# as $1): a mock Kafka cluster (tests/worker/mock_kafka, beside the binary) driven through a
# FIFO, real `sangloc work` processes, and row counts of the store.
#
# The store: SL_WORKER_DB (a store URL; default a SQLite file in the test's temp dir). With
# SL_WORKER_DB=pg a throwaway PostgreSQL is started (tests/lib/pg.bash). A PostgreSQL store needs
# a secret file: SL_WORKER_KEY, or one in the temp dir. Each test gives its posts' channels a
# prefix of its own, and counts only those, so tests may share one database.
set -uo pipefail
bin=$(realpath "$1")
mock=$(dirname "$bin")/mock_kafka
[ -x "$mock" ] || { echo "FAIL: $mock is missing (build the mock_kafka target)"; exit 1; }
tmp=$(mktemp -d)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
declare -A wpid=()
mock_pid=
prefix="t$$-"

cleanup() {
    local n
    for n in "${!wpid[@]}"; do [ -n "${wpid[$n]}" ] && kill -9 "${wpid[$n]}" 2>/dev/null; done
    [ -n "$mock_pid" ] && kill -9 "$mock_pid" 2>/dev/null
    exec 3>&- 2>/dev/null
    wait 2>/dev/null
    [ "$(type -t sl_pg_stop)" = function ] && sl_pg_stop
    [ -n "${SL_KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*"
    local f
    for f in "$tmp"/*.log; do
        [ -s "$f" ] && { echo "--- $(basename "$f"):"; tail -15 "$f"; }
    done
    exit 1
}

db=${SL_WORKER_DB:-$tmp/store.db}
key_args=()
if [ "$db" = pg ]; then
    source "$here/../lib/pg.bash"
    chmod 0755 "$tmp" # the postgres user runs the server in a folder of it
    sl_pg_start "$tmp/pgdata" || fail "PostgreSQL did not start"
    trap 'cleanup' EXIT # pg.bash set its own trap; cleanup stops the server too
    db=$SL_PG_URL
fi
case "$db" in
postgresql://* | postgres://*)
    key=${SL_WORKER_KEY:-$tmp/pseudonym.key}
    key_args=(--secret-file "$key")
    ;;
esac

# sql QUERY: prints the rows (one a line, columns separated by '|')
sql() {
    case "$db" in
    postgresql://* | postgres://*) psql "$db" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1" ;;
    *) sqlite3 -bail "${db#sqlite:}" "$1" ;;
    esac
}

# the test's items: "count distinct-(channel,id) without-verdict"
items_summary() {
    sql "SELECT count(*), count(DISTINCT channel || '/' || ext_id),
                sum(CASE WHEN verdict IS NULL OR verdict = '' THEN 1 ELSE 0 END)
         FROM items WHERE channel LIKE '$prefix%'" 2>/dev/null | tr '|' ' '
}
items_count() {
    local c
    c=$(sql "SELECT count(*) FROM items WHERE channel LIKE '$prefix%'" 2>/dev/null) || c=0
    echo "${c:-0}"
}

# mock_start ARGS...: starts the cluster (topics and posts as mock_kafka takes them), sets
# brokers; waits until the posts are produced
mock_start() {
    mkfifo "$tmp/mock.in"
    "$mock" --prefix "$prefix" "$@" <"$tmp/mock.in" >"$tmp/mock.out" 2>"$tmp/mock.log" &
    mock_pid=$!
    exec 3>"$tmp/mock.in"
    local _
    for _ in $(seq 1 600); do
        grep -q '^produced' "$tmp/mock.out" && break
        kill -0 "$mock_pid" 2>/dev/null || fail "mock_kafka exited"
        sleep 0.1
    done
    grep -q '^produced' "$tmp/mock.out" || fail "mock_kafka did not produce its posts"
    brokers=$(sed -n 's/^bootstrap //p' "$tmp/mock.out")
}

# mock_stop: the cluster quits (a new one may be started)
mock_stop() {
    echo quit >&3
    exec 3>&-
    wait "$mock_pid" 2>/dev/null
    mock_pid=
    rm -f "$tmp/mock.in" "$tmp/mock.out"
}

# mock CMD: sends one command and prints its answer (the lines it added)
mock() {
    local before after _
    before=$(grep -cE '^(produced|ok|committed|offsets|count|end|error)' "$tmp/mock.out")
    local lines
    lines=$(wc -l <"$tmp/mock.out")
    echo "$*" >&3
    for _ in $(seq 1 1200); do
        after=$(grep -cE '^(produced|ok|committed|offsets|count|end|error)' "$tmp/mock.out")
        [ "$after" -gt "$before" ] && break
        sleep 0.05
    done
    [ "$after" -gt "$before" ] || fail "mock_kafka did not answer '$*'"
    tail -n +"$((lines + 1))" "$tmp/mock.out"
}

# the group's committed offsets and the topic's end, "C E"
committed() { mock committed "$1" "$2" | sed -n 's/^committed \([0-9]*\) end \([0-9]*\)$/\1 \2/p'; }

# worker_start NAME ARGS...: a `sangloc work` process logging to $tmp/NAME.log
worker_start() {
    local name=$1
    shift
    "$bin" work --brokers "$brokers" --db "$db" "${key_args[@]}" --log-seconds 1 \
        --kafka session.timeout.ms=6000 --kafka heartbeat.interval.ms=500 \
        --kafka max.poll.interval.ms=20000 "$@" 2>>"$tmp/$name.log" &
    wpid[$name]=$!
}

# worker_stop NAME: SIGTERM, then the exit status must be 0 (bounded wait)
worker_stop() {
    local p=${wpid[$1]} rc
    kill -TERM "$p"
    timeout 60 tail --pid="$p" -f /dev/null || fail "worker $1 did not stop on SIGTERM"
    wait "$p"
    rc=$?
    wpid[$1]=
    [ "$rc" -eq 0 ] || fail "worker $1 exited $rc on SIGTERM"
}

worker_kill() {
    kill -9 "${wpid[$1]}"
    wait "${wpid[$1]}" 2>/dev/null
    wpid[$1]=
}

# the last value of a counter in a worker's log (its final line after a stop)
stat_of() { grep -o " $2=[0-9]*" "$tmp/$1.log" | tail -1 | cut -d= -f2; }

# wait_items N SECONDS: until the store holds at least N of the test's items
wait_items() {
    local n=$1 limit=$2 t=0 c
    while :; do
        c=$(items_count)
        [ "$c" -ge "$n" ] && return 0
        [ "$t" -ge $((limit * 10)) ] && fail "only $c of $n items stored after ${limit}s"
        local name
        for name in "${!wpid[@]}"; do
            [ -n "${wpid[$name]}" ] && ! kill -0 "${wpid[$name]}" 2>/dev/null &&
                fail "worker $name died"
        done
        sleep 0.1
        t=$((t + 1))
    done
}

# wait_committed GROUP TOPIC SECONDS: until the group's offsets reach the topic's end
wait_committed() {
    local t=0 ce
    while :; do
        ce=$(committed "$1" "$2")
        [ -n "$ce" ] && [ "${ce% *}" = "${ce#* }" ] && return 0
        [ "$t" -ge "$3" ] && fail "offsets of $1 not at the end after ${3}s: $ce"
        sleep 1
        t=$((t + 1))
    done
}

# check_exactly_once N: N items, no duplicate (channel, id), each with a verdict
check_exactly_once() {
    local s
    s=$(items_summary)
    [ "$s" = "$1 $1 0" ] || fail "items (count, distinct, without verdict): '$s', expected '$1 $1 0'"
}
