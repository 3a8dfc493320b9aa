#!/usr/bin/env bash
# The review workflow against a real server: ingest -> automated hide (with its notice) -> a
# reviewer's decision (stale version refused, unknown rule refused) -> the notice as JSON and
# as text, in Vietnamese and English -> the author's appeal with the token (a second one
# refused) -> the person who decided refused with any of their tokens (403) -> another person
# overturns -> the item is published -> the notice of the outcome; reports of one item grouped
# in one case; the queues' figures; roles (a reviewer cannot decide appeals, an integration
# cannot decide items, a token of another organization gets 404); wrong appeal tokens limited
# per address.
# Usage: workflow.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
db=$(store_url s) || fail "store"
cp policies/default.yaml "$tmp/policy.yaml" || fail "copy the policy"
cp -r policies/. "$tmp/" 2>/dev/null # files the policy cites, relative to it

person() { # ROLE NAME [ORG]
    "$bin" token create --db "$db" --role "$1" --name "$2" ${3:+--org "$3"} 2>/dev/null ||
        fail "token create $1 $2"
}
integ=$(person integration "CMS")
rev=$(person reviewer "Lê Văn Cường")
rev_appeals=$(person appeals "Lê Văn Cường") # the same person, another role
appeals=$(person appeals "Phạm Thu Hà")
rev2=$(person reviewer "Đỗ Minh")
aud=$(person auditor "Kiểm toán")
db_sql "INSERT INTO organizations (id, name) VALUES ('other', 'Other');" || fail "org"
other_rev=$(person reviewer "Người ngoài" other)

start_server "$db" --policy "$tmp/policy.yaml" --threads 2

# ---- an automated hide: the item is hidden and its author gets a notice with an appeal token --
req POST /v1/items "$integ" '{"items":[
 {"id":"c3","channel":"web","kind":"comment","author":"Nguyễn Văn An","text":"mày là thằng chó, tao sẽ giết mày"},
 {"id":"c1","channel":"web","kind":"comment","author":"Trần Bình","text":"bài viết rất hữu ích, cảm ơn"}]}'
expect 200 '.items[0].state == "hidden" and (.items[0].notice.id | length) == 22 and
  (.items[0].notice.appeal_token | startswith("sla_")) and (.items[1] | has("notice") | not)' "ingest"
hide_notice=$(printf '%s' "$body" | jq -r '.items[0].notice.id')
hide_token=$(printf '%s' "$body" | jq -r '.items[0].notice.appeal_token')
req GET "/v1/notices/$hide_notice?token=$hide_token" ""
expect 200 '.kind == "automated_hide" and .automated_decision == true and .restriction == "hidden"' \
    "the automated hide's notice, read with its token"

# ---- the decision: version, rule, roles -----------------------------------------------------
req GET /v1/items/web/c3 "$rev"
expect 200 '(.version | type) == "number" and .version > 0' "GET shows the version"
version=$(printf '%s' "$body" | jq '.version')
rule=$(printf '%s' "$body" | jq -r '[.verdict.hits[].rule][0]')
[ -n "$rule" ] && [ "$rule" != null ] || fail "no rule in the verdict: $body"
decision() { # OUTCOME RULE VERSION
    printf '{"outcome":"%s","rule":"%s","note":"đe dọa giết người","statement":"Xin giữ lời lẽ ôn hòa.","version":%s}' "$1" "$2" "$3"
}
req POST /v1/items/web/c3/decision "$integ" "$(decision remove "$rule" "$version")"
expect 403 '.error.code == "forbidden"' "an integration cannot decide"
req POST /v1/items/web/c3/decision "$other_rev" "$(decision remove "$rule" "$version")"
expect 404 '.error.code == "not_found"' "another org's reviewer: no such item"
req POST /v1/items/web/c3/decision "$rev" "$(decision remove no.such.rule "$version")"
expect 400 '.error.code == "unknown_rule" and .error.byte == 27' "unknown rule, with the byte"
req POST /v1/items/web/c3/decision "$rev" "$(decision erase "$rule" "$version")"
expect 400 '.error.code == "bad_request" and .error.byte == 11' "unknown outcome"
req POST /v1/items/web/c3/decision "$rev" '{"outcome":"remove","rule":"x","version":1}'
expect 400 '.error.code == "missing_field"' "no note"
req POST /v1/items/web/c3/decision "$rev" '{"outcome":"remove","rule":"x","note":"n","version":1,"extra":1}'
expect 400 '.error.code == "bad_json" and (.error.byte | type) == "number"' "unknown key"
long=$(head -c 4001 /dev/zero | tr '\0' 'a')
req POST /v1/items/web/c3/decision "$rev" "{\"outcome\":\"remove\",\"rule\":\"$rule\",\"note\":\"$long\",\"version\":$version}"
expect 400 '.error.code == "too_large"' "a note over 4000 bytes"
# a claim moves the version: the reviewer's read is stale
req POST /v1/queues/pending/claim "$rev2" '{"n":1}'
expect 200 '.claimed | length == 1' "another reviewer claims"
req POST /v1/items/web/c3/decision "$rev" "$(decision remove "$rule" "$version")"
expect 409 '.error.code == "stale"' "a stale decision"
req GET /v1/items/web/c3 "$rev"
expect 200 '.state == "hidden"' "nothing changed"
version=$(printf '%s' "$body" | jq '.version')
req POST /v1/items/web/c3/decision "$rev" "$(decision remove "$rule" "$version")"
expect 200 '.outcome == "remove" and .before == "hidden" and .after == "removed" and
  .cases_closed == 1 and (.notice.id | length) == 22 and (.notice.appeal_token | startswith("sla_"))' "decide"
