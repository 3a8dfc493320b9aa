#!/usr/bin/env bash
# GET /v1/stats against a real server: items ingested (an automated hide, two for review, an
# allow), two decided by a reviewer, both appealed by their authors, one appeal upheld and one
# overturned; the figures are what was done: items by action and category, the top rules, the
# cases closed per queue with their percentiles, the appeal outcomes, the queues now. Windows
# and buckets; bad parameters are 400 naming the parameter; roles; another organization sees
# none of it; no author or person appears in the reply.
# Usage: stats.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
db=$(store_url s) || fail "store"
person() { # ROLE NAME [ORG]
    "$bin" token create --db "$db" --role "$1" --name "$2" ${3:+--org "$3"} 2>/dev/null ||
        fail "token create $1 $2"
}
integ=$(person integration "CMS")
rev=$(person reviewer "Lê Văn Cường")
appeals=$(person appeals "Phạm Thu Hà")
aud=$(person auditor "Kiểm toán")
admin=$(person admin "Quản trị")
db_sql "INSERT INTO organizations (id, name) VALUES ('other', 'Other');" || fail "org"
other_aud=$(person auditor "Kiểm toán khác" other)
start_server "$db" --threads 2

t0=$(date +%s%3N)
req POST /v1/items "$integ" '{"items":[
 {"id":"h1","channel":"web","kind":"comment","author":"Nguyễn Văn An","text":"mày là thằng chó, tao sẽ giết mày"},
 {"id":"r1","channel":"web","kind":"comment","author":"Trần Bình","text":"gọi ngay 0912345678 gặp chị Lan"},
 {"id":"r2","channel":"web","kind":"comment","author":"Trần Bình","text":"đồ ngu, gọi 0987654321 mà hỏi"},
 {"id":"a1","channel":"web","kind":"comment","author":"Lý Chi","text":"bài viết rất hữu ích, cảm ơn"}]}'
expect 200 '[.items[].verdict.action] == ["hide","review","review","allow"]' "ingest"
ingested=$body
# what the verdicts say, to compare with (each item once per category and per rule)
want_cats=$(printf '%s' "$ingested" | jq -c '[.items[].verdict | [.hits[].category] | unique[]] |
  group_by(.) | map({(.[0]): length}) | add')
want_rules=$(printf '%s' "$ingested" | jq -c '[.items[].verdict | [.hits[].rule] | unique[]] |
  group_by(.) | map({rule: .[0], items: length}) | sort_by(-.items, .rule)')

decide() { # ID OUTCOME: decides with the first rule the verdict hit; sets token
    req GET "/v1/items/web/$1" "$rev"
    expect 200 '.version > 0' "read $1"
    local v r
    v=$(printf '%s' "$body" | jq '.version')
    r=$(printf '%s' "$body" | jq -r '.verdict.hits[0].rule')
    req POST "/v1/items/web/$1/decision" "$rev" \
        "{\"outcome\":\"$2\",\"rule\":\"$r\",\"note\":\"n\",\"version\":$v}"
    expect 200 '.notice.appeal_token | startswith("sla_")' "decide $1 $2"
    token=$(printf '%s' "$body" | jq -r '.notice.appeal_token')
}
appeal() { # TOKEN OUTCOME
    req POST /v1/appeals "" "{\"appeal_token\":\"$1\",\"text\":\"Tôi không đồng ý.\"}"
    expect 200 '.id > 0' "appeal"
    local id
    id=$(printf '%s' "$body" | jq '.id')
    req POST "/v1/appeals/$id/decision" "$appeals" "{\"outcome\":\"$2\",\"reason\":\"lý do\"}"
    expect 200 ".outcome == \"$2\"" "decide the appeal $2"
}
decide h1 keep
appeal "$token" overturn
decide r1 remove
appeal "$token" uphold
t1=$(($(date +%s%3N) + 1))

req GET "/v1/stats?bucket=hour" "$aud"
expect 200 '.bucket == "hour" and (.buckets | length) == 49 and .until >= .since and
  .items.total == 4 and
  ([.items.by_action[] | add] == [1, 0, 2, 1]) and
  (.buckets[0] % 3600000 == 0) and ([.items.by_action[] | length] | unique) == [49]' \
    "the hour buckets of the last 48 hours: the four items by action"
printf '%s' "$body" | jq -e --argjson w "$want_cats" \
    '(.items.by_category | map_values(add)) == $w' >/dev/null ||
    fail "items by category: want $want_cats: $body"
printf '%s' "$body" | jq -e --argjson w "$want_rules" '.top_rules == $w[:10]' >/dev/null ||
    fail "top rules: want $want_rules: $body"
expect 200 '.queues | map({(.queue): .}) | add |
  .pending.time_to_decision.closed == 2 and .pending.open == 1 and
  .appeals.time_to_decision.closed == 2 and .appeals.open == 0 and
  .reported.time_to_decision.closed == 0 and .reported.time_to_decision.p50_seconds == null and
  ([.pending.time_to_decision | .p50_seconds, .p90_seconds, .p99_seconds] |
    all(type == "number" and . >= 0)) and
  (.pending.time_to_decision | .p50_seconds <= .p90_seconds and .p90_seconds <= .p99_seconds)' \
    "queues: 2 pending cases decided, one left (r2); 2 appeals decided"
expect 200 '.appeals == {"upheld": 1, "overturned": 1, "open": 0}' "appeal outcomes"
# the percentiles are the cases' own times (nearest rank over 2 values: p50 the smaller)
ttd=$(db_sql "SELECT group_concat(t) FROM (SELECT closed_at - opened_at AS t FROM cases
    WHERE queue = 'pending' AND closed_at IS NOT NULL ORDER BY t) AS x")
lo=${ttd%,*}
hi=${ttd#*,}
expect 200 "(.queues[0].time_to_decision | .p50_seconds == ($lo / 1000) and
  .p90_seconds == ($hi / 1000) and .p99_seconds == ($hi / 1000))" "percentiles of $ttd ms"
# no author, pseudonym or person in the figures
for who in "Nguyễn Văn An" "Trần Bình" "Lý Chi" "Lê Văn Cường" "Phạm Thu Hà" author; do
    case "$body" in *"$who"*) fail "the stats name $who: $body" ;; esac
done
db_sql "SELECT hex(author) FROM items" | while read -r a; do
    lower=$(printf '%s' "$a" | tr 'A-F' 'a-f')
    case "$body" in *"$a"* | *"$lower"*) fail "an author pseudonym in the stats" ;; esac
