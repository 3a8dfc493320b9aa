#!/usr/bin/env bash
# POST /v1/admin/rescreen against a real server: items ingested under policy A, the policy
# reloaded as B (one new rule, one rule renamed), then a dry run reports the per-rule and
# per-action diff and writes nothing (every item reply and the audit log unchanged), paging
# with a cursor adds up to the same, and "apply" stores the changed verdicts with one audit entry
# each and opens pending cases without hiding anything; a second run finds nothing to change.
# Usage: rescreen.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
db=$(store_url s) || fail "store"
cp -r policies/. "$tmp/" || fail "copy the policies"
cp policies/default.yaml "$tmp/policy.yaml"
# policy B: a new rule (spam.durian) and insult.people renamed (insult.people2)
python3 - "$tmp/policy.yaml" "$tmp/b.yaml" <<'PY' || fail "make policy B"
import sys
s = open(sys.argv[1]).read()
rule = ("rules:\n  - id: spam.durian\n    category: spam\n    weight: 0.7\n"
        "    clause: \"Điều 9. Không quảng cáo trái cây.\"\n    regex: 'sau rieng'\n    view: fold\n")
assert "rules:\n" in s and "id: insult.people\n" in s
s = s.replace("rules:\n", rule, 1).replace("id: insult.people\n", "id: insult.people2\n", 1)
open(sys.argv[2], "w").write(s)
PY
integ=$(token integration)
admin=$(token admin)
rev=$(token reviewer)
start_server "$db" --policy "$tmp/policy.yaml"
audit_rows() { db_sql "SELECT count(*) FROM audit_log"; }

req POST /v1/items "$integ" '{"items":[
 {"id":"n1","channel":"web","kind":"comment","author":"u1","text":"ăn sầu riêng đi"},
 {"id":"n2","channel":"web","kind":"comment","author":"u2","text":"mày là thằng chó"},
 {"id":"n3","channel":"web","kind":"comment","author":"u3","text":"cảm ơn sở"},
 {"id":"n4","channel":"web","kind":"comment","author":"u4","text":"Sầu riêng ngon quá"},
 {"id":10158812345678901,"channel":"web","kind":"comment","author":"u5","text":"bán sầu riêng"}]}'
expect 200 '[.items[].verdict.action] == ["allow","review","allow","allow","allow"]' "ingest under A"

# under A nothing changes
req POST /v1/admin/rescreen "$admin" '{}'
expect 200 '.totals == {"items":5,"unchanged":5,"changed":0} and .actions == {} and .rules == {} and .next_cursor == null' "rescreen under A"

cp "$tmp/b.yaml" "$tmp/policy.yaml"
req POST /v1/admin/reload "$admin" '{}'
expect 200 '' "reload with B"

snapshot() {
    for i in n1 n2 n3 n4 10158812345678901; do
        req GET "/v1/items/web/$i" "$rev"
        printf '%s\n' "$body"
    done
}
before=$(snapshot)
rows=$(audit_rows)
[ "$rows" -ge 5 ] || fail "the ingest was logged: $rows"

req POST /v1/admin/rescreen "$admin" '{"apply":false}'
expect 200 '.apply == false and .totals == {"items":5,"unchanged":1,"changed":4}' "dry run totals"
expect 200 '.actions == {"allow->review":3}' "dry run actions"
expect 200 '.rules == {"insult.people":{"newly_flagged":0,"no_longer_flagged":1},"insult.people2":{"newly_flagged":1,"no_longer_flagged":0},"spam.durian":{"newly_flagged":3,"no_longer_flagged":0}}' "dry run rules"
expect 200 'has("applied") | not' "a dry run applies nothing"
[ "$(snapshot)" = "$before" ] || fail "the dry run changed an item"
[ "$(audit_rows)" = "$rows" ] || fail "the dry run wrote to the audit log"
req GET /v1/queues/pending "$rev"
expect 200 '[.items[].id] == ["n2"]' "the dry run opened no case"

# a bounded call continues with its cursor, and the pages add up to the whole
cursor=null; total=0; changed=0; calls=0
while :; do
    req POST /v1/admin/rescreen "$admin" "{\"limit\":1,\"cursor\":$cursor}"
    expect 200 '.totals.items == 1' "page $calls"
    total=$((total + $(printf '%s' "$body" | jq .totals.items)))
    changed=$((changed + $(printf '%s' "$body" | jq .totals.changed)))
    cursor=$(printf '%s' "$body" | jq .next_cursor)
    calls=$((calls + 1))
    [ "$cursor" = null ] && break
    [ "$calls" -lt 10 ] || fail "the cursor does not end"
