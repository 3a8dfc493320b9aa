#!/usr/bin/env bash
# Tamper test of `sangloc audit verify`: a log written by the service (tokens, ingests, claims)
# and signed by `sangloc audit checkpoint` verifies; then each of these, on its own copy of the
# database, makes verify exit 1 naming the right entry or checkpoint: an entry rewritten (with
# and without its leaf), an entry deleted, two entries swapped, an item's text changed with a
# plain UPDATE, the last entries cut off, and a fork (a checkpoint signed by the same key over
# another tree of the same or a larger size, stored beside the others or kept by an auditor).
# The expected seq of each case is read from the database, never written here.
# Usage: audit_tamper.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../server/lib.bash"
db=$tmp/good.db
key=$tmp/audit.key
name=tamper-test

integ=$(token integration)
rev=$(token reviewer)
appeals=$(token appeals)
start_server "$db"
req POST /v1/items "$integ" '{"items":[
 {"id":"c1","channel":"web","kind":"comment","author":"u1","text":"bài viết rất hữu ích, cảm ơn"},
 {"id":"c2","channel":"web","kind":"comment","author":"u2","text":"đồ ngu mày im đi"},
 {"id":"c3","channel":"web","kind":"comment","author":"u3","text":"mày là thằng chó, tao sẽ giết mày"}]}'
expect 200 '[.items[].status] == ["created","created","created"]' "ingest"
# the review workflow writes decisions, appeals and reports, each cited by its entries
req GET /v1/items/web/c3 "$rev"
expect 200 '.state == "hidden"' "c3 is hidden"
version=$(printf '%s' "$body" | jq '.version')
rule=$(printf '%s' "$body" | jq -r '[.verdict.hits[].rule][0]')
req POST /v1/items/web/c3/decision "$rev" "{\"outcome\":\"remove\",\"rule\":\"$rule\",\"note\":\"đe dọa\",\"statement\":\"Xin giữ lời lẽ ôn hòa.\",\"version\":$version}"
expect 200 '.after == "removed"' "decide"
req POST /v1/appeals "" "{\"appeal_token\":\"$(printf '%s' "$body" | jq -r .notice.appeal_token)\",\"text\":\"Tôi không đe dọa ai.\"}"
expect 200 '(.id | type) == "number"' "appeal"
appeal=$(printf '%s' "$body" | jq '.id')
req POST "/v1/appeals/$appeal/decision" "$appeals" '{"outcome":"uphold","reason":"Lời đe dọa rõ ràng."}'
expect 200 '' "appeal decided"
req POST /v1/reports "$integ" '{"channel":"web","id":"c1","reason":"insult","text":"bình luận này xúc phạm"}'
expect 200 '' "report"
stop_server
"$bin" audit checkpoint --db "$db" --audit-key "$key" --name "$name" >"$tmp/cp1" || fail "checkpoint 1"
token auditor >/dev/null
"$bin" audit checkpoint --db "$db" --audit-key "$key" --name "$name" >"$tmp/cp2" || fail "checkpoint 2"
pub=$("$bin" audit key --audit-key "$key" --name "$name") || fail "audit key"
[[ "$pub" =~ ^sangloc/$name\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$ ]] || fail "verifier key form: $pub"
[ "$(stat -c %a "$key")" = 600 ] || fail "the key file is not 0600"
n=$(sqlite3 "$db" "SELECT count(*) FROM audit_log")
[ "$n" -ge 6 ] || fail "only $n entries"

sql() { sqlite3 "$1" "$2" || fail "sql on $1: $2"; }
verify_ok() {
    "$bin" audit verify --db "$1" "${@:2}" >"$tmp/out" 2>"$tmp/verr" ||
        fail "verify $*: $(cat "$tmp/out" "$tmp/verr")"
    grep -qE "^ok: $n entries, 2 checkpoints, root [A-Za-z0-9+/]{43}=$" "$tmp/out" ||
        fail "verify output: $(cat "$tmp/out")"
}
# verify_fails DB PATTERN [OPTIONS...]: exit 1 and the message matches PATTERN
verify_fails() {
    local d=$1 pat=$2
    shift 2
    "$bin" audit verify --db "$d" "$@" >"$tmp/out" 2>"$tmp/verr"
    local rc=$?
    [ $rc -eq 1 ] || fail "verify of $d exits $rc, want 1: $(cat "$tmp/out" "$tmp/verr")"
    grep -qE "^FAIL: $pat" "$tmp/out" || fail "verify of $d: want /$pat/, got: $(cat "$tmp/out")"
}
copy() { cp "$db" "$tmp/$1.db" && echo "$tmp/$1.db"; }
leaf_of() { # DB SEQ: the hex SHA-256 of 0x00 || entry
    { printf '\0'; sqlite3 "$1" "SELECT entry FROM audit_log WHERE seq = $2" | head -c -1; } |
        sha256sum | cut -c1-64
}

