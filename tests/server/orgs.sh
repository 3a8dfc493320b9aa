#!/usr/bin/env bash
# Organizations and banks of `sangloc serve --config` against a real server on a free loopback
# port: two orgs with different policies screened by their own tokens' org, isolation (404
# across orgs, separate queues), org selection for global admin tokens (X-Sangloc-Org),
# per-org reload with one bad policy, config errors with their line (exit 2), and the banks API
# (roles, 404 across orgs, add/list/remove with screening going on during the edits).
# Usage: orgs.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
db=$(store_url s) || fail "store"
mkdir -p "$tmp/conf/pol" "$tmp/conf/banks"

# org A flags "sầu riêng" (fold view) and matches its hoax bank; org B allows the word
policy() { # NAME WITH_WORD
    printf 'version: "%s-1"\nname: "%s"\nthresholds: {warn: 0.3, review: 0.6, hide: 0.9}\n' "$1" "$1"
    printf 'categories:\n  insult: {}\n  hoax: {}\nrules:\n'
    if [ "$2" = yes ]; then
        printf '  - id: insult.fruit\n    category: insult\n    weight: 0.95\n'
        printf '    clause: "A1. No fruit."\n    regex: "sau rieng"\n    view: fold\n'
    fi
    printf '  - id: bank.hoax\n    category: hoax\n    weight: 0.7\n    clause: "2. No hoaxes."\n'
    printf '    bank: hoax\n    min_score: 0.5\n'
}
policy a yes >"$tmp/conf/pol/a.yaml"
policy b no >"$tmp/conf/pol/b.yaml"
seed='{"id":"h0","text":"tin đồn rằng nước máy thành phố bị nhiễm độc chì nặng trong tuần này"}'
printf '%s\n' "$seed" | timeout 30 "$bin" bank add --bank "$tmp/conf/banks/hoax-a.bank" --kind hoax 2>/dev/null ||
    fail "bank add a"
printf '%s\n' "$seed" | timeout 30 "$bin" bank add --bank "$tmp/conf/banks/hoax-b.bank" --kind hoax 2>/dev/null ||
    fail "bank add b"
cat >"$tmp/conf/orgs.yaml" <<'YAML'
organizations:
  - id: so-a
    name: "Sở A"
    policy: pol/a.yaml
    banks: [banks/hoax-a.bank]
  - {id: so-b, name: "Sở B", policy: pol/b.yaml, banks: [banks/hoax-b.bank]}
YAML

# ---- config errors: exit 2, the config's line ---------------------------------------------------
bad_config() { # WHAT LINE YAML
    printf '%s\n' "$3" >"$tmp/conf/bad.yaml"
    timeout 30 "$bin" serve --listen 127.0.0.1:0 --db "$db" "${store_keys[@]}" --no-model --config "$tmp/conf/bad.yaml" 2>"$tmp/e"
    [ $? -eq 2 ] || fail "config $1: exit 2"
    grep -q "bad.yaml:$2:" "$tmp/e" || fail "config $1: line $2 named: $(cat "$tmp/e")"
}
bad_config "unknown key" 3 "$(printf 'organizations:\n  - id: x\n    polcy: pol/a.yaml')"
bad_config "duplicate id" 3 "$(printf 'organizations:\n  - {id: x, policy: pol/a.yaml}\n  - {id: x, policy: pol/b.yaml}')"
bad_config "missing file" 2 "$(printf 'organizations:\n  - {id: x, policy: pol/none.yaml}')"
bad_config "a folder" 2 "$(printf 'organizations:\n  - {id: x, policy: pol}')"
bad_config "wrong type" 2 "$(printf 'organizations:\n  - {id: x, policy: pol/a.yaml, banks: banks/hoax-a.bank}')"
bad_config "bad id" 2 "$(printf 'organizations:\n  - {id: "x y", policy: pol/a.yaml}')"
bad_config "top key" 2 "$(printf 'organizations: []\nextra: 1')"
mkfifo "$tmp/conf/fifo.yaml"
bad_config "a FIFO" 2 "$(printf 'organizations:\n  - {id: x, policy: fifo.yaml}')"
timeout 30 "$bin" serve --listen 127.0.0.1:0 --db "$db" "${store_keys[@]}" --no-model --config "$tmp/conf/fifo.yaml" 2>"$tmp/e"
[ $? -eq 2 ] || fail "a FIFO as the config: exit 2"