notice=$(printf '%s' "$body" | jq -r '.notice.id')
token=$(printf '%s' "$body" | jq -r '.notice.appeal_token')
version=$(printf '%s' "$body" | jq '.version')
req POST /v1/items/web/c3/decision "$rev2" "$(decision restore "$rule" "$version")"
expect 409 '.error.code == "already_decided"' "decided, no open case"

# ---- the notice: JSON and text, Vietnamese by default, English on request -------------------
req GET "/v1/notices/$notice" "$integ"
expect 200 ".lang == \"vi\" and .restriction == \"removed\" and .rule.id == \"$rule\" and
  .automated_detection == true and .automated_decision == false and .appeal.possible == true and
  .statement == \"Xin giữ lời lẽ ôn hòa.\"" "notice JSON (vi)"
req GET "/v1/notices/$notice?lang=en" "$rev"
expect 200 '.lang == "en"' "notice JSON (en)"
code=$(timeout 30 curl -s -o "$tmp/body" -w '%{http_code}' -H "Accept: text/plain" \
    -H "Authorization: Bearer $integ" "$url/v1/notices/$notice")
[ "$code" = 200 ] || fail "notice text: $code"
grep -q "$rule" "$tmp/body" || fail "the text notice cites the rule: $(cat "$tmp/body")"
grep -qi "kháng nghị\|khiếu nại" "$tmp/body" || fail "the Vietnamese text says how to appeal: $(cat "$tmp/body")"
code=$(timeout 30 curl -s -o "$tmp/body" -w '%{http_code}' -H "Accept: text/plain" \
    -H "Accept-Language: en-GB,en;q=0.9" "$url/v1/notices/$notice?token=$token")
[ "$code" = 200 ] || fail "notice text with the token: $code"
grep -qi "appeal" "$tmp/body" || fail "the English text says how to appeal: $(cat "$tmp/body")"
req GET "/v1/notices/$notice" "$aud"
expect 200 '.text_available == false and ([.facts[] | has("quote")] | any | not)' "the auditor: no quotes of the post"
req GET "/v1/notices/$notice" ""
expect 401 '.error.code == "unauthorized"' "a notice needs a token"
req GET "/v1/notices/$notice?token=$hide_token" ""
expect 404 '.error.code == "not_found"' "another notice's token"
req GET "/v1/notices/$notice" "$other_rev"
expect 404 '' "another org's token"
req GET "/v1/notices/$notice?token=bad%20token" ""
expect 400 '.error.code == "bad_request"' "a malformed token in the query"