done || exit 1

# windows and buckets: day and week; a window before the items holds none; since/until as ISO
code=$(timeout 30 curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $admin" \
    -H "X-Sangloc-Org: default" "$url/v1/stats?bucket=day&since=$t0&until=$t1")
body=$(cat "$tmp/body")
expect 200 '.bucket == "day" and (.buckets | length) == 1 and .items.total == 4 and
  .buckets[0] % 86400000 == 0' "a day bucket for the admin with X-Sangloc-Org"
req GET "/v1/stats?bucket=week&since=2026-01-01T00:00:00Z&until=2026-03-01" "$aud"
expect 200 '.items.total == 0 and .top_rules == [] and .items.by_category == {} and
  .appeals.upheld == 0 and .queues[0].time_to_decision.closed == 0 and
  (((.buckets[0] / 86400000) + 3) % 7 == 0) and .buckets[0] <= 1767225600000 and
  .until == 1772323200000' "weeks from a Monday; a window before the items"
req GET "/v1/stats?since=$((t0 - 100))&until=$t0" "$aud"
expect 200 '.items.total == 0' "the window ends before the items"

# bad parameters: 400 naming the parameter
for q in "bucket=month:bucket" "since=yesterday:since" "until=12x:until" "bucket=hour&bucket=day:bucket" \
    "limit=3:limit" "bucket=hour&since=2020-01-01:since" "since=$t1&until=$t0:until" "since=:since"; do
    req GET "/v1/stats?${q%:*}" "$aud"
    expect 400 ".error.code == \"bad_request\" and (.error.message | startswith(\"${q##*:}\") or
      contains(\"'${q##*:}'\"))" "bad query ${q%:*}"
done

# roles and organizations
req GET /v1/stats "$rev"
expect 403 '.error.code == "forbidden"' "a reviewer may not read the stats"
req GET /v1/stats "$integ"
expect 403 '' "nor an integration"
req GET /v1/stats ""
expect 401 '' "a token is needed"
req GET "/v1/stats?bucket=hour" "$other_aud"
expect 200 '.items.total == 0 and .top_rules == [] and .appeals.upheld == 0 and
  ([.queues[].open] | add) == 0' "another organization's auditor sees none of it"
echo PASS