# ---- two orgs, each screened with its own policy ------------------------------------------------
start_server "$db" --no-model --config "$tmp/conf/orgs.yaml" --threads 2
ia=$(token integration so-a)
ib=$(token integration so-b)
ra=$(token reviewer so-a)
rb=$(token reviewer so-b)
ca=$(token curator so-a)
cb=$(token curator so-b)
admin=$(token admin)
admin_a=$(token admin so-a)

req POST /v1/check "$ia" '{"text":"ăn sầu riêng đi"}'
expect 200 '.action == "hide" and .hits[0].rule == "insult.fruit"' "org A flags the word"
req POST /v1/check "$ib" '{"text":"ăn sầu riêng đi"}'
expect 200 '.action == "allow" and (.versions.policy | startswith("b@"))' "org B allows it"
item='{"items":[{"id":"c1","channel":"web","kind":"comment","author":"u1","text":"ăn sầu riêng đi"}]}'
req POST /v1/items "$ia" "$item"
expect 200 '.items[0].status == "created" and .items[0].state == "hidden"' "org A ingests: hidden"
req POST /v1/items "$ib" "$item"
expect 200 '.items[0].status == "created" and .items[0].state == "published"' "org B: same ids, published"

# ---- isolation ------------------------------------------------------------------------------------
req GET /v1/items/web/c1 "$ra"
expect 200 '.state == "hidden"' "A's reviewer sees A's item"
req GET /v1/items/web/c1 "$rb"
expect 200 '.state == "published"' "B's reviewer sees B's item"
req POST /v1/items "$ia" '{"items":[{"id":"only-a","channel":"web","kind":"comment","author":"u1","text":"sầu riêng"}]}'
expect 200 '' "ingest only-a"
req GET /v1/items/web/only-a "$rb"
expect 404 '.error.code == "not_found"' "A's item is 404 for B"
req GET /v1/queues/pending "$ra"
expect 200 '.items | length == 2' "A's queue"
req GET /v1/queues/pending "$rb"
expect 200 '.items | length == 0' "B's queue is its own"
code=$(timeout 30 curl -s -o "$tmp/body" -w '%{http_code}' --max-time 20 -H "Authorization: Bearer $rb" \
    -H 'X-Sangloc-Org: so-a' "$url/v1/queues/pending")
[ "$code" = 404 ] || fail "an org token cannot pick another org: $code"

# ---- global admin: names the org ------------------------------------------------------------------
req POST /v1/check "$admin" '{"text":"sầu riêng"}'
expect 400 '.error.code == "org_required"' "a global admin must name the org"
code=$(timeout 30 curl -s -o "$tmp/body" -w '%{http_code}' --max-time 20 -H "Authorization: Bearer $admin" \
    -H 'X-Sangloc-Org: so-b' -H 'Content-Type: application/json' -d '{"text":"sầu riêng"}' "$url/v1/check")
[ "$code" = 200 ] && jq -e '.action == "allow"' "$tmp/body" >/dev/null || fail "admin for so-b: $code $(cat "$tmp/body")"
code=$(timeout 30 curl -s -o "$tmp/body" -w '%{http_code}' --max-time 20 -H "Authorization: Bearer $admin" \
    -H 'X-Sangloc-Org: nowhere' "$url/v1/queues/pending")
[ "$code" = 404 ] || fail "admin for an unknown org: $code"

# ---- per-org reload: a bad policy in B, A still reloads and both keep screening -------------------
req POST /v1/admin/reload "$admin" '{"org":"so-a"}'
expect 200 '.reloaded == true and (.orgs | length) == 1 and .orgs[0].org == "so-a"' "reload one org"
req POST /v1/admin/reload "$admin_a" '{"org":"so-b"}'
expect 404 '' "an org's admin cannot reload another org"
code=$(timeout 30 curl -s -o "$tmp/body" -w '%{http_code}' --max-time 20 -H "Authorization: Bearer $admin" \
    -X POST -H 'X-Sangloc-Org: so-b' "$url/v1/admin/reload")