# ---- the appeal, and who may decide it ------------------------------------------------------
req POST /v1/appeals "" '{"appeal_token":"sla_nope","text":"x"}'
expect 401 '.error.code == "unauthorized"' "a made-up appeal token"
req POST /v1/appeals "" "{\"appeal_token\":\"$token\"}"
expect 400 '.error.code == "missing_field"' "an appeal needs its text"
req POST /v1/appeals "" "{\"appeal_token\":\"$token\",\"text\":\"Tôi trích lời người khác để phản bác.\"}"
expect 200 '(.id | type) == "number"' "appeal"
appeal=$(printf '%s' "$body" | jq '.id')
req POST /v1/appeals "" "{\"appeal_token\":\"$token\",\"text\":\"lần nữa\"}"
expect 409 '.error.code == "already_appealed"' "one appeal per decision"
req POST /v1/appeals "" "{\"appeal_token\":\"$hide_token\",\"text\":\"x\"}"
expect 409 '.error.code == "superseded"' "the automated hide was replaced by a person's decision"
req GET /v1/queues/appeals "$appeals"
expect 200 ".items | length == 1 and .[0].appeal == $appeal and .[0].decision.outcome == \"remove\" and
  .[0].decision.decided_by_name == \"Lê Văn Cường\" and .[0].text == \"Tôi trích lời người khác để phản bác.\"" \
    "the appeals queue"
req GET /v1/queues/appeals "$aud"
expect 200 '.items | length == 1 and (.[0] | has("text") | not)' "the auditor sees no appeal text"
req POST /v1/queues/appeals/claim "$rev" '{}'
expect 403 '' "a reviewer cannot claim appeals"
req POST "/v1/appeals/$appeal/decision" "$rev" '{"outcome":"overturn","reason":"x"}'
expect 403 '.error.code == "forbidden"' "a reviewer cannot decide appeals"
req POST "/v1/appeals/$appeal/decision" "$rev_appeals" '{"outcome":"overturn","reason":"x"}'
expect 403 '.error.code == "conflict_of_interest"' "the person who decided, with their appeals token"
req POST "/v1/appeals/$appeal/decision" "$appeals" '{"outcome":"annul","reason":"x"}'
expect 400 '.error.code == "bad_request"' "unknown appeal outcome"
req POST "/v1/appeals/99999/decision" "$appeals" '{"outcome":"uphold","reason":"x"}'
expect 404 '' "no such appeal"
req POST /v1/queues/appeals/claim "$appeals" '{}'
expect 200 '.claimed | length == 1' "the appeals person claims it"
req POST "/v1/appeals/$appeal/decision" "$appeals" '{"outcome":"overturn","reason":"Trích dẫn để phản bác, không đe dọa ai."}'
expect 200 '.outcome == "overturn" and .before == "removed" and .after == "published" and
  (.notice.id | length) == 22 and (.notice | has("appeal_token") | not)' "overturned"
outcome_notice=$(printf '%s' "$body" | jq -r '.notice.id')
req POST "/v1/appeals/$appeal/decision" "$appeals" '{"outcome":"uphold","reason":"x"}'
expect 409 '.error.code == "appeal_decided"' "decided once"
req GET /v1/items/web/c3 "$rev"
expect 200 '.state == "published"' "the item is published again"
req GET "/v1/notices/$outcome_notice?token=$token" ""
expect 200 '.kind == "appeal_outcome" and .restriction == "restored" and .appeal.possible == false' \
    "the notice of the outcome, read with the appeal token"
req GET /v1/queues/appeals "$appeals"
expect 200 '.items | length == 0' "the appeals case is closed"

# ---- reports: grouped in one case -----------------------------------------------------------
report() { # REASON [TEXT]
    req POST /v1/reports "$integ" "{\"channel\":\"web\",\"id\":\"c1\",\"reason\":\"$1\",\"reporter\":\"độc giả Hoàng Yến\"${2:+,\"text\":\"$2\"}}"
}
report insult "xúc phạm"
expect 200 '.opened == true and .reports == 1 and (.appeal_token | startswith("sla_"))' "first report"
case_id=$(printf '%s' "$body" | jq '.case')
report insult
expect 200 ".opened == false and .reports == 2 and .case == $case_id" "second report joins the case"
report personal_data
expect 200 ".reports == 3 and .case == $case_id" "third report"
report_token=$(printf '%s' "$body" | jq -r '.appeal_token')
report politics
expect 400 '.error.code == "unknown_reason" and (.error.byte | type) == "number"' "a reason outside the policy"
req POST /v1/reports "$integ" '{"channel":"web","id":"nope","reason":"insult"}'
expect 404 '' "a report on no item"
req POST /v1/reports "$rev" '{"channel":"web","id":"c1","reason":"insult"}'
expect 403 '' "a reviewer does not file reports"
req GET /v1/queues/reported "$rev"
expect 200 ".items | length == 1 and .[0].case == $case_id and .[0].reports == 3 and
  .[0].reasons.insult == 2 and .[0].reasons.personal_data == 1" "the reported queue groups them"
