#!/usr/bin/env bash
# Service test of the audit log: the server signs checkpoints (on demand and on its timer) with
# the key of --audit-key, serves them as JSON and as the plain note, serves entries (an org's
# auditor sees its own org's entries and only the leaf hash of the others'), inclusion proofs
# that a small RFC 9162 verifier written here in shell accepts for every index (and refuses
# once a byte changes), consistency proofs between two checkpoints; bad query values are 400
# naming the parameter; a reload is logged; and `sangloc audit verify` accepts the whole log and
# the auditor's saved checkpoint.
# Usage: audit.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
db=$(store_url s) || fail "store"
akey=$tmp/audit.key

integ=$(token integration)
aud=$(token auditor)
rev=$(token reviewer)
admin=$(token admin)
db_sql "INSERT INTO organizations (id, name) VALUES ('other', 'Other');" || fail "org"
other_aud=$(token auditor other)
other_integ=$(token integration other)
start_server "$db" --audit-key "$akey" --audit-name audit-test
pub=$("$bin" audit key --audit-key "$akey" --name audit-test) || fail "audit key"
[ "$(stat -c %a "$akey")" = 600 ] || fail "the server's key file is not 0600"

# ---- RFC 9162 2.1.3.2 in shell: hashes as hex, proofs as base64 --------------------------------
h2b() { printf "$(printf '%s' "$1" | sed 's/../\\x&/g')"; }
b64hex() { printf '%s' "$1" | base64 -d | od -An -v -tx1 | tr -d ' \n'; }
node() { { printf '\1'; h2b "$1"; h2b "$2"; } | sha256sum | cut -c1-64; }
# verify_inclusion INDEX SIZE LEAF_HEX ROOT_HEX PROOF_HEX...: status 0 when the proof holds
verify_inclusion() {
    local fn=$1 sn=$(($2 - 1)) r=$3 root=$4 p
    shift 4
    [ "$fn" -lt $((sn + 1)) ] || return 1
    for p in "$@"; do
        [ "$sn" -eq 0 ] && return 1
        if [ $((fn & 1)) -eq 1 ] || [ "$fn" -eq "$sn" ]; then
            r=$(node "$p" "$r")
            while [ $((fn & 1)) -eq 0 ] && [ "$fn" -ne 0 ]; do fn=$((fn >> 1)) sn=$((sn >> 1)); done
        else
            r=$(node "$r" "$p")
        fi
        fn=$((fn >> 1)) sn=$((sn >> 1))
    done
    [ "$sn" -eq 0 ] && [ "$r" = "$root" ]
}

# ---- roles -------------------------------------------------------------------------------------
req GET /v1/audit/checkpoint ""
expect 401 '' "no token"
req GET /v1/audit/checkpoint "$rev"
expect 403 '.error.code == "forbidden"' "a reviewer may not read the audit log"
req GET /v1/audit/nothing "$aud"
expect 404 '' "unknown audit route"

# ---- checkpoints --------------------------------------------------------------------------------
req POST /v1/items "$integ" '{"items":[
 {"id":"a1","channel":"web","kind":"comment","author":"Nguyễn Văn An","text":"bài viết rất hữu ích, cảm ơn"},
 {"id":"a2","channel":"web","kind":"comment","author":"Trần Thị Bình","text":"đồ ngu mày im đi"}]}'
expect 200 '[.items[].status] == ["created","created"]' "ingest"
req POST /v1/items "$other_integ" '{"items":[{"id":"o1","channel":"web","kind":"comment","author":"x","text":"chào"}]}'
expect 200 '.items[0].status == "created"' "ingest in the other org"
n1=$(db_sql "SELECT count(*) FROM audit_log")
req GET /v1/audit/checkpoint "$aud"
expect 200 ".origin == \"sangloc/audit-test\" and .size == $n1 and .key == \"$pub\"" "checkpoint"
cp1=$body
printf '%s' "$cp1" | jq -j .note >"$tmp/cp1"
root1=$(printf '%s' "$cp1" | jq -r .root)
[ "$(head -n 4 "$tmp/cp1")" = "$(printf 'sangloc/audit-test\n%s\n%s\n\n' "$n1" "$root1")" ] ||
    fail "the note's text is not the checkpoint body: $(cat "$tmp/cp1")"
