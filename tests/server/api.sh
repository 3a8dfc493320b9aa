#!/usr/bin/env bash
# API test of `sangloc serve` against a real server on a free loopback port: every route, every
# error status (400 with the byte, 401, 403, 404, 405, 413, 415, 422), auth per role, the same
# verdict as `sangloc check`, idempotent ingest, states and the pending queue with cursor
# pagination and claims, another organization's items as 404, reload with a bad policy keeping
# the old engine (HTTP and SIGHUP), metrics, garbage bodies, and a clean stop on SIGTERM.
# Usage: api.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
db=$(store_url s) || fail "store"
cp policies/default.yaml "$tmp/policy.yaml" || fail "copy the policy"
cp -r policies/. "$tmp/" 2>/dev/null # files the policy cites, relative to it

integ=$(token integration)
rev=$(token reviewer)
rev2=$(token reviewer)
aud=$(token auditor)
appeals=$(token appeals)
admin=$(token admin)
db_sql "INSERT INTO organizations (id, name) VALUES ('other', 'Other');" || fail "org"
other_rev=$(token reviewer other)
other_integ=$(token integration other)

# ---- the command line: refusals exit 2 with a message -----------------------------------------
timeout 30 "$bin" serve --threads 0 --db "$db" "${store_keys[@]}" 2>"$tmp/e"; [ $? -eq 2 ] || fail "--threads 0 exits 2"
grep -q "threads" "$tmp/e" || fail "--threads message"
timeout 30 "$bin" serve --listen nowhere --db "$db" "${store_keys[@]}" 2>"$tmp/e"; [ $? -eq 2 ] || fail "bad --listen exits 2"
timeout 30 "$bin" serve --listen 127.0.0.1:0 --db "$db" "${store_keys[@]}" extra 2>"$tmp/e"; [ $? -eq 2 ] || fail "extra argument exits 2"
printf 'name: x\nversion: 1\nrules: [\n' >"$tmp/bad.yaml"
timeout 60 "$bin" serve --listen 127.0.0.1:0 --db "$db" "${store_keys[@]}" --policy "$tmp/bad.yaml" 2>"$tmp/e"
[ $? -eq 2 ] || fail "a bad policy at start exits 2"
grep -q "bad.yaml:[0-9]" "$tmp/e" || fail "the start error names the policy line: $(cat "$tmp/e")"
if [ -n "$pgdir" ]; then
    timeout 30 "$bin" serve --listen 127.0.0.1:0 --db "$db" 2>"$tmp/e"; [ $? -eq 2 ] || fail "PostgreSQL without keys exits 2"
    grep -q -- "--secret-file and --audit-key" "$tmp/e" || fail "PostgreSQL without keys: $(cat "$tmp/e")"
fi
timeout 30 "$bin" serve --help | grep -q "listening on" || fail "serve --help"

start_server "$db" --policy "$tmp/policy.yaml" --threads 2 --max-body 65536
timeout 60 "$bin" serve --listen "127.0.0.1:$port" --db "$db" "${store_keys[@]}" 2>"$tmp/e"
[ $? -eq 2 ] || fail "a port in use exits 2"
grep -q "cannot listen" "$tmp/e" || fail "port in use message: $(cat "$tmp/e")"

# ---- health, routes, methods, auth ----------------------------------------------------------
req GET /healthz ""
expect 200 '.status == "ok"' "healthz"
req GET /nowhere "$admin"
expect 404 '.error.code == "not_found"' "unknown route"
req GET /v1/check "$integ"
expect 405 '.error.code == "method_not_allowed"' "GET /v1/check"
req DELETE /v1/items "$integ"
expect 405 '.error.message' "DELETE /v1/items"
req POST /v1/check "" '{"text":"a"}'
expect 401 '.error.code == "unauthorized"' "no token"
req POST /v1/check "slt_notatoken" '{"text":"a"}'
expect 401 '.error.code == "unauthorized"' "bad token"
req POST /v1/check "$rev" '{"text":"a"}'
expect 403 '.error.code == "forbidden"' "reviewer may not check"
req POST /v1/items "$admin" '{"items":[]}'
expect 403 '.error.code == "forbidden"' "admin may not ingest"
req GET /v1/queues/pending "$integ"
expect 403 '' "integration may not list the queue"
req POST /v1/queues/pending/claim "$aud" '{}'
expect 403 '' "auditor may not claim"
req POST /v1/admin/reload "$rev" '{}'
expect 403 '' "reviewer may not reload"
req GET /metrics "$integ"
expect 403 '' "integration may not read metrics"