[ "$code" = 200 ] && jq -e '.orgs | length == 1 and .[0].org == "so-b"' "$tmp/body" >/dev/null ||
    fail "reload the org named by X-Sangloc-Org: $code $(cat "$tmp/body")"
req POST /v1/admin/reload "$admin_a" ''
expect 200 '.orgs | length == 1 and .[0].org == "so-a"' "an org's admin reloads its own org"
cp "$tmp/conf/pol/b.yaml" "$tmp/b.good"
printf 'name: broken\nversion: 1\nrules: [\n' >"$tmp/conf/pol/b.yaml"
req POST /v1/admin/reload "$admin" ''
expect 422 '.reloaded == false and (.orgs[] | select(.org == "so-a") | .reloaded) == true and
    (.orgs[] | select(.org == "so-b") | .error.line) >= 1 and .error.code == "reload_failed"' "bad policy in B"
gen_a=$(printf '%s' "$body" | jq '.orgs[] | select(.org == "so-a") | .generation')
[ "$gen_a" -ge 3 ] || fail "A reloaded: generation $gen_a"
req POST /v1/check "$ib" '{"text":"sầu riêng"}'
expect 200 '.action == "allow"' "B keeps its old engine"
req POST /v1/check "$ia" '{"text":"sầu riêng"}'
expect 200 '.action == "hide"' "A still screens"
# SIGHUP reloads every org: so-a (the first: /healthz) moves on, so-b's error names it
req GET /healthz ""
g0=$(printf '%s' "$body" | jq .engine_generation)
kill -HUP "$pid"
for _ in $(seq 1 200); do grep -q "reload failed" "$tmp/err" && break; sleep 0.05; done
grep -q "reload failed, the old engine keeps screening: organization so-b" "$tmp/err" ||
    fail "SIGHUP with a bad policy in so-b: $(cat "$tmp/err")"
req GET /healthz ""
expect 200 ".engine_generation == $g0 + 1" "SIGHUP reloaded so-a"
cp "$tmp/b.good" "$tmp/conf/pol/b.yaml"
req POST /v1/admin/reload "$admin" ''
expect 200 '.reloaded == true and (.orgs | length) == 2' "reload all"

# ---- banks API -----------------------------------------------------------------------------------
req GET /v1/banks "$ra"
expect 403 '.error.code == "forbidden"' "a reviewer may not read banks"
req GET /v1/banks "$ca"
expect 200 '.org == "so-a" and .banks[0].name == "hoax-a.bank" and .banks[0].items == 1' "list banks"
req GET /v1/banks/hoax-b.bank/items "$ca"
expect 404 '.error.code == "not_found"' "A's curator: B's bank does not exist"
req DELETE /v1/banks/hoax-b.bank/items/h0 "$ca"
expect 404 '' "A's curator cannot remove from B's bank"
req GET /v1/banks/hoax-a.bank/items "$ca"
expect 200 '.items[0].id == "h0" and .items[0].kind == "hoax" and .next_cursor == null' "list items"
req GET '/v1/banks/hoax-a.bank/items?limit=0' "$ca"
expect 400 '' "limit 0"
req GET '/v1/banks/hoax-a.bank/items?x=1' "$ca"
expect 400 '' "unknown query key"
req PUT /v1/banks/hoax-a.bank/items "$ca"
expect 405 '' "PUT on bank items"