grep -q "^— sangloc/audit-test " "$tmp/cp1" || fail "the note's signature line"
code=$(timeout 30 curl -s -o "$tmp/plain" -w '%{http_code}' -H "Authorization: Bearer $aud" \
    -H "Accept: text/plain" "$url/v1/audit/checkpoint")
[ "$code" = 200 ] && cmp -s "$tmp/plain" "$tmp/cp1" || fail "Accept: text/plain gives the note itself"
[ "$(db_sql "SELECT count(*) FROM audit_checkpoints WHERE size = $n1")" = 1 ] ||
    fail "the checkpoint is stored once"
req GET /v1/audit/checkpoint "$other_aud"
expect 200 ".size == $n1 and .root == \"$root1\"" "the same checkpoint again, not signed twice"
[ "$(db_sql "SELECT count(*) FROM audit_checkpoints WHERE size = $n1")" = 1 ] ||
    fail "a second checkpoint of the same tree"

# ---- entries: a global admin sees all; an org's auditor its own org's only -------------------
req GET "/v1/audit/entries?from=0&to=$n1" "$admin"
expect 200 "(.entries | length) == $n1 and .size == $n1 and ([.entries[] | select(.withheld)] | length) == 0" "entries as admin"
e0=$(printf '%s' "$body" | jq -j '.entries[0].entry')
leaf0=$(printf '%s' "$body" | jq -r '.entries[0].leaf')
[ "$({ printf '\0'; printf '%s' "$e0"; } | sha256sum | cut -c1-64)" = "$(b64hex "$leaf0")" ] ||
    fail "leaf 0 is not SHA-256(0x00 || entry 0)"
req GET "/v1/audit/entries?from=0&to=$n1" "$aud"
expect 200 '([.entries[] | select(.withheld | not) | .org] | unique) == ["default"] and ([.entries[] | select(.withheld)] | length) > 0 and ([.entries[] | select(.withheld) | has("entry") or has("org")] | any | not) and ([.entries[].leaf] | length) == '"$n1" "entries as the org's auditor"
printf '%s' "$body" | grep -q "Nguyễn" && fail "an author's name in the entries"
req GET "/v1/audit/entries?from=0&to=$n1" "$other_aud"
expect 200 '([.entries[] | select(.withheld | not) | .org] | unique) == ["other"]' "entries as the other org's auditor"