# ---- bodies: 400 with the byte, 413, 415 -----------------------------------------------------
req POST /v1/check "$integ" '{"text": "a",}'
expect 400 '.error.code == "bad_json" and .error.byte == 13' "trailing comma"
req POST /v1/check "$integ" '{"items":[{"id":1,"text":"a"}'
expect 400 '.error.code == "bad_json" and .error.byte == 29' "unterminated body"
req POST /v1/check "$integ" '{"text":"a","text":"b"}'
expect 400 '.error.code == "bad_json" and (.error.byte | type) == "number"' "duplicate key"
req POST /v1/check "$integ" '{"text":"a"}' text/plain
expect 415 '.error.code == "unsupported_media_type"' "text/plain"
head -c 70000 /dev/zero | tr '\0' 'a' >"$tmp/big"
code=$(timeout 30 curl -s -o /dev/null -w '%{http_code}' --max-time 20 -H "Authorization: Bearer $integ" \
    -H 'Content-Type: application/json' --data-binary "@$tmp/big" "$url/v1/check")
[ "$code" = 413 ] || fail "body over --max-body: $code"
many=$(jq -cn '{items: [range(1001) | {id: ., text: "x"}]}')
req POST /v1/check "$integ" "$many"
expect 413 '.error.code == "too_large"' "1001 items"
for i in $(seq 1 30); do # garbage never brings the server down
    head -c $((i * 37)) /dev/urandom >"$tmp/junk"
    timeout 30 curl -s -o /dev/null --max-time 20 -H "Authorization: Bearer $integ" \
        -H 'Content-Type: application/json' --data-binary "@$tmp/junk" "$url/v1/items"
done
req GET /healthz ""
expect 200 '' "alive after garbage"

# ---- /v1/check: the verdict of `sangloc check` ------------------------------------------------
line='{"id":"k1","text":"đồ ngu, gọi 0912345678"}'
want=$(printf '%s\n' "$line" | "$bin" check --policy "$tmp/policy.yaml" | jq -c 'del(.us)')
req POST /v1/check "$integ" "$line"
expect 200 '.action == "review"' "check one"
[ "$(printf '%s' "$body" | jq -c 'del(.us)')" = "$want" ] || fail "check differs from the CLI: $body vs $want"
req POST /v1/check "$admin" '{"items":[{"id":1,"text":"chào bạn"},{"id":2,"text":5},'"$line"']}'
expect 200 '(.verdicts | length) == 3 and .verdicts[0].action == "allow" and .verdicts[1].error.code == "missing_field"' "check batch"
[ "$(printf '%s' "$body" | jq -c '.verdicts[2] | del(.us)')" = "$want" ] || fail "batch verdict differs"

# ---- /v1/items: states, idempotency, validation ----------------------------------------------
items='{"items":[
 {"id":"c1","channel":"web","kind":"comment","author":"u1","text":"bài viết rất hữu ích, cảm ơn"},
 {"id":"c2","channel":"web","kind":"comment","author":"u2","text":"đồ ngu mày im đi","created_at":"2026-11-30T08:00:00Z"},
 {"id":"c3","channel":"web","kind":"comment","author":"u3","text":"mày là thằng chó, tao sẽ giết mày","parent":"c1"},
 {"id":"c4","channel":"fb","kind":"comment","author":"u4","text":"số CCCD của nó 001203004567 nhà ở 12 Lý Thường Kiệt"}]}'
req POST /v1/items "$integ" "$items"
expect 200 '[.items[].status] == ["created","created","created","created"]' "ingest"
expect 200 '[.items[].state] == ["published","published","hidden","published"] and [.items[].verdict.action] == ["allow","review","hide","review"]' "states"
first=$body
req POST /v1/items "$integ" "$items"
expect 200 '[.items[].status] == ["duplicate","duplicate","duplicate","duplicate"]' "same batch twice"
[ "$(printf '%s' "$body" | jq -c '[.items[].verdict]')" = "$(printf '%s' "$first" | jq -c '[.items[].verdict]')" ] ||
    fail "a duplicate answers another verdict"
req POST /v1/items "$integ" '{"items":[{"id":"d1","channel":"web","kind":"comment","author":"u","text":"a"},{"id":"d1","channel":"web","kind":"comment","author":"u","text":"b"}]}'
expect 200 '[.items[].status] == ["created","duplicate"]' "twice in one batch"
req POST /v1/items "$integ" '{"items":[{"id":"e1","channel":"web","kind":"comment","author":"u","text":"ok"},{"id":"e2","channel":"web","text":"no kind"}]}'
expect 400 '.error.code == "missing_field" and .error.item == 1' "missing kind"
req GET /v1/items/web/e1 "$rev"
expect 404 '' "a refused batch stores nothing"
req POST /v1/items "$integ" '{"items":[{"id":"e1","channel":"web","kind":"comment","author":"u","text":"ok","parent":5}]}'
expect 400 '.error.code == "bad_json" and .error.item == 0 and (.error.byte | type) == "number"' "parent of the wrong type"
req POST /v1/items "$integ" '{"items":[{"id":"e1","channel":"web","kind":"comment","author":"u","text":"a",}]}'
expect 400 '.error.byte == 78' "malformed item: the byte in the body"
req POST /v1/items "$integ" '{"text":"no items"}'
expect 400 '.error.code == "missing_field"' "no items"
req POST /v1/items "$integ" "$(jq -cn '{items: [range(1001) | {id: ., channel: "w", kind: "c", author: "a", text: "x"}]}')"
expect 413 '' "1001 items to ingest"

