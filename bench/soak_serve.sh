#!/usr/bin/env bash
# Soak: `sangloc serve` (its own process, a fresh store) under build/bench_serve load for N
# minutes, printing the server's resident memory at start and after every minute. The load
# turns, a minute each, through single-comment /v1/check, batched /v1/check and batched
# /v1/items (the store grows all along). Memory should stay flat. Not run by the tests.
# Usage: bench/soak_serve.sh [MINUTES (default 10)] [CLIENTS (default 2)]   (from the repository root)
# SOAK_SECONDS=S makes a "minute" S seconds (to try the script).
set -u
minutes=${1:-10}
clients=${2:-2}
bin=build/sangloc
bench=build/bench_serve
[ -x "$bin" ] && [ -x "$bench" ] || { echo "soak_serve: build first (cmake --build build)" >&2; exit 2; }
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
token=$("$bin" token create --db "$tmp/s.db" --role integration --name soak 2>/dev/null) || exit 2
"$bin" serve --listen 127.0.0.1:0 --db "$tmp/s.db" 2>"$tmp/err" &
pid=$!
port=
for _ in $(seq 1 600); do
    port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$tmp/err")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/err" >&2; exit 2; }
    sleep 0.1
done
[ -n "$port" ] || { echo "soak_serve: the server did not start" >&2; exit 2; }
rss() { awk '/^VmRSS/ {printf "%.1f MB", $2 / 1024}' "/proc/$pid/status"; }
echo "soak_serve: $minutes min, $clients clients, server pid $pid on port $port"
echo "minute 0: RSS $(rss) (started)"
modes=(check1 checkn items)
for m in $(seq 1 "$minutes"); do
    mode=${modes[$(((m - 1) % 3))]}
    line=$("$bench" --port "$port" --token "$token" --mode "$mode" --seconds "${SOAK_SECONDS:-60}" --clients "$clients" |
        tail -1)
    kill -0 "$pid" 2>/dev/null || { echo "soak_serve: the server died" >&2; exit 1; }
    printf 'minute %d: RSS %s  (%s: %s)\n' "$m" "$(rss)" "$mode" \
        "$(awk '{print $2, $3, $4, $5, "p99", $10, "ms, errors", $13}' <<<"$line")"
done
items=$(sqlite3 "$tmp/s.db" 'SELECT count(*) FROM items' 2>/dev/null || echo "?")
echo "soak_serve: done; $items items stored"
