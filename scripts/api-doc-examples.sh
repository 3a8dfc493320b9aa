#!/usr/bin/env bash
# Regenerates docs/api.md: runs every example against a real `build/sangloc serve` on a fresh
# store on 127.0.0.1:8080 (and :8081, with a tiny --rate-limit, for the 429); both ports must
# be free. Not a test: the outputs (ids, times, tokens) change from run to run.
set -u
cd "$(dirname "$0")/.."
bin=build/sangloc
d=$(mktemp -d)
cp policies/default.yaml "$d/policy.yaml"; cp -r policies/. "$d/" 2>/dev/null
db=$d/sangloc.db
mk() { $bin token create --db "$db" --role "$1" --name "$2" 2>/dev/null; }
export ADMIN=$(mk admin ops) INTEG=$(mk integration comments-plugin) REV=$(mk reviewer Lan) REV2=$(mk reviewer Minh) AUD=$(mk auditor audit)
$bin serve --db "$db" --policy "$d/policy.yaml" 2>"$d/err" &
spid=$!
$bin serve --listen 127.0.0.1:8081 --db "$db" --policy "$d/policy.yaml" --rate-limit 1/m --rate-burst 2 2>"$d/err2" &
spid2=$!
for _ in $(seq 100); do grep -q listening "$d/err" && grep -q listening "$d/err2" && break; sleep 0.1; done
out=docs/api.md
ex() { # TITLE-less: prints the command and its real output
    local cmd=$1
    local res
    res=$(eval "$cmd" 2>&1)
    printf '```\n$ %s\n%s\n```\n\n' "$cmd" "$res" >>"$out"
}
p() { printf '%s\n' "$*" >>"$out"; }
cat >"$out" <<'EOF'
# The HTTP API of `sangloc serve`, by example

Every route of the service with a real `curl` call and the reply it got (run on this machine
against `build/sangloc serve` with the defaults; long replies are as printed, on one line). The
contract — roles, limits, error codes — is docs/server.md; the machine-readable description is
the OpenAPI 3.1 document `docs/openapi.json`, which the server also serves at
`GET /openapi.json` (compiled in; `tests/server/openapi.sh` checks that it lists exactly the
routes the server answers).

The tokens were made with `sangloc token create --db sangloc.db --role ROLE --name NAME` and put
in `$ADMIN` (admin), `$INTEG` (integration), `$REV` and `$REV2` (reviewers), `$AUD` (auditor).
Requests carry `Authorization: Bearer TOKEN`; POST bodies are `Content-Type: application/json`.
`scripts/run-example.sh` starts such a server with the example comments ingested and prints an
admin token. `scripts/api-doc-examples.sh` regenerates this page.

