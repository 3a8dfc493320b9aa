#!/usr/bin/env bash
# Times GET /v1/stats on an organization of N items (default 100,000): 2,000 real comments of
# DATA/vihsd/train.jsonl are screened and stored through the API, then copied by SQL (bypassing
# the audit log: a bench store only) with received_at spread over the last 30 days; the route is
# then asked for each bucket size, five times each, and the fastest and slowest are printed.
# Usage: scripts/stats-bench.sh BUILD/sangloc DATA_DIR [N]
set -euo pipefail
bin=$(realpath "$1")
data=$2
n=${3:-100000}
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
db=$tmp/b.db
integ=$("$bin" token create --db "$db" --role integration --name bench 2>/dev/null)
aud=$("$bin" token create --db "$db" --role auditor --name audit 2>/dev/null)
"$bin" serve --listen 127.0.0.1:0 --db "$db" --threads 1 2>"$tmp/err" &
pid=$!
for _ in $(seq 1 600); do
    port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$tmp/err")
    [ -n "$port" ] && break
    sleep 0.05
done
url=http://127.0.0.1:$port
for part in 0 1; do
    head -n $(((part + 1) * 1000)) "$data/vihsd/train.jsonl" | tail -n 1000 |
        jq -cs --arg p "$part" '{items: [to_entries[] | {id: "b\($p)-\(.key)", channel: "bench",
            kind: "comment", author: "a\(.key % 97)", text: .value.text}]}' >"$tmp/batch.json"
    curl -sf -o /dev/null -H "Authorization: Bearer $integ" -H 'Content-Type: application/json' \
        --data-binary @"$tmp/batch.json" "$url/v1/items"
done
now=$(date +%s%3N)
copies=$(((n + 1999) / 2000 - 1))
sqlite3 "$db" ".timeout 10000" "
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $copies)
INSERT INTO items (org, channel, ext_id, kind, author, text, created_at, parent, received_at,
                   state, verdict, action, score, policy_version)
SELECT org, channel, ext_id || '-' || i, kind, author, text, created_at, parent,
       $now - ((i * 2000 + id) * 2592000000 / ($copies * 2000 + 2000)), state, verdict, action,
       score, policy_version FROM items, k WHERE items.channel = 'bench';"
echo "items: $(sqlite3 "$db" 'SELECT count(*) FROM items')"
for b in hour day week; do
    q="bucket=$b"
    [ "$b" = hour ] && q="$q&since=$((now - 41 * 86400000))"
    [ "$b" = day ] && q="$q&since=$((now - 30 * 86400000))"
    times=$(for _ in 1 2 3 4 5; do
        curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $aud" "$url/v1/stats?$q"
    done | sort -n)
    echo "bucket=$b: fastest $(echo "$times" | head -1) s, slowest $(echo "$times" | tail -1) s"
done