# ---- an untouched log passes, with or without the key and the auditor's checkpoint ----------
verify_ok "$db"
verify_ok "$db" --key "$pub" --checkpoint "$tmp/cp1"
printf '%s\n' "$pub" >"$tmp/pub"
verify_ok "$db" --key "$tmp/pub" --checkpoint "$tmp/cp2"
[ "$(leaf_of "$db" 0)" = "$(sql "$db" "SELECT hex(leaf) FROM audit_log WHERE seq = 0" | tr A-F a-f)" ] ||
    fail "the stored leaf is not SHA-256(0x00 || entry)"

# ---- a rewritten entry: caught by its leaf, or (leaf rewritten too) by the checkpoint -------
seq=$(sql "$db" "SELECT seq FROM audit_log WHERE json_extract(entry, '$.data.id') = 'c3'")
d=$(copy rewrite)
sql "$d" "DROP TRIGGER audit_log_no_update;
          UPDATE audit_log SET entry = replace(entry, '\"after\":\"hidden\"', '\"after\":\"published\"') WHERE seq = $seq"
[ "$(sql "$d" "SELECT json_extract(entry, '$.after') FROM audit_log WHERE seq = $seq")" = published ] ||
    fail "the rewrite did not happen"
verify_fails "$d" "entry $seq: the stored leaf is not the hash"
sql "$d" "UPDATE audit_log SET leaf = X'$(leaf_of "$d" "$seq")' WHERE seq = $seq"
verify_fails "$d" "checkpoint 1 \(size [0-9]+\): the log's root differs .*\[0, "

# ---- a deleted entry --------------------------------------------------------------------------
d=$(copy delete)
sql "$d" "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 2"
verify_fails "$d" "entry 2 is missing"

# ---- two entries swapped (entry and leaf together) -------------------------------------------
d=$(copy swap)
sql "$d" "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET seq = 1000000 WHERE seq = 3;
          UPDATE audit_log SET seq = 3 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 1000000"
verify_fails "$d" "entry 3: its \"seq\" field is not 3"

# ---- an item's text changed with a plain UPDATE ---------------------------------------------
seq=$(sql "$db" "SELECT seq FROM audit_log WHERE json_extract(entry, '$.data.id') = 'c2'")
item=$(sql "$db" "SELECT id FROM items WHERE ext_id = 'c2'")
d=$(copy text)
sql "$d" "UPDATE items SET text = 'một câu khác hẳn' WHERE id = $item"
verify_fails "$d" "entry $seq: the text of item:$item does not match its hash"
d=$(copy verdict)
sql "$d" "UPDATE items SET verdict = replace(verdict, '\"hide\"', '\"allow\"') WHERE ext_id = 'c3'"
seq=$(sql "$db" "SELECT seq FROM audit_log WHERE json_extract(entry, '$.data.id') = 'c3'")
verify_fails "$d" "entry $seq: the verdict of item:[0-9]+ does not match"
d=$(copy hidden_item)
sql "$d" "INSERT INTO items (org, channel, ext_id, kind, author, text, received_at, state, verdict, action, score, policy_version)
          SELECT org, channel, 'c9', kind, author, text, received_at, state, verdict, action, score, policy_version FROM items WHERE ext_id = 'c1'"
verify_fails "$d" "item [0-9]+ has no item.ingest entry"

# ---- the review workflow's rows changed with a plain UPDATE ---------------------------------
seq=$(sql "$db" "SELECT seq FROM audit_log WHERE json_extract(entry, '$.action') = 'item.decide'")
d=$(copy note)
sql "$d" "UPDATE decisions SET note = 'không có gì'"
verify_fails "$d" "entry $seq: decision [0-9]+ has another note"
d=$(copy person)
sql "$d" "UPDATE decisions SET decided_by_name = 'người khác'"
verify_fails "$d" "entry $seq: decision [0-9]+ names another person"
d=$(copy outcome)
sql "$d" "UPDATE decisions SET outcome = 'keep'"
verify_fails "$d" "entry $seq: decision [0-9]+ has another outcome"
d=$(copy state)
sql "$d" "UPDATE items SET state = 0 WHERE ext_id = 'c3'"
seq=$(sql "$db" "SELECT max(seq) FROM audit_log WHERE json_extract(entry, '$.after') = 'removed'")
verify_fails "$d" "entry $seq: item:[0-9]+ is published, the log says removed"
d=$(copy appeal_reason)
sql "$d" "UPDATE appeals SET reason = 'khác'"
seq=$(sql "$db" "SELECT seq FROM audit_log WHERE json_extract(entry, '$.action') = 'appeal.decide'")
verify_fails "$d" "entry $seq: appeal $appeal has another reason"
d=$(copy appeal_text)
sql "$d" "UPDATE appeals SET text = 'khác'"
seq=$(sql "$db" "SELECT seq FROM audit_log WHERE json_extract(entry, '$.action') = 'appeal.create'")
verify_fails "$d" "entry $seq: appeal $appeal has another text"
d=$(copy report)
sql "$d" "UPDATE reports SET text = NULL"
seq=$(sql "$db" "SELECT seq FROM audit_log WHERE json_extract(entry, '$.action') = 'report.create'")
verify_fails "$d" "entry $seq: report [0-9]+ has another text"
d=$(copy purge_mark)
sql "$d" "UPDATE items SET purged_at = 1, text = '' WHERE ext_id = 'c1'"
verify_fails "$d" "item:[0-9]+ is marked purged without an item.purge entry"