# the same batch from two connections at once: each item created once in all
jq -cn '{items: [range(200) | {id: "p\(.)", channel: "par", kind: "comment", author: "a", text: "song song \(.)"}]}' >"$tmp/par"
cpids=()
for k in 1 2; do
    timeout 60 curl -s -o "$tmp/par$k" --max-time 50 -H "Authorization: Bearer $integ" \
        -H 'Content-Type: application/json' --data-binary "@$tmp/par" "$url/v1/items" &
    cpids+=($!)
done
wait "${cpids[@]}"
created=$(jq -s '[.[].items[] | select(.status == "created")] | length' "$tmp/par1" "$tmp/par2")
dups=$(jq -s '[.[].items[] | select(.status == "duplicate")] | length' "$tmp/par1" "$tmp/par2")
[ "$created" = 200 ] && [ "$dups" = 200 ] || fail "parallel ingest: $created created, $dups duplicate"

# ---- GET /v1/items/{channel}/{id} -------------------------------------------------------------
req GET /v1/items/web/c2 "$rev"
expect 200 '.id == "c2" and .state == "published" and .action == "review" and .text == "đồ ngu mày im đi" and .verdict.action == "review" and .created_at == "2026-11-30T08:00:00Z" and .history[0].what == "ingested" and .history[1].what == "queued"' "item"
# no author at all, not even its pseudonym: it would join one person's items (docs/privacy.md)
expect 200 'has("author") | not' "the author is not shown"
req GET /v1/items/web/c3 "$appeals"
expect 200 '.state == "hidden" and .parent == "c1" and .created_at == null' "appeals reads an item"
req GET /v1/items/web/c3 "$aud"
expect 200 '.state == "hidden" and (has("text") | not) and (has("verdict") | not)' "auditor: no raw text"
req GET /v1/items/web/c3 "$integ"
expect 403 '' "integration may not read items"
req GET /v1/items/web/nope "$rev"
expect 404 '.error.code == "not_found"' "unknown item"
req GET /v1/items/web/c3 "$other_rev"
expect 404 '.error.code == "not_found"' "another organization's item"
req POST /v1/items "$other_integ" '{"items":[{"id":"c3","channel":"web","kind":"comment","author":"x","text":"xin chào"}]}'
expect 200 '.items[0].status == "created"' "the same ids in another organization"
req GET /v1/items/web/c3 "$other_rev"
expect 200 '.text == "xin chào"' "the other organization's own item"
req GET /v1/items/w%65b/c%33 "$rev"
expect 200 '.id == "c3" and .text != "xin chào"' "percent-decoded path"
req GET /v1/items/web/c3/x "$rev"
expect 404 '' "three segments"

# ---- queue: order, cursor pagination, claims --------------------------------------------------
req GET "/v1/queues/pending?limit=1" "$rev"
expect 200 '(.items | length) == 1 and .items[0].id == "c3" and (.next_cursor | type) == "string"' "queue page 1"
cur=$(printf '%s' "$body" | jq -r .next_cursor)
req POST /v1/items "$integ" '{"items":[{"id":"n1","channel":"web","kind":"comment","author":"u","text":"đụ má mày thằng ngu, tao đánh chết mẹ mày"}]}'
expect 200 '.items[0].state == "hidden"' "a case arriving between pages"
req GET "/v1/queues/pending?limit=10&cursor=$cur" "$rev"
expect 200 '[.items[].id] == ["c4","c2"] and .next_cursor == null' "queue page 2 (stable while items arrive)"
req GET "/v1/queues/pending" "$admin"
expect 200 '[.items[].id] == ["n1","c3","c4","c2"]' "the new case ranks first from the top"
req GET "/v1/queues/pending?limit=0" "$rev"
expect 400 '' "limit 0"
req GET "/v1/queues/pending?limit=5&limit=6" "$rev"
expect 400 '' "limit twice"
req GET "/v1/queues/pending?cursor=AAAA" "$rev"
expect 400 '.error.code == "bad_cursor"' "bad cursor"
req GET "/v1/queues/pending?color=red" "$rev"
expect 400 '' "unknown query key"
req GET "/v1/queues/pending" "$other_rev"
expect 200 '.items == []' "another organization's queue"
req POST /v1/queues/pending/claim "$rev" '{"n":2,"lease_seconds":60}'
expect 200 '(.claimed | length) == 2 and .lease_seconds == 60' "claim"
got1=$(printf '%s' "$body" | jq -c '[.claimed[].case]')
req POST /v1/queues/pending/claim "$rev2" '{"n":5}'
expect 200 '(.claimed | length) == 2' "second reviewer gets the rest"
got2=$(printf '%s' "$body" | jq -c '[.claimed[].case]')
[ "$(jq -n --argjson a "$got1" --argjson b "$got2" '$a - ($a - $b) | length')" = 0 ] ||
    fail "two reviewers got the same case: $got1 $got2"
