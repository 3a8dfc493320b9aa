#!/usr/bin/env bash
# GET /v1/transparency/statements against a real server: an item hidden by the engine, one
# removed by a person (then restored by an overturned appeal: its end date), one kept up (no
# statement), one reported by a reader and removed (SOURCE_ARTICLE_16). The export holds exactly
# those statements with the schema's required fields and allowed values (every statement is also
# checked by sl__dsa_check in the route, and in test_transparency), and no author, reporter,
# reviewer, note, statement, text or item id; pages by cursor, since, NDJSON, bad parameters;
# roles (reviewer and integration 403, another org's auditor 404, a global admin names the org).
# Usage: transparency.sh SANGLOC DATA_DIR (run from the repository root).
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
appeals=$(person appeals "Phạm Thu Hà")
aud=$(person auditor "Kiểm toán viên")
admin=$("$bin" token create --db "$db" --role admin --name "Quản trị" 2>/dev/null) || fail "admin"
db_sql "INSERT INTO organizations (id, name) VALUES ('other', 'Other');" || fail "org"
other_aud=$(person auditor "Kiểm toán ngoài" other)

start_server "$db" --policy "$tmp/policy.yaml" --threads 2

# get PATH TOKEN [HEADER]: sets code and body
get() {
    local args=(-s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' --max-time 20)
    [ -n "$2" ] && args+=(-H "Authorization: Bearer $2")
    [ $# -ge 3 ] && args+=(-H "$3")
    code=$(timeout 30 curl "${args[@]}" "$url$1")
    body=$(cat "$tmp/body" 2>/dev/null)
}

# ---- the workflow ---------------------------------------------------------------------------
req POST /v1/items "$integ" '{"items":[
 {"id":"bl-hide-7731","channel":"web","kind":"comment","author":"Nguyễn Văn An","created_at":"2026-11-29T10:00:00Z","text":"mày là thằng chó, tao sẽ giết mày"},
 {"id":"bl-remove-7732","channel":"web","kind":"comment","author":"Trần Thị Bình","text":"Đồ ngu, gọi 0912 345 678"},
 {"id":"bl-keep-7733","channel":"web","kind":"comment","author":"Hoàng Minh Châu","text":"thằng ngu"},
 {"id":"bl-report-7734","channel":"web","kind":"comment","author":"Vũ Đức Dũng","text":"bài viết rất hữu ích, cảm ơn"}]}'
expect 200 '[.items[].state] == ["hidden","published","published","published"]' "ingest"

version() { # ID
    req GET "/v1/items/web/$1" "$rev"
    expect 200 '.version > 0' "version of $1"
    printf '%s' "$body" | jq '.version'
}
decide() { # ID OUTCOME RULE
    local v
    v=$(version "$1") || exit 1
    req POST "/v1/items/web/$1/decision" "$rev" "{\"outcome\":\"$2\",\"rule\":\"$3\",\"version\":$v,\"note\":\"ghi chú kín của người kiểm duyệt\",\"statement\":\"Lời nhắn riêng cho tác giả\"}"
    expect 200 ".outcome == \"$2\"" "decide $1 $2"
}
decide bl-remove-7732 remove pii.phone
remove_token=$(printf '%s' "$body" | jq -r '.notice.appeal_token')
decide bl-keep-7733 keep insult.people
req POST /v1/reports "$integ" '{"channel":"web","id":"bl-report-7734","reason":"insult","reporter":"độc giả Hoàng Yến","text":"lời tố cáo riêng"}'
expect 200 '.opened == true' "a reader's report"
decide bl-report-7734 remove insult.people
req POST /v1/appeals "" "{\"appeal_token\":\"$remove_token\",\"text\":\"Khiếu nại riêng của tác giả\"}"
expect 200 '(.id | type) == "number"' "the author appeals the removal"
appeal=$(printf '%s' "$body" | jq '.id')
req POST "/v1/appeals/$appeal/decision" "$appeals" '{"outcome":"overturn","reason":"Lý do kín của phúc thẩm"}'
expect 200 '.after == "published"' "the appeal overturns the removal"
today=$(date -u +%F)