hoax='cảnh báo khẩn cấp bệnh viện tỉnh đã hết sạch vắc xin cho trẻ em từ hôm nay'
post="nghe nói $hoax, mọi người chia sẻ đi"
req POST /v1/check "$ia" "{\"text\":\"$post\"}"
expect 200 '[.hits[] | select(.rule == "bank.hoax")] | length == 0' "not matched before the add"
# a client screens all the while the bank changes
: >"$tmp/codes"
(for _ in $(seq 1 3000); do # until the edits are over (bounded)
    [ -e "$tmp/stop" ] && break
    timeout 30 curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 -H "Authorization: Bearer $ia" \
        -H 'Content-Type: application/json' -d '{"text":"xin chào sở"}' "$url/v1/check" >>"$tmp/codes"
done) &
lpid=$!
req POST /v1/banks/hoax-a.bank/items "$ca" "{\"items\":[{\"id\":\"h1\",\"kind\":\"hoax\",\"text\":\"$hoax\",\"source\":\"https://example.vn/1\"},{\"id\":\"h0\",\"kind\":\"hoax\",\"text\":\"$hoax\"},{\"id\":\"short\",\"kind\":\"hoax\",\"text\":\"quá ngắn\"},{\"id\":\"k\",\"kind\":\"rumour\",\"text\":\"$hoax\"}]}"
expect 200 '.added == 1 and .reloaded == true and [.items[].status] == ["added","skipped","skipped","skipped"]' "add items"
req POST /v1/check "$ia" "{\"text\":\"$post\"}"
expect 200 '[.hits[] | select(.rule == "bank.hoax")] | length == 1' "matched right after the add"
req POST /v1/check "$ib" "{\"text\":\"$post\"}"
expect 200 '[.hits[] | select(.rule == "bank.hoax")] | length == 0' "B's bank did not change"
req GET '/v1/banks/hoax-a.bank/items?limit=1' "$ca"
expect 200 '(.items | length) == 1 and (.next_cursor | type) == "string"' "page 1"
cur=$(printf '%s' "$body" | jq -r .next_cursor)
req GET "/v1/banks/hoax-a.bank/items?limit=1&cursor=$cur" "$ca"
expect 200 '.items[0].id == "h1" and .items[0].source == "https://example.vn/1" and .next_cursor == null' "page 2"
req POST /v1/banks/hoax-a.bank/items "$ca" '{"items":[{"id":"x","kind":"hoax","text":"a"},]}'
expect 400 '.error.code == "bad_json" and (.error.byte | type) == "number"' "bad JSON"
req DELETE /v1/banks/hoax-a.bank/items/h1 "$ca"
expect 200 '.removed == "h1" and .reloaded == true' "remove"
req DELETE /v1/banks/hoax-a.bank/items/h1 "$ca"
expect 404 '' "remove twice"
req POST /v1/check "$ia" "{\"text\":\"$post\"}"
expect 200 '[.hits[] | select(.rule == "bank.hoax")] | length == 0' "not matched after the removal"
kill -0 "$lpid" 2>/dev/null || fail "the client finished before the edits did: no overlap"
touch "$tmp/stop"
timeout 60 tail --pid="$lpid" -f /dev/null || fail "the client during edits did not finish"
wait "$lpid"
n=$(wc -l <"$tmp/codes")
[ "$n" -ge 5 ] && [ "$(grep -c '^200$' "$tmp/codes")" -eq "$n" ] ||
    fail "checks during bank edits: $(sort "$tmp/codes" | uniq -c)"

stop_server

# ---- without --config: one org, default, whose banks other orgs of the store do not see ---------
db=$(store_url s2) || fail "store"
start_server "$db" --no-model --policy "$tmp/conf/pol/a.yaml" --bank "$tmp/conf/banks/hoax-a.bank"
db_sql "INSERT INTO organizations (id, name) VALUES ('other', 'Other');" || fail "org other"
cd0=$(token curator default)
co=$(token curator other)
io=$(token integration other)
req GET /v1/banks "$cd0"
expect 200 '.org == "default" and .banks[0].name == "hoax-a.bank"' "default's banks"
req GET /v1/banks "$co"
expect 404 '' "another org of the store has no banks"
req GET /v1/banks/hoax-a.bank/items "$co"
expect 404 '' "nor default's bank items"
req POST /v1/check "$io" '{"text":"sầu riêng"}'
expect 200 '.action == "hide"' "the one engine screens for every org without --config"
stop_server
echo "orgs: ok"
