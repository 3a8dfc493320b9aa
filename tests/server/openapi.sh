#!/usr/bin/env bash
# GET /openapi.json: served without a token, byte for byte docs/openapi.json (compiled in), an
# OpenAPI 3.1 document whose paths and methods are exactly the routes the server answers (the
# list below), each with its error schema; and every route of the list is answered by the
# server (not "no such route"), with the method the document gives (PUT, which no route takes: 405).
# Usage: openapi.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
db=$(store_url s) || fail "store"
admin=$(token admin)
routes='DELETE /v1/banks/{name}/items/{id}
GET /healthz
GET /metrics
GET /openapi.json
GET /v1/audit/checkpoint
GET /v1/audit/entries
GET /v1/audit/proof/consistency
GET /v1/audit/proof/inclusion
GET /v1/banks
GET /v1/banks/{name}/items
GET /v1/items/{channel}/{id}
GET /v1/notices/{id}
GET /v1/policy/rules
GET /v1/queues
GET /v1/queues/pending
GET /v1/queues/{queue}
GET /v1/stats
GET /v1/transparency/statements
POST /v1/admin/reload
POST /v1/admin/rescreen
POST /v1/appeals
POST /v1/appeals/{id}/decision
POST /v1/banks/{name}/items
POST /v1/check
POST /v1/items
POST /v1/items/{channel}/{id}/decision
POST /v1/items/{channel}/{id}/reveal
POST /v1/queues/pending/claim
POST /v1/queues/{queue}/claim
POST /v1/reports'
start_server "$db"

req GET /openapi.json ""
expect 200 '.openapi == "3.1.0" and (.info.title | length) > 0' "openapi.json without a token"
cmp -s "$tmp/body" docs/openapi.json || fail "the served document differs from docs/openapi.json"
doc=$(jq -r '.paths | to_entries[] | .key as $p | .value | keys[] | "\(ascii_upcase) \($p)"' \
    docs/openapi.json | sort)
[ "$doc" = "$(printf '%s\n' "$routes" | sort)" ] || fail "documented routes differ: $doc"
# every operation says who may call it and has its replies; errors use the Error schema
jq -e '[.paths[][] | (.description | test("Roles: ")) and (.responses | length > 0)] | all' \
    docs/openapi.json >/dev/null || fail "an operation without its roles or replies"
jq -e '[.components.responses[] | .content["application/json"].schema["$ref"]] |
       all(. == "#/components/schemas/Error")' docs/openapi.json >/dev/null || fail "error schema"
# every $ref resolves
for ref in $(jq -r '.. | objects | .["$ref"]? // empty' docs/openapi.json | sort -u); do
    path=$(printf '%s' "$ref" | sed 's|^#/||; s|/|"]["|g')
    jq -e ".[\"$path\"] != null" docs/openapi.json >/dev/null || fail "unresolved $ref"
done

# the server answers every documented route with its method, and no other path
while read -r m p; do
    path=${p//\{channel\}/web}
    path=${path//\{id\}/x1}
    path=${path//\{name\}/nobank}
    code=$(timeout 30 curl -s -o "$tmp/body" -w '%{http_code}' --max-time 20 -X "$m" \
        -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
        $([ "$m" = POST ] && echo --data-binary '{}') "$url$path")
    grep -q '"no such route"' "$tmp/body" && fail "$m $p: the server does not know the route"
    [ "$code" != 405 ] || fail "$m $p: 405"
    other=PUT # no route takes PUT: a known path answers 405
    code=$(timeout 30 curl -s -o /dev/null -w '%{http_code}' --max-time 20 -X "$other" "$url$path")
    [ "$code" = 405 ] || fail "$other $p: $code, want 405"
done <<<"$routes"
req GET /v1/nothing-here "$admin"
expect 404 '.error.code == "not_found"' "an undocumented path"
stop_server
echo PASS