done
[ "$total" = 5 ] && [ "$changed" = 4 ] || fail "pages: $total items, $changed changed"

# "since" in the future: only the item with an open case is screened
req POST /v1/admin/rescreen "$admin" '{"since":"2999-01-01T00:00:00Z"}'
expect 200 '.totals.items == 1 and .totals.changed == 1' "open cases whatever since"
req POST /v1/admin/rescreen "$admin" "{\"since\":$(($(date +%s) * 1000 - 3600000))}"
expect 200 '.totals.items == 5' "since as milliseconds"

# refusals
req POST /v1/admin/rescreen "$rev" '{}'
expect 403 '.error.code == "forbidden"' "reviewer may not rescreen"
req POST /v1/admin/rescreen "$admin" '{"apply":"yes"}'
expect 400 '.error.byte == 9' "apply must be a boolean"
req POST /v1/admin/rescreen "$admin" '{"since":"last week"}'
expect 400 '.error.byte == 9' "since must be a time"
req POST /v1/admin/rescreen "$admin" '{"limit":100001}'
expect 400 '.error.message' "limit is bounded"
req POST /v1/admin/rescreen "$admin" '{"whatever":1}'
expect 400 '.error.message | test("unknown key")' "unknown key"
req GET /v1/admin/rescreen "$admin"
expect 405 '' "GET rescreen"
[ "$(snapshot)" = "$before" ] || fail "a refused or dry call changed an item"
[ "$(audit_rows)" = "$rows" ] || fail "a refused or dry call wrote to the audit log"

# apply: three verdicts stored, two cases opened, nothing hidden
req POST /v1/admin/rescreen "$admin" '{"apply":true}'
expect 200 '.apply == true and .totals.changed == 4 and .applied == 4 and .skipped == 0 and .cases_opened == 3' "apply"
[ "$(audit_rows)" = $((rows + 4)) ] || fail "one audit entry per changed item: $(audit_rows) after $rows"
[ "$(db_sql "SELECT count(*) FROM audit_log WHERE json_extract(entry, '\$.action') = 'item.rescreen' AND json_extract(entry, '\$.data.old_action') = 'allow' AND json_extract(entry, '\$.data.new_action') = 'review' AND json_extract(entry, '\$.data.queue') = 'pending' AND json_extract(entry, '\$.actor.name') = 't-admin'")" = 3 ] ||
    fail "item.rescreen entries"
req GET /v1/items/web/n1 "$rev"
expect 200 '.action == "review" and .state == "published" and .verdict.id == "n1" and ([.verdict.hits[].rule] == ["spam.durian"]) and ((.verdict.versions.policy | split("#")[1]) as $h | .policy_version | endswith($h))' "n1 rescreened"
req GET /v1/items/web/n3 "$rev"
[ "$body" = "$(printf '%s\n' "$before" | sed -n 3p)" ] || fail "the unchanged item n3 was rewritten"
req GET /v1/queues/pending "$rev"
expect 200 '[.items[].id] | sort == ["10158812345678901","n1","n2","n4"]' "cases opened for n1, n4 and the integer id"
# the new verdict names the item by its id as first written (an integer beyond 2^53 kept exact)
req GET /v1/items/web/10158812345678901 "$rev"
case $body in *'"verdict":{"id":10158812345678901,"action":"review"'*) ;; *) fail "the integer id of the new verdict: $body" ;; esac
req POST /v1/admin/rescreen "$admin" '{"apply":true}'
expect 200 '.totals.changed == 0 and .applied == 0' "nothing left to change"

# a global admin names the org in X-Sangloc-Org; another org's items are never screened
db_sql "INSERT INTO organizations (id, name) VALUES ('other', 'Other')" || fail "org"
gadmin=$("$bin" token create --db "$db" --role admin --name root 2>/dev/null)
rs() { # ORG: rescreen as the global admin for ORG
    code=$(timeout 30 curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $gadmin" \
        -H "X-Sangloc-Org: $1" "$url/v1/admin/rescreen")
    body=$(cat "$tmp/body")
}
rs default
expect 200 '.totals.items == 5' "global admin for default"
rs other
expect 200 '.totals.items == 0' "global admin for another org"
rs nowhere
expect 404 '' "global admin for an org that does not exist"
stop_server
echo "rescreen: ok"