# ---- inclusion proofs of every entry, checked here ------------------------------------------------
root1hex=$(b64hex "$root1")
for ((i = 0; i < n1; i++)); do
    req GET "/v1/audit/proof/inclusion?index=$i&size=$n1" "$aud"
    expect 200 ".index == $i and .size == $n1 and .root == \"$root1\"" "inclusion $i"
    leaf=$(b64hex "$(printf '%s' "$body" | jq -r .leaf)")
    mapfile -t proof < <(printf '%s' "$body" | jq -r '.proof[]' | while read -r p; do b64hex "$p"; echo; done)
    verify_inclusion "$i" "$n1" "$leaf" "$root1hex" "${proof[@]}" || fail "inclusion proof $i does not verify"
    if [ ${#proof[@]} -gt 0 ]; then
        bad=("${proof[@]}")
        [ "${bad[0]:0:1}" = f ] && bad[0]=0${bad[0]:1} || bad[0]=f${bad[0]:1}
        verify_inclusion "$i" "$n1" "$leaf" "$root1hex" "${bad[@]}" && fail "a changed proof $i verifies"
    fi
    verify_inclusion $(((i + 1) % n1)) "$n1" "$leaf" "$root1hex" "${proof[@]}" &&
        fail "proof $i verifies for another index"
done

# ---- the log grows: the timer signs, consistency between the two checkpoints --------------------
req POST /v1/admin/reload "$admin" '{}'
expect 200 '.reloaded == true' "reload"
[ "$(db_sql "SELECT count(*) FROM audit_log WHERE json_extract(entry, '$.action') = 'policy.reload'
      AND json_extract(entry, '$.actor.name') = 't-admin' AND json_extract(entry, '$.before') != ''
      AND json_extract(entry, '$.after') = json_extract(entry, '$.before')")" -ge 1 ] ||
    fail "the reload is not logged with its actor and versions"
kill -HUP "$pid"
for _ in $(seq 1 100); do
    [ "$(db_sql "SELECT count(*) FROM audit_log WHERE json_extract(entry, '$.action') = 'policy.reload'
          AND CAST(json_extract(entry, '$.actor.token') AS BIGINT) = 0")" -ge 1 ] && break
    sleep 0.1
done
[ "$(db_sql "SELECT count(*) FROM audit_log WHERE json_extract(entry, '$.action') = 'policy.reload'
      AND CAST(json_extract(entry, '$.actor.token') AS BIGINT) = 0")" -ge 1 ] || fail "a SIGHUP reload is not logged"
req POST /v1/items "$integ" '{"items":[{"id":"a3","channel":"web","kind":"comment","author":"u","text":"thêm một bình luận"}]}'
expect 200 '.items[0].status == "created"' "ingest more"
n2=$(db_sql "SELECT count(*) FROM audit_log")
for _ in $(seq 1 80); do # the timer signs within SL_AUDIT_SIGN_SECONDS (5 s)
    [ "$(db_sql "SELECT count(*) FROM audit_checkpoints WHERE size = $n2")" = 1 ] && break
    sleep 0.1
done
[ "$(db_sql "SELECT count(*) FROM audit_checkpoints WHERE size = $n2")" = 1 ] ||
    fail "the timer did not sign the grown log"
req GET /v1/audit/checkpoint "$aud"
expect 200 ".size == $n2" "the second checkpoint"
root2=$(printf '%s' "$body" | jq -r .root)
req GET "/v1/audit/proof/consistency?from=$n1&to=$n2" "$aud"
expect 200 ".root_from == \"$root1\" and .root_to == \"$root2\" and (.proof | length) > 0" "consistency"
req GET "/v1/audit/proof/consistency?from=0&to=$n2" "$aud"
expect 200 '(.proof | length) == 0' "consistency with the empty tree"

# ---- bad query values: 400 naming the parameter -----------------------------------------------
for q in "entries?from=x&to=3|from" "entries?from=0&to=1001|to" "entries?from=5&to=3|to" \
    "entries?to=3|from: required" "entries?from=0&to=3&x=1|unknown query parameter 'x'" \
    "entries?from=0&from=1&to=3|from: given twice" "entries?from=01&to=3|from" \
    "entries?from=99999999999999999999&to=3|from" "proof/inclusion?index=3&size=3|index" \
    "proof/inclusion?index=0&size=$((n2 + 1))|size" "proof/inclusion?index=-1&size=3|index" \
    "proof/consistency?from=3&to=2|from" "proof/consistency?from=0&to=$((n2 + 1))|to" \
    "entries?from=0&to=3&|an empty query parameter"; do
    req GET "/v1/audit/${q%|*}" "$aud"
    expect 400 ".error.code == \"bad_request\" and (.error.message | contains(\"${q#*|}\"))" "GET ${q%|*}"
done

stop_server
"$bin" audit verify --db "$db" --key "$pub" --checkpoint "$tmp/cp1" >"$tmp/out" ||
    fail "verify: $(cat "$tmp/out")"
grep -q "^ok: $n2 entries, [0-9]* checkpoints, root $root2$" "$tmp/out" || fail "verify output: $(cat "$tmp/out")"
echo "audit: ok"