# ---- the export -----------------------------------------------------------------------------
get /v1/transparency/statements "$aud"
expect 200 '(.statements | length) == 3 and .next_cursor == null' "three statements"
grep -qi '^content-type: application/json' "$tmp/headers" || fail "JSON content type"
all=$body
# the schema's required fields, and only the fields the schema knows, in every statement
printf '%s' "$all" | jq -e '
  def known: ["decision_visibility","decision_visibility_other","decision_monetary",
    "decision_monetary_other","decision_provision","decision_account","account_type",
    "end_date_visibility_restriction","end_date_monetary_restriction","end_date_service_restriction",
    "end_date_account_restriction","decision_ground","decision_ground_reference_url",
    "illegal_content_legal_ground","illegal_content_explanation","incompatible_content_ground",
    "incompatible_content_explanation","incompatible_content_illegal","content_type",
    "content_type_other","category","category_addition","category_specification",
    "category_specification_other","territorial_scope","content_language","content_date",
    "content_id","application_date","decision_facts","source_type","source_identity",
    "automated_detection","automated_decision","puid"];
  .statements | all(
    (keys - known) == [] and
    (.decision_visibility | length) == 1 and
    .decision_ground == "DECISION_GROUND_INCOMPATIBLE_CONTENT" and
    (.incompatible_content_ground | length) > 0 and (.incompatible_content_explanation | length) > 0 and
    .content_type == ["CONTENT_TYPE_TEXT"] and (.category | startswith("STATEMENT_CATEGORY_")) and
    (.territorial_scope | length) == 30 and
    (.content_date | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")) and .application_date == "'"$today"'" and
    (.decision_facts | length) > 0 and
    (.source_type | IN("SOURCE_ARTICLE_16","SOURCE_VOLUNTARY")) and
    (.automated_detection | IN("Yes","No")) and
    (.automated_decision | IN("AUTOMATED_DECISION_NOT_AUTOMATED","AUTOMATED_DECISION_FULLY")) and
    (.puid | test("^sl-[0-9a-f]{32}$")))' >/dev/null || fail "the schema's fields and values: $all"
printf '%s' "$all" | jq -e '[.statements[].puid] | unique | length == 3' >/dev/null ||
    fail "one puid each: $all"
# the automated hide: disabled, fully automated, the content date the item's created_at
printf '%s' "$all" | jq -e '[.statements[] | select(.decision_visibility == ["DECISION_VISIBILITY_CONTENT_DISABLED"])] |
  length == 1 and .[0].automated_decision == "AUTOMATED_DECISION_FULLY" and
  .[0].automated_detection == "Yes" and .[0].source_type == "SOURCE_VOLUNTARY" and
  .[0].content_date == "2026-11-29" and (.[0] | has("end_date_visibility_restriction") | not)' \
    >/dev/null || fail "the automated hide: $all"
# the removal the appeal overturned: ended today
printf '%s' "$all" | jq -e '[.statements[] | select(.source_type == "SOURCE_VOLUNTARY" and
  .decision_visibility == ["DECISION_VISIBILITY_CONTENT_REMOVED"])] | length == 1 and
  .[0].automated_decision == "AUTOMATED_DECISION_NOT_AUTOMATED" and .[0].automated_detection == "Yes" and
  .[0].end_date_visibility_restriction == "'"$today"'" and
  .[0].category == "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS" and
  (.[0].incompatible_content_ground | contains("pii.phone"))' >/dev/null ||
    fail "the removal, ended by the appeal: $all"
# the reader's report, removed: Article 16, detected by no engine, still in force
printf '%s' "$all" | jq -e '[.statements[] | select(.source_type == "SOURCE_ARTICLE_16")] | length == 1 and
  .[0].decision_visibility == ["DECISION_VISIBILITY_CONTENT_REMOVED"] and .[0].automated_detection == "No" and
  .[0].automated_decision == "AUTOMATED_DECISION_NOT_AUTOMATED" and
  .[0].category == "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH" and
  (.[0] | has("end_date_visibility_restriction") | not)' >/dev/null || fail "the reported item: $all"