req POST /v1/queues/pending/claim "$rev" '{"n":0}'
expect 400 '' "claim 0"
req POST /v1/queues/pending/claim "$rev" '{"n":1,"lease":5}'
expect 400 '' "unknown claim key"

# ---- reload: under load, bad over HTTP (old engine stays), SIGHUP -----------------------------
: >"$tmp/codes"
(for _ in $(seq 1 150); do
    timeout 30 curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 -H "Authorization: Bearer $integ" \
        -H 'Content-Type: application/json' --data-binary "$line" "$url/v1/check" >>"$tmp/codes"
done) &
lpid=$!
for _ in 1 2 3; do
    req POST /v1/admin/reload "$admin" ''
    expect 200 '.reloaded == true' "reload under load"
done
timeout 120 tail --pid="$lpid" -f /dev/null || fail "the client under reloads did not finish"
wait "$lpid"
[ "$(grep -c '^200$' "$tmp/codes")" -eq 150 ] || fail "a request failed during reloads: $(sort "$tmp/codes" | uniq -c)"
req POST /v1/admin/reload "$admin" ''
expect 200 '.reloaded == true and .generation == 5' "reload"
printf 'name: broken\nversion: 1\nthresholds: [oops\n' >"$tmp/policy.yaml"
req POST /v1/admin/reload "$admin" '{}'
expect 422 '.error.code == "reload_failed" and .error.line >= 1' "bad policy"
req POST /v1/check "$integ" "$line"
expect 200 '.action == "review"' "the old engine keeps screening"
req GET /healthz ""
expect 200 '.engine_generation == 5' "generation unchanged by a failed reload"
kill -HUP "$pid"
for _ in $(seq 1 200); do grep -q "reload failed" "$tmp/err" && break; sleep 0.05; done
grep -q "reload failed, the old engine keeps screening" "$tmp/err" || fail "SIGHUP with a bad policy"
cp policies/default.yaml "$tmp/policy.yaml"
kill -HUP "$pid"
for _ in $(seq 1 400); do grep -q "reloaded" "$tmp/err" && break; sleep 0.05; done
grep -q "sangloc serve: reloaded" "$tmp/err" || fail "SIGHUP reload"
req GET /healthz ""
expect 200 '.engine_generation == 6' "generation after SIGHUP"

# ---- metrics ---------------------------------------------------------------------------------
req GET /metrics "$aud"
[ "$code" = 200 ] || fail "metrics: $code"
grep -q 'sangloc_requests_total{route="/v1/items",status="200"} [1-9]' "$tmp/body" || fail "metrics: requests"
grep -q 'sangloc_requests_total{route="/v1/check",status="400"} [1-9]' "$tmp/body" || fail "metrics: 400s"
grep -q 'sangloc_verdicts_total{action="hide"} [1-9]' "$tmp/body" || fail "metrics: actions"
grep -q 'sangloc_reloads_total{result="failed"} 2' "$tmp/body" || fail "metrics: failed reloads"
grep -q 'sangloc_queue_open{queue="pending"} 4' "$tmp/body" || fail "metrics: queue size"
grep -q 'sangloc_items_total{status="duplicate"} 205' "$tmp/body" || fail "metrics: duplicates"

# ---- a revoked token is refused within a second (the workers' token cache, tokcache.h) ----------
gone=$("$bin" token create --db "$db" --role integration --name revokee 2>/dev/null) || fail "token"
req POST /v1/check "$gone" '{"text":"a"}'
expect 200 '' "a fresh token"
gone_id=$("$bin" token list --db "$db" | awk -F'\t' '$7 == "revokee" {print $1}')
"$bin" token revoke --db "$db" "$gone_id" >/dev/null || fail "revoke"
sleep 1.1
for _ in 1 2 3 4; do # every worker: each has its own cache
    req POST /v1/check "$gone" '{"text":"a"}'
    expect 401 '.error.code == "unauthorized"' "a revoked token after a second"
done

stop_server
grep -q "sangloc serve: stopping" "$tmp/err" || fail "stop message"
echo "PASS"
