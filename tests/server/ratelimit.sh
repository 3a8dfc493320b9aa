#!/usr/bin/env bash
# Per-token rate limits (--rate-limit, --rate-burst): a token over its rate gets 429 with
# Retry-After and the JSON error; another token keeps its own bucket; routes without a token are
# not limited; after Retry-After seconds the token is served again; bad values exit 2.
# Usage: ratelimit.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
db=$(store_url s) || fail "store"
a=$(token integration)
b=$(token integration)

for bad in 0/s 5/h x -1 "1/s/s"; do
    timeout 30 "$bin" serve --listen 127.0.0.1:0 --db "$db" "${store_keys[@]}" --rate-limit "$bad" 2>"$tmp/e"
    [ $? -eq 2 ] || fail "--rate-limit $bad exits 2"
done
timeout 30 "$bin" serve --listen 127.0.0.1:0 --db "$db" "${store_keys[@]}" --rate-limit 1/s --rate-burst 0 2>"$tmp/e"
[ $? -eq 2 ] || fail "--rate-burst 0 exits 2"

start_server "$db" --rate-limit 1/s --rate-burst 3
# burst N requests on one keep-alive connection: prints one status a line
burst() { # TOKEN N
    local urls=()
    for _ in $(seq 1 "$2"); do urls+=(-o /dev/null "$url/v1/check"); done
    timeout 30 curl -s --max-time 20 -w '%{http_code}\n' -H "Authorization: Bearer $1" \
        -H 'Content-Type: application/json' -d '{"text":"chào bạn"}' "${urls[@]}"
}
t0=$(date +%s.%N)
codes=$(burst "$a" 8)
t1=$(date +%s.%N)
ok=$(grep -c '^200$' <<<"$codes")
limited=$(grep -c '^429$' <<<"$codes")
[ "$((ok + limited))" = 8 ] || fail "statuses: $codes"
# 3 at once, then 1 a second: at most 3 + the seconds elapsed (the machine may be slow)
allowed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", 3 + (b - a) + 1 }')
[ "$ok" -ge 3 ] && [ "$ok" -le "$allowed" ] || fail "$ok of 8 admitted in $(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}') s"
[ "$limited" -ge 1 ] || fail "no 429 after the burst"
[ "$(head -3 <<<"$codes" | tr '\n' ' ')" = "200 200 200 " ] || fail "the burst is not admitted first: $codes"

# the reply: 429, Retry-After, JSON error
code=$(timeout 30 curl -s -D "$tmp/h" -o "$tmp/body" -w '%{http_code}' --max-time 20 \
    -H "Authorization: Bearer $a" -H 'Content-Type: application/json' -d '{"text":"a"}' "$url/v1/check")
body=$(cat "$tmp/body")
expect 429 '.error.code == "rate_limited" and (.error.message | length) > 0' "over the limit"
retry=$(tr -d '\r' <"$tmp/h" | sed -n 's/^Retry-After: \([0-9]*\)$/\1/ip')
[ -n "$retry" ] && [ "$retry" -ge 1 ] && [ "$retry" -le 2 ] || fail "Retry-After: '$retry'"
grep -qi '^content-type: application/json' "$tmp/h" || fail "429 content type"

# another token has its own bucket; no-token routes are not limited
req POST /v1/check "$b" '{"text":"a"}'
expect 200 '' "another token"
for _ in 1 2 3 4 5; do
    req GET /healthz ""
    expect 200 '' "healthz is not limited"
done

# after Retry-After, the token is served again
sleep "$retry"
req POST /v1/check "$a" '{"text":"a"}'
expect 200 '' "after Retry-After"

req GET /metrics "$(token admin)"
grep -q 'sangloc_requests_total{route="/v1/check",status="429"} [1-9]' "$tmp/body" ||
    fail "429s are not counted"
stop_server
echo PASS
