#!/usr/bin/env bash
# Retention: `sangloc purge` (dry run, a longer retention, the real run) and the daily purge of
# `sangloc serve --retention-days N`. Items are backdated with SQL (a decision 200 days ago is a
# case closed then); the purge blanks the text of the due items only (never one with an open
# case), logs one item.purge entry each with the text's hash, leaves no copy of the text in the
# database file or its WAL, and a second purge changes nothing.
# Usage: retention.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
db=$tmp/s.db
integ=$(token integration)
rev=$(token reviewer)
start_server "$db" --retention-days 0
req POST /v1/items "$integ" '{"items":[
 {"id":"r1","channel":"web","kind":"comment","author":"u1","text":"RETAIN-ALLOW cảm ơn sở đã trả lời"},
 {"id":"r2","channel":"web","kind":"comment","author":"u2","text":"RETAIN-OPEN mày là thằng chó, tao sẽ giết mày"},
 {"id":"r3","channel":"web","kind":"comment","author":"u3","text":"RETAIN-DECIDED mày là thằng chó"}]}'
expect 200 '[.items[].verdict.action] == ["allow","hide","review"]' "ingest"
stop_server
ago=$(( $(date +%s) * 1000 - 200 * 86400000 ))
sqlite3 "$db" "UPDATE items SET received_at = $ago; UPDATE cases SET closed_at = $ago + 1000 WHERE item = (SELECT id FROM items WHERE ext_id = 'r3')" ||
    fail "backdate"
rows=$(sqlite3 "$db" "SELECT count(*) FROM audit_log")
grep -q RETAIN-ALLOW "$db" "$db-wal" 2>/dev/null || fail "the text is in the files before the purge (the search works)"

out=$("$bin" purge --db "$db" --dry-run) || fail "purge --dry-run"
[ "$out" = "would purge 2 items (retention 180 days)" ] || fail "dry run: $out"
out=$("$bin" purge --db "$db" --retention-days 365) || fail "purge 365"
[ "$out" = "purged 0 items (retention 365 days)" ] || fail "a longer retention: $out"
[ "$(sqlite3 "$db" "SELECT count(*) FROM audit_log")" = "$rows" ] || fail "nothing purged, nothing logged"
[ "$(sqlite3 "$db" "SELECT count(*) FROM items WHERE text = ''")" = 0 ] || fail "nothing purged yet"
"$bin" purge --db "$db" --retention-days 0 >/dev/null 2>&1; [ $? = 2 ] || fail "--retention-days 0 is refused"
"$bin" purge --db "$tmp/none.db" >/dev/null 2>&1; [ $? = 2 ] || fail "a missing store is refused"
[ ! -e "$tmp/none.db" ] || fail "purge created a store"

# the server purges at start (then daily)
start_server "$db" --retention-days 180
for _ in $(seq 1 200); do grep -q "purged 2 items" "$tmp/err" && break; sleep 0.05; done
grep -q "sangloc serve: purged 2 items past 180 days of retention" "$tmp/err" || fail "the server's purge: $(cat "$tmp/err")"
[ "$(sqlite3 "$db" "SELECT group_concat(ext_id) FROM items WHERE text = '' AND purged_at IS NOT NULL AND length(author) = 0 ORDER BY id")" = "r1,r3" ] ||
    fail "r1 and r3 purged"
[ "$(sqlite3 "$db" "SELECT count(*) FROM audit_log")" = $((rows + 2)) ] || fail "one entry per purge"
h=$(printf '%s' "RETAIN-DECIDED mày là thằng chó" | sha256sum | cut -d' ' -f1)
[ "$(sqlite3 "$db" "SELECT count(*) FROM audit_log WHERE json_extract(entry, '\$.action') = 'item.purge' AND json_extract(entry, '\$.data.text_sha256') = '$h' AND json_extract(entry, '\$.target') = 'item:' || (SELECT id FROM items WHERE ext_id = 'r3')")" = 1 ] ||
    fail "the item.purge entry names the text's hash"
req GET /v1/items/web/r3 "$rev"
expect 200 '.text == "" and .state == "published" and .action == "review" and ([.verdict.hits[] | has("text")] | any | not) and (.verdict.hits | length) > 0' "a purged item"
req GET /v1/items/web/r2 "$rev"
expect 200 '.text | startswith("RETAIN-OPEN")' "an item with an open case is kept"
for f in "$db" "$db-wal"; do
    [ -e "$f" ] || continue
    ! grep -q -a -e RETAIN-ALLOW -e RETAIN-DECIDED "$f" || fail "a purged text is still in $(basename "$f")"
done
grep -q -a RETAIN-OPEN "$db" "$db-wal" || fail "the kept text is still there"
out=$("$bin" purge --db "$db") || fail "purge again"
[ "$out" = "purged 0 items (retention 180 days)" ] || fail "a second purge: $out"
[ "$(sqlite3 "$db" "SELECT count(*) FROM audit_log")" = $((rows + 2)) ] || fail "a second purge logs nothing"
stop_server
! grep -a -e RETAIN -e u1 "$tmp/err" | grep -v "^listening" || fail "the log names a text or an author"
echo "retention: ok"