req GET /v1/queues/reported "$appeals"
expect 403 '' "the appeals role does not see the reported queue"
req POST /v1/appeals "" "{\"appeal_token\":\"$report_token\",\"text\":\"x\"}"
expect 409 '.error.code == "not_appealable"' "a report not decided yet cannot be appealed"
req GET /v1/items/web/c1 "$rev"
version=$(printf '%s' "$body" | jq '.version')
# the version as an If-Match header instead of in the body
keep="{\"outcome\":\"keep\",\"rule\":\"$rule\",\"note\":\"phê bình, không xúc phạm\"}"
ifmatch() {
    code=$(timeout 30 curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $rev" \
        -H 'Content-Type: application/json' -H "If-Match: \"$1\"" --data-binary "$keep" \
        "$url/v1/items/web/c1/decision")
    body=$(cat "$tmp/body")
}
req POST /v1/items/web/c1/decision "$rev" "$keep"
expect 400 '.error.code == "missing_field"' "no version and no If-Match"
ifmatch $((version - 1))
expect 409 '.error.code == "stale"' "a stale If-Match"
ifmatch "$version"
expect 200 '.after == "published" and .notice == null and .cases_closed == 1' "keep with If-Match: no notice"
req GET /v1/queues/reported "$rev"
expect 200 '.items | length == 0' "the reported case is closed"

# ---- the queues' figures; the pending queue as before ---------------------------------------
req GET /v1/queues "$rev"
expect 200 '[.queues[].queue] == ["pending","reported","appeals"] and
  (.queues[0].time_to_decision.closed >= 1) and (.queues[0].time_to_decision.p50_seconds | type) == "number" and
  .queues[1].time_to_decision.closed == 1 and .queues[2].open == 0 and .queues[2].oldest_age_seconds == null' \
    "queue figures"
req GET /v1/queues "$integ"
expect 403 '' "an integration does not see the queues"
req GET /v1/queues/pending "$rev"
expect 200 '(.items | length) == 0 and .next_cursor == null' "/v1/queues/pending as before"
req GET /v1/queues/nowhere "$rev"
expect 404 '' "no such queue"
req GET /metrics "$aud"
for q in pending reported appeals; do
    grep -q "sangloc_queue_open{queue=\"$q\"} 0" "$tmp/body" || fail "metrics: queue $q"
done

# ---- the audit log holds hashes of the texts, never the texts --------------------------------
n=$(db_sql "SELECT count(*) FROM audit_log WHERE instr(entry, 'phản bác') OR instr(entry, 'Hoàng Yến') OR instr(entry, 'đe dọa giết')")
[ "$n" = 0 ] || fail "a text entered the audit log"
for a in item.decide notice.create report.create appeal.create appeal.decide case.open case.close; do
    n=$(db_sql "SELECT count(*) FROM audit_log WHERE json_extract(entry, '$.action') = '$a'")
    [ "$n" -ge 1 ] || fail "no $a entry in the audit log"
done
# ---- wrong appeal tokens are limited per address (last: the address stays limited a while) ---
first429=
for k in $(seq 1 40); do
    req POST /v1/appeals "" "{\"appeal_token\":\"sla_guess$k\",\"text\":\"x\"}"
    [ "$code" = 429 ] && { first429=$k; break; }
    [ "$code" = 401 ] || fail "a wrong appeal token: $code"
done
# 30 a minute, a few spent above, about one more a second while this loop runs
[ -n "$first429" ] && [ "$first429" -ge 20 ] && [ "$first429" -le 36 ] ||
    fail "wrong appeal tokens were not limited (first 429 at ${first429:-never})"
printf '%s' "$body" | jq -e '.error.code == "rate_limited"' >/dev/null || fail "429 body: $body"
# the limited address is refused even with a right token; on a loaded machine a refill (one
# every 2 s) may come first: then a wrong token spends it and the right one is tried again
limited=
for _ in 1 2 3 4 5; do
    req GET "/v1/notices/$notice?token=$token" ""
    [ "$code" = 429 ] && { limited=1; break; }
    [ "$code" = 200 ] || fail "the right token: $code"
    req POST /v1/appeals "" '{"appeal_token":"sla_guess_more","text":"x"}'
done
[ -n "$limited" ] || fail "the limited address, even with a right token: never 429"
req GET "/v1/notices/$notice" "$integ"
expect 200 '' "a Bearer token is not limited by it"
stop_server
echo "workflow: ok"
