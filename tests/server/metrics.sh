#!/usr/bin/env bash
# GET /metrics: the series exist (requests, latency histograms by route, verdicts by action and
# by category, items created by action and duplicates, reloads, engine generation and versions,
# queue sizes) and the counters move by what the test sends; histograms are well formed
# (cumulative buckets, +Inf equal to _count).
# Usage: metrics.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
db=$(store_url s) || fail "store"
integ=$(token integration)
admin=$(token admin)
start_server "$db"

scrape() { # FILE
    req GET /metrics "$admin"
    [ "$code" = 200 ] || fail "metrics: $code"
    cp "$tmp/body" "$1"
}
val() { # FILE SERIES (exact, labels included): its value, 0 when absent
    awk -v s="$2" '$1 == s { v = $2 } END { print v + 0 }' "$1"
}
req GET /healthz ""
scrape "$tmp/m0"
for s in 'sangloc_request_duration_seconds_bucket{route="/healthz",le="0.0001"}' \
    'sangloc_request_duration_seconds_bucket{route="/healthz",le="+Inf"}' \
    'sangloc_request_duration_seconds_sum{route="/healthz"}' \
    'sangloc_request_duration_seconds_count{route="/healthz"}' \
    'sangloc_items_created_total{action="hide"}' 'sangloc_verdicts_total{action="allow"}' \
    'sangloc_reloads_total{result="ok"}' 'sangloc_engine_generation' \
    'sangloc_queue_open{queue="pending"}' 'sangloc_queue_leased{queue="pending"}'; do
    grep -qF "$s " "$tmp/m0" || fail "no series $s"
done
grep -q '^sangloc_build_info{version="[0-9][0-9.]*",model="slm1-[0-9a-f]*"} 1$' "$tmp/m0" ||
    fail "build info: $(grep build_info "$tmp/m0")"
grep -q '^# TYPE sangloc_request_duration_seconds histogram$' "$tmp/m0" || fail "histogram TYPE"

for _ in 1 2 3; do
    req POST /v1/check "$integ" '{"text":"đồ ngu, gọi 0912345678"}'
    expect 200 '' "check"
done
req POST /v1/items "$integ" '{"items":[
 {"id":"a","channel":"w","kind":"comment","author":"u","text":"mày là thằng chó, tao sẽ giết mày"},
 {"id":"b","channel":"w","kind":"comment","author":"u","text":"cảm ơn sở"}]}'
expect 200 '[.items[].verdict.action] == ["hide","allow"]' "ingest"
req POST /v1/items "$integ" '{"items":[{"id":"b","channel":"w","kind":"comment","author":"u","text":"cảm ơn sở"}]}'
expect 200 '.items[0].status == "duplicate"' "duplicate"
req POST /v1/admin/reload "$admin" ''
expect 200 '' "reload"
scrape "$tmp/m1"

moved() { # SERIES DELTA
    local a b
    a=$(val "$tmp/m0" "$1")
    b=$(val "$tmp/m1" "$1")
    [ "$((b - a))" = "$2" ] || fail "$1 moved $a -> $b, want +$2"
}
moved 'sangloc_request_duration_seconds_count{route="/v1/check"}' 3
moved 'sangloc_request_duration_seconds_bucket{route="/v1/check",le="+Inf"}' 3
moved 'sangloc_request_duration_seconds_count{route="/v1/items"}' 2
moved 'sangloc_requests_total{route="/v1/check",status="200"}' 3
moved 'sangloc_verdict_categories_total{category="insult"}' 4
moved 'sangloc_verdict_categories_total{category="personal_data"}' 3
moved 'sangloc_verdict_categories_total{category="threat"}' 1
moved 'sangloc_items_created_total{action="hide"}' 1
moved 'sangloc_items_created_total{action="allow"}' 1
moved 'sangloc_items_total{status="duplicate"}' 1
moved 'sangloc_reloads_total{result="ok"}' 1
moved 'sangloc_engine_generation' 1
moved 'sangloc_queue_open{queue="pending"}' 1
# buckets are cumulative and end at _count, for every route
awk '/^sangloc_request_duration_seconds_bucket/ {
        match($1, /route="[^"]*"/); r = substr($1, RSTART, RLENGTH)
        if (r == last && $2 < prev) { print "not cumulative: " $0; bad = 1 }
        last = r; prev = $2; if ($1 ~ /le="\+Inf"/) inf[r] = $2 }
     /^sangloc_request_duration_seconds_count/ {
        match($1, /route="[^"]*"/); r = substr($1, RSTART, RLENGTH)
        if (inf[r] != $2) { print "+Inf != count: " r; bad = 1 } }
     END { exit bad }' "$tmp/m1" || fail "malformed histogram"
stop_server
echo PASS