# no personal data: no author, reporter or person, no note, statement, appeal text, post or id
# (looked for outside the puids, whose hex digits could spell a number by chance)
text=$(printf '%s' "$all" | jq -c 'del(.statements[].puid)')
for s in "Nguyễn Văn An" "Trần Thị Bình" "Hoàng Minh Châu" "Vũ Đức Dũng" "Hoàng Yến" "Lê Văn Cường" \
    "Phạm Thu Hà" "ghi chú kín" "Lời nhắn riêng" "lời tố cáo" "Khiếu nại riêng" "Lý do kín" \
    "0912" "345 678" "thằng chó" "giết mày" "Đồ ngu" "hữu ích" "bl-" "7732" "web"; do
    case $text in *"$s"*) fail "the export holds \"$s\": $all" ;; esac
done

# ---- pages, since, NDJSON -------------------------------------------------------------------
cursor=
puids=
for _ in 1 2 3 4; do
    get "/v1/transparency/statements?limit=1${cursor:+&cursor=$cursor}" "$aud"
    expect 200 '(.statements | length) == 1' "a page of one"
    puids="$puids $(printf '%s' "$body" | jq -r '.statements[0].puid')"
    cursor=$(printf '%s' "$body" | jq -r '.next_cursor // empty')
    [ -z "$cursor" ] && break
done
[ "$puids" = " $(printf '%s' "$all" | jq -r '[.statements[].puid] | join(" ")')" ] ||
    fail "pages of one differ from the whole list: $puids"
get "/v1/transparency/statements?since=2099-01-01T00:00:00Z" "$aud"
expect 200 '.statements == [] and .next_cursor == null' "since a future time"
get "/v1/transparency/statements?since=2020-01-01" "$aud"
expect 200 '(.statements | length) == 3' "since a past day"
get "/v1/transparency/statements?since=0&limit=1000" "$aud"
expect 200 '(.statements | length) == 3' "since 0 ms"
get "/v1/transparency/statements?since=$(($(date +%s) + 3600))000" "$aud"
expect 200 '.statements == []' "since a future time in ms"
get "/v1/transparency/statements?since=2026-11-31" "$aud"
expect 400 '.error.code == "bad_request" and (.error.message | contains("since")) and .error.byte == 6' \
    "a malformed since"
get "/v1/transparency/statements?limit=0" "$aud"
expect 400 '(.error.message | contains("limit")) and .error.byte == 6' "limit 0"
get "/v1/transparency/statements?limit=1001" "$aud"
expect 400 '.error.message | contains("limit")' "limit over 1000"
get "/v1/transparency/statements?cursor=nope" "$aud"
expect 400 '.error.code == "bad_cursor"' "a malformed cursor"
get "/v1/transparency/statements?author=x" "$aud"
expect 400 '.error.code == "bad_request"' "an unknown parameter"
get /v1/transparency/statements "$aud" "Accept: application/x-ndjson"
[ "$code" = 200 ] || fail "NDJSON: $code $body"
grep -qi '^content-type: application/x-ndjson' "$tmp/headers" || fail "NDJSON content type"
[ "$(wc -l <"$tmp/body")" -eq 3 ] || fail "NDJSON: one statement a line: $body"
[ "$(jq -cs '[.[].puid]' "$tmp/body")" = "$(printf '%s' "$all" | jq -c '[.statements[].puid]')" ] ||
    fail "NDJSON holds the same statements: $body"
get "/v1/transparency/statements?limit=2" "$aud" "Accept: application/x-ndjson"
grep -qi '^x-next-cursor: ' "$tmp/headers" || fail "NDJSON: the next cursor in a header"

# ---- roles ----------------------------------------------------------------------------------
get /v1/transparency/statements ""
expect 401 '.error.code == "unauthorized"' "no token"
get /v1/transparency/statements "$rev"
expect 403 '.error.code == "forbidden"' "a reviewer"
get /v1/transparency/statements "$integ"
expect 403 '.error.code == "forbidden"' "an integration"
get /v1/transparency/statements "$other_aud" "X-Sangloc-Org: default"
expect 404 '.error.code == "not_found"' "another org's auditor naming this org"
get /v1/transparency/statements "$other_aud"
expect 200 '.statements == []' "another org's auditor sees its own org: nothing"
get /v1/transparency/statements "$admin" "X-Sangloc-Org: default"
expect 200 '(.statements | length) == 3' "a global admin names the org"
req POST /v1/transparency/statements "$aud" '{}'
expect 405 '' "GET only"
stop_server
echo "transparency: ok"
