#!/usr/bin/env bash
# Several `sangloc serve` processes sharing one store, as several machines would share one
# PostgreSQL (SL_TEST_STORE=pg) or, on one machine, one SQLite file. Three servers take the same
# ingest traffic at once, with every batch sent to two of them, while one server is killed with
# SIGKILL and restarted; reviewers claim and decide through different servers. Afterwards:
# every item is stored exactly once, no case was leased to two reviewers, two decisions on one
# version gave one 200 and one 409, and the audit log is one gapless sequence that
# `sangloc audit verify` accepts (no fork: every entry's seq is its row's).
# Usage: multi.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
db=$(store_url s) || fail "store"
integ=$(token integration)
person() { # ROLE NAME
    "$bin" token create --db "$db" --role "$1" --name "$2" 2>/dev/null || fail "token create $1 $2"
}
rev1=$(person reviewer "Lê Văn Cường")
rev2=$(person reviewer "Đỗ Minh")

start_server_k 1
start_server_k 2
start_server_k 3

# client C N: N batches of 20 items; batch k goes to servers (C+k)%3+1 and (C+k+1)%3+1, so
# every item is sent twice, to two servers, concurrently with the other clients. A batch that
# is not acknowledged (its server was killed) is sent again until one server takes it.
client() {
    local c=$1 n=$2 k j items code s ok
    for k in $(seq 1 "$n"); do
        items=""
        for j in $(seq 0 19); do
            items+="${items:+,}{\"id\":\"m$c-$k-$j\",\"channel\":\"multi\",\"kind\":\"comment\",\"author\":\"a$j\",\"text\":\"$( ((j % 5 == 0)) && printf 'mày là thằng chó' || printf 'bình luận %s của lô %s' "$j" "$k")\"}"
        done
        printf '{"items":[%s]}' "$items" >"$tmp/batch$c"
        ok=0
        for s in $(((c + k) % 3 + 1)) $(((c + k + 1) % 3 + 1)) 1 2 3; do
            code=$(timeout 30 curl -s -o /dev/null -w '%{http_code}' --max-time 20 \
                -H "Authorization: Bearer $integ" -H 'Content-Type: application/json' \
                --data-binary "@$tmp/batch$c" "${urls[s]}/v1/items")
            [ "$code" = 200 ] && ok=$((ok + 1))
            [ "$ok" -ge 2 ] && break
        done
        [ "$ok" -ge 1 ] || { echo "batch m$c-$k was never acknowledged" >>"$tmp/lost"; }
    done
}

: >"$tmp/lost"
client 1 25 &
c1=$!
client 2 25 &
c2=$!
client 3 25 &
c3=$!
sleep 1.5
kill -9 "${pids[2]}" # server 2 dies mid-stream; the others go on
sleep 0.5
start_server_k 2
wait "$c1" "$c2" "$c3"
[ -s "$tmp/lost" ] && fail "$(cat "$tmp/lost")"

n_items=$(db_sql "SELECT count(*) FROM items WHERE channel = 'multi'")
[ "$n_items" = $((3 * 25 * 20)) ] || fail "stored $n_items items, want $((3 * 25 * 20))"
dups=$(db_sql "SELECT ext_id FROM items GROUP BY channel, ext_id HAVING count(*) > 1")
[ -z "$dups" ] || fail "stored twice: $dups"
dupev=$(db_sql "SELECT item FROM item_events WHERE what = 'ingested' GROUP BY item HAVING count(*) > 1")
[ -z "$dupev" ] || fail "ingested twice: $dupev"

# ---- reviewers claim through different servers at once: no case goes to two of them ---------
claim() { # SERVER TOKEN OUT
    for _ in 1 2 3 4 5 6; do
        timeout 30 curl -s --max-time 20 -H "Authorization: Bearer $2" \
            -H 'Content-Type: application/json' -d '{"n":10}' \
            "${urls[$1]}/v1/queues/pending/claim" | jq -r '.claimed[].case' >>"$3"
    done
}
: >"$tmp/claims1"
: >"$tmp/claims2"
claim 1 "$rev1" "$tmp/claims1" &
a=$!
claim 3 "$rev2" "$tmp/claims2" &
b=$!
wait "$a" "$b"
[ -s "$tmp/claims1" ] && [ -s "$tmp/claims2" ] || fail "both reviewers got cases"
both=$(sort "$tmp/claims1" "$tmp/claims2" | uniq -d)
[ -z "$both" ] || fail "cases leased to both reviewers: $both"

# ---- two decisions on one version through two servers: one wins, one is refused --------------
url=${urls[1]}
req GET /v1/items/multi/m1-1-0 "$rev1"
expect 200 '.version > 0' "read the item"
version=$(printf '%s' "$body" | jq '.version')
rule=$(printf '%s' "$body" | jq -r '[.verdict.hits[].rule][0]')
decide() { # SERVER TOKEN OUT
    printf '{"outcome":"remove","rule":"%s","note":"xúc phạm","version":%s}' "$rule" "$version" >"$tmp/d$1"
    timeout 30 curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 \
        -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
        --data-binary "@$tmp/d$1" "${urls[$1]}/v1/items/multi/m1-1-0/decision" >"$3"
}
decide 1 "$rev1" "$tmp/code1" &
a=$!
decide 3 "$rev2" "$tmp/code2" &
b=$!
wait "$a" "$b"
codes=$(sort "$tmp/code1" "$tmp/code2" | tr '\n' ' ')
[ "$codes" = "200 409 " ] || fail "two decisions on one version answered $codes, want 200 and 409"
[ "$(db_sql "SELECT count(*) FROM decisions")" = 1 ] || fail "one decision stored"

# ---- one audit log: gapless, each entry's seq its row's, and verified ------------------------
[ "$(db_sql "SELECT count(*) = max(seq) + 1 AND min(seq) = 0 FROM audit_log")" = "$(
    [ -n "$pgdir" ] && echo t || echo 1)" ] || fail "the audit log has gaps"
[ "$(db_sql "SELECT count(*) FROM audit_log WHERE CAST(json_extract(entry, '\$.seq') AS BIGINT) <> seq")" = 0 ] ||
    fail "an entry's seq differs from its row's"
"$bin" audit verify --db "$db" >"$tmp/verify" 2>&1 || fail "audit verify: $(cat "$tmp/verify")"
echo "multi: ok ($n_items items through 3 servers, one killed; $(db_sql "SELECT count(*) FROM audit_log") audit entries verified)"
