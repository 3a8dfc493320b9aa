#!/usr/bin/env bash
# PostgreSQL going away under running servers: two `sangloc serve` share one PostgreSQL, which
# is stopped at once (immediate shutdown: what a crash of its machine looks like to them) while
# they take traffic. The servers stay up and answer an error without acknowledging anything;
# when PostgreSQL is back on the same port they reconnect by themselves, store again, and the
# items acknowledged before, during and after are all stored once, in one audit log that
# `sangloc audit verify` accepts.
# Usage: restart.sh SANGLOC DATA_DIR (run from the repository root; needs SL_TEST_STORE=pg).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
export SL_TEST_STORE=pg
. "$here/../server/lib.bash"
db=$(store_url s) || fail "store"
integ=$(token integration)

start_server_k 1
start_server_k 2

# post K ID: one item to server K; prints the HTTP status
post() {
    printf '{"items":[{"id":"%s","channel":"pg","kind":"comment","author":"a","text":"bình luận %s"}]}' "$2" "$2" >"$tmp/b$1"
    timeout 30 curl -s -o /dev/null -w '%{http_code}' --max-time 20 \
        -H "Authorization: Bearer $integ" -H 'Content-Type: application/json' \
        --data-binary "@$tmp/b$1" "${urls[$1]}/v1/items"
}
: >"$tmp/acked"
for i in $(seq 1 20); do
    k=$((i % 2 + 1))
    [ "$(post "$k" "before-$i")" = 200 ] || fail "before: item $i not stored"
    echo "before-$i" >>"$tmp/acked"
done

pg_ctl_as() { _sl_pg_as "'$SL_PG_BIN/pg_ctl' -D '$SL_PG_DIR/pg' $*"; }
pg_ctl_as "-m immediate -w stop" >/dev/null 2>&1 || fail "stop PostgreSQL"
for i in $(seq 1 10); do
    k=$((i % 2 + 1))
    code=$(post "$k" "during-$i")
    case $code in
    200) echo "during-$i" >>"$tmp/acked" ;;    # cannot happen while it is down, checked below
    5??) ;;                                     # refused: not acknowledged
    *) fail "during: server $k answered '$code'" ;;
    esac
done
grep -q '^during-' "$tmp/acked" && fail "an item was acknowledged while PostgreSQL was down"
for k in 1 2; do kill -0 "${pids[k]}" 2>/dev/null || fail "server $k died with PostgreSQL"; done

pg_ctl_as "-l '$SL_PG_DIR/server.log' -w -t 60 -o \"-p $SL_PG_PORT -k '$SL_PG_DIR' -c listen_addresses=127.0.0.1\" start" \
    >/dev/null 2>&1 || fail "restart PostgreSQL"
for i in $(seq 1 20); do
    k=$((i % 2 + 1))
    code=$(post "$k" "after-$i")
    # the first statement on a connection the server dropped may fail once; then it reconnects
    [ "$code" = 200 ] || code=$(post "$k" "after-$i")
    [ "$code" = 200 ] || fail "after: item $i answered $code"
    echo "after-$i" >>"$tmp/acked"
done

sort "$tmp/acked" >"$tmp/want"
db_sql "SELECT ext_id FROM items WHERE channel = 'pg' ORDER BY ext_id" | LC_ALL=C sort >"$tmp/got"
LC_ALL=C sort "$tmp/want" -o "$tmp/want"
diff "$tmp/want" "$tmp/got" >/dev/null || fail "stored items differ from the acknowledged ones: $(diff "$tmp/want" "$tmp/got" | head -5)"
"$bin" audit verify --db "$db" >"$tmp/verify" 2>&1 || fail "audit verify: $(cat "$tmp/verify")"
for k in 1 2; do
    grep -q 'password\|s3cret' "$tmp/err$k" && fail "server $k logged a password"
done
echo "restart: ok ($(wc -l <"$tmp/got") items; PostgreSQL stopped and restarted under two servers)"
