#!/usr/bin/env bash
# Runs the review workflow once against a fresh `sangloc serve` and prints each request with
# its real reply, as Markdown: the worked example of docs/workflow.md is this script's output
# (`scripts/workflow-example.sh > /tmp/example.md`). The server, its store and its keys live in
# a temporary folder removed at exit. Needs build/sangloc (scripts/setup.sh), curl and jq.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/sangloc
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && { kill -TERM "$pid"; wait "$pid"; } 2>/dev/null; rm -rf "$tmp"' EXIT
db=$tmp/sangloc.db

person() { "$bin" token create --db "$db" --role "$1" --name "$2" 2>/dev/null; }
integ=$(person integration "CMS của Sở")
rev=$(person reviewer "Lê Văn Cường")
appeals=$(person appeals "Phạm Thu Hà")
auditor=$(person auditor "Kiểm toán viên")

"$bin" serve --listen 127.0.0.1:0 --db "$db" --audit-name example.org 2>"$tmp/err" &
pid=$!
for _ in $(seq 1 600); do
    url=$(sed -n 's|^listening on \(http://127\.0\.0\.1:[0-9]*\)$|\1|p' "$tmp/err")
    [ -n "$url" ] && break
    sleep 0.05
done
[ -n "$url" ] || { cat "$tmp/err" >&2; exit 1; }

# A verdict in a reply is shown cut to its action, score and hits (the rest: docs/verdict.md).
short='walk(if type == "object" and has("hits") and has("action") then
  {action, score, hits: [.hits[] | {rule, category, start, "end": .end, text}]} else . end)'

# step TITLE METHOD PATH TOKEN-NAME [BODY]: prints the request and its reply; sets body
step() {
    local title=$1 m=$2 p=$3 who=$4 data=${5:-}
    local tok=
    [ -n "$who" ] && tok=${!who}
    local args=(-s -X "$m" --max-time 20)
    [ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
    [ -n "$data" ] && args+=(-H "Content-Type: application/json" --data-binary "$data")
    body=$(curl "${args[@]}" "$url$p")
    printf '### %s\n\n```\n%s %s%s\n' "$title" "$m" "$p" "${tok:+   (token: $who)}"
    [ -n "$data" ] && printf '%s\n' "$(printf '%s' "$data" | jq .)"
    printf '```\n\n```json\n%s\n```\n\n' "$(printf '%s' "$body" | jq "$short" 2>/dev/null || printf '%s' "$body")"
}

step "1. A comment arrives and is hidden automatically" POST /v1/items integ \
    '{"items":[{"id":"c-1042","channel":"facebook:so-y-te","kind":"comment","author":"fb:100023","text":"Thằng chó này, tao sẽ giết mày. Gọi nó số 0912 345 678 mà chửi"}]}'
hide_notice=$(jq -r '.items[0].notice.id' <<<"$body")
hide_token=$(jq -r '.items[0].notice.appeal_token' <<<"$body")
step "2. The reviewer reads the item (its version)" GET /v1/items/facebook:so-y-te/c-1042 rev
version=$(jq '.version' <<<"$body")
rule=$(jq -r '[.verdict.hits[] | select(.category != "personal_data") | .rule][0]' <<<"$body")
step "3. The reviewer removes it, citing the rule" POST /v1/items/facebook:so-y-te/c-1042/decision rev \
    "{\"outcome\":\"remove\",\"rule\":\"$rule\",\"note\":\"lăng mạ, kèm số điện thoại của người khác\",\"statement\":\"Bình luận xúc phạm người khác và đăng số điện thoại của họ.\",\"version\":$version}"
notice=$(jq -r '.notice.id' <<<"$body")
token=$(jq -r '.notice.appeal_token' <<<"$body")

printf '### 4. The notice, as the author reads it (plain text)\n\n```\nGET /v1/notices/%s?token=…   (Accept: text/plain)\n```\n\n```\n' "$notice"
curl -s -H "Accept: text/plain" "$url/v1/notices/$notice?token=$token"
printf '```\n\n'

step "5. The author appeals with the token" POST /v1/appeals "" \
    "{\"appeal_token\":\"$token\",\"text\":\"Tôi chỉ trích lại lời người khác để phản bác.\"}"
appeal=$(jq '.id' <<<"$body")
step "6. The appeals queue" GET /v1/queues/appeals appeals
step "7. Another person decides the appeal: upheld" POST "/v1/appeals/$appeal/decision" appeals \
    '{"outcome":"uphold","reason":"Câu chữ là lời lăng mạ trực tiếp, không phải trích dẫn."}'
step "8. The queues' figures" GET /v1/queues rev
step "9. The audit log's latest checkpoint" GET /v1/audit/checkpoint auditor
printf '### 10. The operator verifies the whole log\n\n```\n$ sangloc audit verify --db sangloc.db\n'
"$bin" audit verify --db "$db" 2>&1
printf '```\n'
: "$hide_notice" "$hide_token"
