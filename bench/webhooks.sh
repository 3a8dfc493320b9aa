#!/usr/bin/env bash
# Webhook latency and throughput on loopback: a server with a fresh store delivers to the test
# receiver (tests/server/webhook_receiver.c). Prints the time from sending POST /v1/items with
# one hidden comment to both of its events received (20 runs), then how long the 2,000 events of
# 1,000 hidden comments in one batch take to arrive.
# Usage: bench/webhooks.sh [BUILD_DIR] (default build), from the repository root.
set -u
build=${1:-build}
bin=$build/sangloc
receiver=$build/webhook_receiver
work=$(mktemp -d)
spid= rpid=
stop() {
    { [ -n "$spid" ] && kill "$spid" && wait "$spid"; [ -n "$rpid" ] && kill "$rpid" && wait "$rpid"; } 2>/dev/null
    rm -rf "$work"
}
trap stop EXIT
mkdir -p "$work/r"
"$receiver" "$work/r" 0 &
rpid=$!
for _ in $(seq 1 100); do [ -s "$work/r/port" ] && break; sleep 0.05; done
tok=$("$bin" token create --db "$work/d.db" --role integration --name bench 2>/dev/null)
"$bin" serve --listen 127.0.0.1:0 --db "$work/d.db" --policy policies/default.yaml \
    --webhook-url "http://127.0.0.1:$(cat "$work/r/port")/h" \
    --webhook-secret-file "$work/hook.secret" 2>"$work/err" &
spid=$!
for _ in $(seq 1 600); do grep -q listening "$work/err" 2>/dev/null && break; sleep 0.05; done
url=http://127.0.0.1:$(sed -n 's|^listening on http://127.0.0.1:||p' "$work/err")
post() {
    curl -s -o /dev/null -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
        --data-binary "$1" "$url/v1/items"
}
received() { { wc -l <"$work/r/log"; } 2>/dev/null || echo 0; }
threat="mày là thằng chó, tao sẽ giết mày"
lat=()
for i in $(seq 1 20); do
    before=$(received)
    t0=$(date +%s%N)
    post "{\"items\":[{\"id\":\"l$i\",\"channel\":\"web\",\"kind\":\"comment\",\"author\":\"u\",\"text\":\"$threat $i\"}]}"
    while [ "$(received)" -lt $((before + 2)) ]; do sleep 0.002; done
    lat+=($((($(date +%s%N) - t0) / 1000000)))
done
echo "one hidden comment, request sent -> both events received (ms): ${lat[*]}"
items=$(for i in $(seq 1 1000); do
    printf '{"id":"b%d","channel":"web","kind":"comment","author":"u","text":"%s %d"}' "$i" "$threat" "$i"
    [ "$i" -lt 1000 ] && printf ,
done)
before=$(received)
t0=$(date +%s%N)
post "{\"items\":[$items]}"
while [ "$(received)" -lt $((before + 2000)) ]; do sleep 0.01; done
echo "1000 hidden comments in one batch: 2000 events received $((($(date +%s%N) - t0) / 1000000)) ms after the request was sent"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
