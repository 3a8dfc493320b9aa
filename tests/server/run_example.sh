#!/usr/bin/env bash
# The README's first command: scripts/run-example.sh starts the service on a fresh embedded
# store with the example comments ingested, prints its URL and an admin token, and stops on
# Ctrl-C. Run here without rebuilding (SANGLOC_SKIP_SETUP), on a free port (SANGLOC_LISTEN port
# 0, the printed URL read back), with bounded waits; the script is killed at exit whatever happens.
# Usage: run_example.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
tmp=$(mktemp -d)
spid=
cleanup() {
    if [ -n "$spid" ]; then
        kill -KILL -- "-$spid" 2>/dev/null # the script's own process group (setsid)
    fi
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    echo "--- script output:"
    tail -30 "$tmp/out"
    [ -f "$tmp/run/serve.log" ] && { echo "--- server log:"; tail -20 "$tmp/run/serve.log"; }
    exit 1
}
[ -x build/sangloc ] && [ "$(readlink -f build/sangloc)" = "$(readlink -f "$bin")" ] ||
    { echo "SKIP: the script runs build/sangloc, and this test's binary is $bin"; exit 0; }

# setsid: the script gets its own process group, as a terminal's foreground job would; env
# --default-signal: a background job of a script starts with SIGINT ignored, a terminal job not
SANGLOC_SKIP_SETUP=1 SANGLOC_LISTEN=127.0.0.1:0 SANGLOC_RUN_DIR=$tmp/run \
    setsid env --default-signal=INT,TERM scripts/run-example.sh >"$tmp/out" 2>&1 &
spid=$!
for _ in $(seq 1 600); do # at most ~60 s
    grep -q "^Ctrl-C stops it" "$tmp/out" && break
    kill -0 "$spid" 2>/dev/null || fail "the script exited early"
    sleep 0.1
done
grep -q "^Ctrl-C stops it" "$tmp/out" || fail "the script did not finish starting"
url=$(sed -n 's|^sangloc serve is running: \(http://127\.0\.0\.1:[0-9]*\) .*|\1|p' "$tmp/out")
admin=$(sed -n 's|^admin token: *\([^ ]*\)$|\1|p' "$tmp/out")
[ -n "$url" ] || fail "no URL printed"
[ -n "$admin" ] || fail "no admin token printed"
grep -q 'curl -s -H "Authorization: Bearer ' "$tmp/out" || fail "no curl example printed"
grep -q "^ingested 10 example comments" "$tmp/out" || fail "the ingest line"

get() { timeout 30 curl -s --max-time 20 -H "Authorization: Bearer $admin" "$url$1"; }
# every example comment with an id is stored, screened as `sangloc check` screens it
want=$(grep '"id"' examples/comments.jsonl | "$bin" check --bank "$tmp/run/health-hoaxes.bank" 2>/dev/null | jq -r '"\(.id) \(.action)"')
got=$(for id in $(grep -o '"id": "c[0-9]*"' examples/comments.jsonl | cut -d'"' -f4); do
    get "/v1/items/example/$id" | jq -r '"\(.id) \(.action)"'
done)
[ "$got" = "$want" ] || fail "stored items differ from the CLI's verdicts: $got vs $want"
n=$(get /v1/queues/pending | jq '.items | length')
[ "$n" -ge 1 ] || fail "the pending queue is empty"
get /v1/items/example/c3 | jq -e '.state == "hidden" and .channel == "example"' >/dev/null ||
    fail "c3 is not hidden"

# Ctrl-C: SIGINT to the script's process group stops the server and the script, exit 0
kill -INT -- "-$spid"
timeout 20 tail --pid="$spid" -f /dev/null || fail "the script did not stop on SIGINT"
wait "$spid"
rc=$?
spid=
[ "$rc" -eq 0 ] || fail "the script exited $rc on SIGINT"
grep -q "sangloc serve: stopping" "$tmp/run/serve.log" || fail "the server did not stop cleanly"
timeout 5 curl -s --max-time 3 "$url/healthz" >/dev/null && fail "the server still answers"
echo "PASS"