EOF
p '## GET /healthz — no token'; p
ex 'curl -s localhost:8080/healthz'
p '## GET /openapi.json — no token'; p
ex "curl -s localhost:8080/openapi.json | jq -c '{openapi, title: .info.title, paths: (.paths | keys)}'"
p '## POST /v1/check — integration, admin'; p
p 'One text: the verdict of `sangloc check` (docs/verdict.md). Nothing is stored.'; p
ex "curl -s -H \"Authorization: Bearer \$INTEG\" -H 'Content-Type: application/json' -d '{\"text\":\"đồ ngu, gọi 0912345678 mà hỏi\"}' localhost:8080/v1/check"
p 'A batch (up to 1,000): the verdicts in order; a bad item gets an error verdict.'; p
ex "curl -s -H \"Authorization: Bearer \$INTEG\" -H 'Content-Type: application/json' -d '{\"items\":[{\"id\":1,\"text\":\"Cảm ơn sở đã trả lời\"},{\"id\":2}]}' localhost:8080/v1/check"
p '## POST /v1/items — integration'; p
p 'Screened and stored in one transaction; the reply comes after the commit. `allow`/`warn` are `published`, `review` stays `published` with a case in `pending`, `hide` is `hidden` with a case in `pending`.'; p
ex "curl -s -H \"Authorization: Bearer \$INTEG\" -H 'Content-Type: application/json' -d '{\"items\":[{\"id\":\"c1\",\"channel\":\"fanpage\",\"kind\":\"comment\",\"author\":\"fb:1001\",\"text\":\"Thủ tục này mất ba tuần, đề nghị sở rút ngắn.\",\"created_at\":\"2026-11-30T08:00:00+07:00\"},{\"id\":\"c2\",\"channel\":\"fanpage\",\"kind\":\"comment\",\"author\":\"fb:1002\",\"text\":\"mày là thằng chó, tao sẽ giết mày\",\"parent\":\"c1\"},{\"id\":\"c3\",\"channel\":\"fanpage\",\"kind\":\"comment\",\"author\":\"fb:1003\",\"text\":\"gọi ngay 0912345678 gặp chị Lan\"}]}' localhost:8080/v1/items"
p 'The same item again changes nothing and answers `duplicate` with the verdict first stored:'; p
ex "curl -s -H \"Authorization: Bearer \$INTEG\" -H 'Content-Type: application/json' -d '{\"items\":[{\"id\":\"c1\",\"channel\":\"fanpage\",\"kind\":\"comment\",\"author\":\"fb:1001\",\"text\":\"Thủ tục này mất ba tuần, đề nghị sở rút ngắn.\"}]}' localhost:8080/v1/items | jq -c '.items[] | {id, status, state}'"
p '## GET /v1/items/{channel}/{id} — reviewer, appeals, auditor, admin'; p
ex 'curl -s -H "Authorization: Bearer $REV" localhost:8080/v1/items/fanpage/c2'
p 'An auditor sees everything but raw personal data (no `text`, no `verdict`):'; p
ex 'curl -s -H "Authorization: Bearer $AUD" localhost:8080/v1/items/fanpage/c2'
p '## GET /v1/queues/pending?limit=&cursor= — reviewer, admin'; p
p 'By severity, then age; `next_cursor` fetches the next page, stable while items arrive.'; p
ex 'curl -s -H "Authorization: Bearer $REV" "localhost:8080/v1/queues/pending?limit=1"'
cur=$(curl -s -H "Authorization: Bearer $REV" "localhost:8080/v1/queues/pending?limit=1" | jq -r .next_cursor)
ex "curl -s -H \"Authorization: Bearer \$REV\" \"localhost:8080/v1/queues/pending?limit=1&cursor=$cur\""
p '## POST /v1/queues/pending/claim — reviewer'; p
p 'Leases the next cases to the caller; another reviewer gets the others; a lease expires by itself.'; p
ex "curl -s -H \"Authorization: Bearer \$REV\" -H 'Content-Type: application/json' -d '{\"n\":1,\"lease_seconds\":300}' localhost:8080/v1/queues/pending/claim"
ex "curl -s -H \"Authorization: Bearer \$REV2\" -H 'Content-Type: application/json' -d '{\"n\":5}' localhost:8080/v1/queues/pending/claim"
p '## POST /v1/admin/reload — admin'; p
ex 'curl -s -H "Authorization: Bearer $ADMIN" -X POST localhost:8080/v1/admin/reload'
p 'A bad policy keeps the old engine, and the reply says why, with the line (here the policy file was broken on purpose, then restored):'; p
printf 'name: x\nversion: 1\nrules: [\n' >"$d/policy.yaml"
ex 'curl -s -H "Authorization: Bearer $ADMIN" -X POST localhost:8080/v1/admin/reload'
cp policies/default.yaml "$d/policy.yaml"
p '## GET /metrics — admin, auditor'; p
p 'Prometheus text (docs/server.md lists the series); an excerpt:'; p
ex "curl -s -H \"Authorization: Bearer \$ADMIN\" localhost:8080/metrics | grep -E '^sangloc_(requests_total\\{route=\"/v1/check\"|request_duration_seconds_(bucket|count)\\{route=\"/v1/items\"|verdict|items_created|reloads|engine|build|queue)'"
p '## GET /v1/audit/checkpoint — auditor, admin'; p
p 'The latest signed checkpoint of the audit log (docs/audit.md): the server signs one when the log has grown (on a 5 s timer, and on this request) with its `--audit-key`. Keep the `note`: `sangloc audit verify --db sangloc.db --checkpoint FILE --key KEY` later shows that the log still extends it.'; p
ex 'curl -s -H "Authorization: Bearer $AUD" localhost:8080/v1/audit/checkpoint'
p 'With `Accept: text/plain`, the note itself (a C2SP signed note):'; p
ex 'curl -s -H "Authorization: Bearer $AUD" -H "Accept: text/plain" localhost:8080/v1/audit/checkpoint'
p '## GET /v1/audit/entries?from=&to= — auditor, admin'; p
p 'At most 1,000 entries. `entry` is the canonical JSON whose leaf hash is SHA-256(0x00 || entry); an organization'"'"'s auditor gets the entries of other organizations (and of the deployment) as `seq` and `leaf` only:'; p
ex 'curl -s -H "Authorization: Bearer $ADMIN" "localhost:8080/v1/audit/entries?from=5&to=7"'
ex 'curl -s -H "Authorization: Bearer $AUD" "localhost:8080/v1/audit/entries?from=0&to=2"'
p '## GET /v1/audit/proof/inclusion?index=&size= — auditor, admin'; p
ex 'curl -s -H "Authorization: Bearer $AUD" "localhost:8080/v1/audit/proof/inclusion?index=5&size=8"'
p '## GET /v1/audit/proof/consistency?from=&to= — auditor, admin'; p
ex 'curl -s -H "Authorization: Bearer $AUD" "localhost:8080/v1/audit/proof/consistency?from=3&to=8"'
p '400, a bad query value names the parameter:'; p
ex 'curl -s -H "Authorization: Bearer $AUD" "localhost:8080/v1/audit/proof/inclusion?index=8&size=8"'
p '## Errors'; p
p 'Every error is `{"error":{"code","message"[,"byte"][,"item"][,"line"]}}` (docs/server.md).'; p
p '400, malformed JSON: `byte` is the offset in the body.'; p
ex "curl -s -H \"Authorization: Bearer \$INTEG\" -H 'Content-Type: application/json' -d '{\"text\": \"a\",}' localhost:8080/v1/check"
p '400, a missing field: `item` is the index of the item at fault; nothing of the request is stored.'; p
ex "curl -s -H \"Authorization: Bearer \$INTEG\" -H 'Content-Type: application/json' -d '{\"items\":[{\"id\":\"c9\",\"channel\":\"fanpage\",\"kind\":\"comment\",\"text\":\"không có author\"}]}' localhost:8080/v1/items"
p '401, no token (or an unknown or revoked one):'; p
ex "curl -s -i -H 'Content-Type: application/json' -d '{}' localhost:8080/v1/items"
p '403, a role that may not use the route:'; p
ex "curl -s -H \"Authorization: Bearer \$REV\" -H 'Content-Type: application/json' -d '{\"text\":\"a\"}' localhost:8080/v1/check"
p '404, no such item in the token'"'"'s organization (another organization'"'"'s items answer the same):'; p
ex 'curl -s -H "Authorization: Bearer $REV" localhost:8080/v1/items/fanpage/nope'
p '405, a known path with another method:'; p
ex 'curl -s -i -H "Authorization: Bearer $INTEG" localhost:8080/v1/items'
p '413, more than 1,000 items (a body over `--max-body` is refused by libevent itself, with an HTML body):'; p
ex "jq -cn '{items: [range(1001) | {id: ., text: \"x\"}]}' | curl -s -H \"Authorization: Bearer \$INTEG\" -H 'Content-Type: application/json' --data-binary @- localhost:8080/v1/check"
p '415, a body that is not JSON:'; p
ex "curl -s -H \"Authorization: Bearer \$INTEG\" -H 'Content-Type: text/plain' -d 'hello' localhost:8080/v1/check"
p '429, a token over its rate limit (a server started with `--rate-limit 1/m --rate-burst 2`: two requests at once, then one a minute):'; p
ex "for i in 1 2 3; do curl -s -o /dev/null -w '%{http_code} ' -H \"Authorization: Bearer \$INTEG\" -H 'Content-Type: application/json' -d '{\"text\":\"a\"}' localhost:8081/v1/check; done; echo"
ex "curl -s -i -H \"Authorization: Bearer \$INTEG\" -H 'Content-Type: application/json' -d '{\"text\":\"a\"}' localhost:8081/v1/check"
kill -TERM $spid $spid2; wait
rm -rf "$d"