# ---- the end of the log cut off ----------------------------------------------------------------
d=$(copy truncate)
sql "$d" "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = $((n - 1))"
verify_fails "$d" "checkpoint 2 signs $n entries, the log has $((n - 1)) \(truncated\)"
# an auditor's checkpoint catches the cut even when the stored checkpoints go too
sql "$d" "DROP TRIGGER audit_checkpoints_no_delete; DELETE FROM audit_checkpoints WHERE id = 2"
verify_fails "$d" "checkpoint file signs $n entries, the log has $((n - 1)) \(truncated\)" \
    --key "$pub" --checkpoint "$tmp/cp2"

# ---- a fork: the same key signs another tree of the same size, then of a larger one ----------
fork=$(copy fork)
"$bin" token create --db "$db" --role reviewer --name "on the log" >/dev/null 2>&1 || fail "token"
"$bin" token create --db "$fork" --role reviewer --name "on the fork" >/dev/null 2>&1 || fail "token"
"$bin" audit checkpoint --db "$db" --audit-key "$key" --name "$name" >"$tmp/cp3" || fail "cp3"
"$bin" audit checkpoint --db "$fork" --audit-key "$key" --name "$name" >"$tmp/fork3" || fail "fork3"
n=$((n + 1))
sed -n 2p "$tmp/cp3" | grep -qx "$n" && sed -n 2p "$tmp/fork3" | grep -qx "$n" || fail "fork sizes"
cmp -s "$tmp/cp3" "$tmp/fork3" && fail "the fork signs the same tree"
"$bin" audit verify --db "$db" --key "$pub" --checkpoint "$tmp/cp3" | grep -q "^ok: $n entries, 3 checkpoints" ||
    fail "the log with its third checkpoint"
verify_fails "$db" "checkpoint file \(size $n\): the log does not extend its tree" --key "$pub" --checkpoint "$tmp/fork3"
"$bin" audit verify --db "$fork" --key "$pub" --checkpoint "$tmp/cp3" >"$tmp/out"
[ $? -eq 1 ] && grep -q "^FAIL: checkpoint file (size $n)" "$tmp/out" || fail "the fork verified against the log's checkpoint"
# the forked note stored beside the log's own checkpoints
d=$(copy forked_row)
sql "$d" "ATTACH '$fork' AS f; INSERT INTO audit_checkpoints (at, size, root, note, key)
          SELECT at, size, root, note, key FROM f.audit_checkpoints ORDER BY id DESC LIMIT 1"
verify_fails "$d" "checkpoint 4 \(size $n\): the log's root differs .* another tree of that size \(a fork\)"
"$bin" token create --db "$fork" --role reviewer --name "more on the fork" >/dev/null 2>&1 || fail "token"
"$bin" audit checkpoint --db "$fork" --audit-key "$key" --name "$name" >"$tmp/fork4" || fail "fork4"
verify_fails "$db" "checkpoint file signs $((n + 1)) entries, the log has $n" --key "$pub" --checkpoint "$tmp/fork4"

# ---- a checkpoint signed by another key is refused -------------------------------------------
other=$("$bin" audit key --audit-key "$tmp/other.key" --name "$name") || fail "other key"
verify_fails "$db" "checkpoint 1: no signature by the key" --key "$other"
"$bin" audit verify --db "$db" --key "not a key" >/dev/null 2>&1; [ $? -eq 2 ] || fail "a bad --key exits 2"
"$bin" audit verify --db "$tmp/none.db" >/dev/null 2>&1; [ $? -eq 2 ] || fail "a missing db exits 2"
"$bin" audit verify >/dev/null 2>&1; [ $? -eq 2 ] || fail "no --db exits 2"
chmod 644 "$key"
"$bin" audit key --audit-key "$key" --name "$name" >/dev/null 2>"$tmp/e"; [ $? -eq 2 ] || fail "a readable key file is refused"
grep -q "chmod 600" "$tmp/e" || fail "key file message: $(cat "$tmp/e")"
echo "audit_tamper: ok"
