#!/usr/bin/env bash
# Crash test of `sangloc serve`: a client ingests batches in a loop while the server is killed
# with SIGKILL and restarted, three times. Afterwards every item that got a 2xx is stored
# exactly once (one row, one "ingested" event), and sending them all again says "duplicate".
# Usage: crash.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
db=$(store_url s) || fail "store"
integ=$(token integration)
acked=$tmp/acked
: >"$acked"

# client ROUND: sends batches of 20 until a request fails; appends the ids of each 2xx batch
client() {
    local r=$1 k=0 ids items code
    while :; do
        k=$((k + 1))
        ids=() items=""
        for j in $(seq 0 19); do
            ids+=("r$r-$k-$j")
            items+="${items:+,}{\"id\":\"r$r-$k-$j\",\"channel\":\"crash\",\"kind\":\"comment\",\"author\":\"a$j\",\"text\":\"bình luận $j của lô $k\"}"
        done
        printf '{"items":[%s]}' "$items" >"$tmp/batch$r"
        code=$(timeout 30 curl -s -o "$tmp/reply$r" -w '%{http_code}' --max-time 20 \
            -H "Authorization: Bearer $integ" -H 'Content-Type: application/json' \
            --data-binary "@$tmp/batch$r" "$url/v1/items") || return 0
        [ "$code" = 200 ] || return 0
        printf '%s\n' "${ids[@]}" >>"$acked"
    done
}

for r in 1 2 3; do
    start_server "$db" --threads 2
    client "$r" &
    cpid=$!
    # kill the server once this round has had a few batches acknowledged (bounded wait)
    for _ in $(seq 1 1500); do
        [ "$(grep -c "^r$r-" "$acked")" -ge 60 ] && break
        kill -0 "$cpid" 2>/dev/null || break
        sleep 0.02
    done
    [ "$(grep -c "^r$r-" "$acked")" -ge 60 ] || fail "round $r: the client got too few replies"
    kill -9 "$pid"
    wait "$pid" 2>/dev/null
    pid=
    timeout 60 tail --pid="$cpid" -f /dev/null || fail "round $r: the client did not stop"
    wait "$cpid"
done

n=$(wc -l <"$acked")
[ "$n" -ge 180 ] || fail "only $n items acknowledged"
start_server "$db" --threads 2
# every acknowledged item is stored exactly once, with one ingest event
sort -u "$acked" >"$tmp/want"
[ "$(wc -l <"$tmp/want")" -eq "$n" ] || fail "an id was acknowledged twice"
db_sql "SELECT ext_id FROM items WHERE channel = 'crash'" | sort >"$tmp/stored"
missing=$(comm -23 "$tmp/want" "$tmp/stored" | head -3)
[ -z "$missing" ] || fail "acknowledged but not stored: $missing"
dups=$(db_sql "SELECT ext_id FROM items WHERE channel = 'crash' GROUP BY ext_id HAVING count(*) > 1")
[ -z "$dups" ] || fail "stored twice: $dups"
dupev=$(db_sql "SELECT item FROM item_events WHERE what = 'ingested' GROUP BY item HAVING count(*) > 1")
[ -z "$dupev" ] || fail "ingested twice: $dupev"
if [ -z "$pgdir" ]; then [ "$(db_sql 'PRAGMA integrity_check')" = ok ] || fail "integrity_check"; fi
# and the service says so: every acknowledged item again is a duplicate
split -l 500 "$tmp/want" "$tmp/part."
for f in "$tmp"/part.*; do
    body=$(jq -R -c '{id: ., channel: "crash", kind: "comment", author: "a", text: "again"}' "$f" | jq -s -c '{items: .}')
    req POST /v1/items "$integ" "$body"
    expect 200 '[.items[].status] | all(. == "duplicate")' "resend after the crashes"
done
stop_server
echo "PASS ($n items acknowledged across 3 kills)"
