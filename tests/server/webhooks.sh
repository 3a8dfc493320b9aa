#!/usr/bin/env bash
# Webhooks of `sangloc serve` against a test receiver (tests/server/webhook_receiver.c, built
# beside the binary): a hidden item reaches the receiver as "queue.entered" and "item.hidden"
# with a signature recomputed here with openssl; the receiver failing first -> retried with
# backoff and delivered; the server killed with SIGKILL while deliveries are pending ->
# restarted, every event delivered (a repeat only under the same X-Sangloc-Delivery id);
# rotation -> two signatures, each verifying with its secret; give-up after --webhook-attempts
# when nobody listens;
# /metrics; refusals (bad URL, a secret file others may read, a config key alone).
# Usage: webhooks.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
receiver=$(dirname "$bin")/webhook_receiver
[ -x "$receiver" ] || fail "no test receiver at $receiver (build the webhook_receiver target)"
command -v openssl >/dev/null || fail "openssl is needed to verify signatures"
db=$(store_url s) || fail "store"
secret=$tmp/hook.secret
rdir=$tmp/recv
rpid=
trap '[ -n "$rpid" ] && kill -9 "$rpid" 2>/dev/null; cleanup' EXIT

# start_receiver FAIL_FIRST: a fresh receiver (new folder, new port); sets rpid and hook
start_receiver() {
    [ -n "$rpid" ] && kill -9 "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null
    rm -rf "$rdir" && mkdir -p "$rdir"
    "$receiver" "$rdir" "$1" &
    rpid=$!
    for _ in $(seq 1 200); do [ -s "$rdir/port" ] && break; sleep 0.05; done
    [ -s "$rdir/port" ] || fail "the receiver did not start"
    hook=http://127.0.0.1:$(cat "$rdir/port")/hooks/sangloc
}

# wait_until CMD...: polls CMD for up to 30 s
wait_until() {
    for _ in $(seq 1 300); do "$@" && return 0; sleep 0.1; done
    return 1
}

# the delivered requests (status 200), one "N" a line
delivered() { awk '$2 == 200 {print $1}' "$rdir/log" 2>/dev/null; }
header() { sed -n "s/^$2: //p" "$rdir/$1.head" | tr -d '\r'; }
# "channel/id event" of every delivered request, sorted and unique
delivered_events() {
    for n in $(delivered); do jq -r '"\(.item.channel)/\(.item.id) \(.event)"' "$rdir/$n.body"; done |
        sort -u
}
count_delivered() { [ "$(delivered_events | wc -l)" -ge "$1" ]; }

# hmac_of N SECRET_FILE: the v1 signature of request N under that secret, recomputed
hmac_of() {
    local ts
    ts=$(header "$1" X-Sangloc-Timestamp)
    { printf '%s.' "$ts"; cat "$rdir/$1.body"; } |
        openssl dgst -sha256 -hmac "$(tr -d '\n' <"$2")" -r | cut -d' ' -f1
}

# ---- refusals ----------------------------------------------------------------------------------
timeout 30 "$bin" serve --listen 127.0.0.1:0 --db "$db" "${store_keys[@]}" --webhook-url ftp://x/y \
    --webhook-secret-file "$secret" 2>"$tmp/e"
[ $? -eq 2 ] && grep -q "http" "$tmp/e" || fail "a non-http webhook URL exits 2: $(cat "$tmp/e")"
timeout 30 "$bin" serve --listen 127.0.0.1:0 --db "$db" "${store_keys[@]}" --webhook-url http://127.0.0.1:9/ 2>"$tmp/e"
[ $? -eq 2 ] && grep -q "go together" "$tmp/e" || fail "a URL without a secret file exits 2"
printf '%064d\n' 7 >"$tmp/open.secret" && chmod 644 "$tmp/open.secret"
timeout 60 "$bin" serve --listen 127.0.0.1:0 --db "$db" "${store_keys[@]}" --webhook-url http://127.0.0.1:9/ \
    --webhook-secret-file "$tmp/open.secret" 2>"$tmp/e"
[ $? -eq 2 ] && grep -q "read by others" "$tmp/e" || fail "a readable secret exits 2: $(cat "$tmp/e")"
"$bin" webhook rotate 2>"$tmp/e"; [ $? -eq 2 ] || fail "webhook rotate without --secret-file exits 2"
"$bin" webhook rotate --secret-file "$tmp/x.secret" --grace-hours 9000 2>"$tmp/e"
[ $? -eq 2 ] && [ ! -e "$tmp/x.secret" ] || fail "a grace over a year exits 2 and writes nothing"
"$bin" webhook rotate --secret-file "$tmp/open.secret" 2>"$tmp/e"
[ $? -eq 2 ] && grep -q "read by others" "$tmp/e" && [ ! -e "$tmp/open.secret.prev" ] ||
    fail "rotating a secret others may read: $(cat "$tmp/e")"
printf 'short\n' >"$tmp/short.secret" && chmod 600 "$tmp/short.secret"
timeout 60 "$bin" serve --listen 127.0.0.1:0 --db "$db" "${store_keys[@]}" --webhook-url http://127.0.0.1:9/ \
    --webhook-secret-file "$tmp/short.secret" 2>"$tmp/e"
[ $? -eq 2 ] && grep -q "32 to 512 characters" "$tmp/e" || fail "a short secret exits 2: $(cat "$tmp/e")"
printf 'organizations:\n  - id: a\n    policy: %s\n    webhook_url: http://127.0.0.1:9/\n' \
    "$PWD/policies/default.yaml" >"$tmp/c.yaml"
timeout 60 "$bin" serve --listen 127.0.0.1:0 --db "$db" "${store_keys[@]}" --config "$tmp/c.yaml" 2>"$tmp/e"
[ $? -eq 2 ] && grep -q "c.yaml:4: .*webhook_url needs a webhook_secret_file" "$tmp/e" ||
    fail "a webhook_url alone in the config: $(cat "$tmp/e")"

integ=$(token integration)
admin=$(token admin)

# ---- delivered, signed, retried after the receiver fails twice ---------------------------------
start_receiver 2
start_server "$db" --webhook-url "$hook" --webhook-secret-file "$secret"
[ "$(stat -c %a "$secret")" = 600 ] || fail "the secret file is not 0600"
grep -Eq '^[0-9a-f]{64}$' "$secret" || fail "the secret is not 64 hex digits: $(cat "$secret")"
hide_text="mày là thằng chó, tao sẽ giết mày"
review_text="đồ ngu mày im đi"
items() { # PREFIX: one hidden, one for review, one allowed
    printf '{"items":[{"id":"%s-h","channel":"web","kind":"comment","author":"Nguyễn Văn Ẩn","text":"%s"},' "$1" "$hide_text"
    printf '{"id":"%s-r","channel":"web","kind":"comment","author":"Nguyễn Văn Ẩn","text":"%s"},' "$1" "$review_text"
    printf '{"id":"%s-a","channel":"web","kind":"comment","author":"Nguyễn Văn Ẩn","text":"cảm ơn bài viết"}]}' "$1"
}
expected_of() { # PREFIX...: the events their items make, as delivered_events prints them
    for p in "$@"; do
        printf 'web/%s-h item.hidden\nweb/%s-h notice.ready\nweb/%s-h queue.entered\nweb/%s-r queue.entered\n' "$p" "$p" "$p" "$p"
    done | sort -u
}
req POST /v1/items "$integ" "$(items a)"
expect 200 '[.items[].state] == ["hidden","published","published"]' "ingest"
wait_until count_delivered 4 || fail "not delivered within 30 s: $(cat "$rdir/log" 2>/dev/null)"
[ "$(delivered_events)" = "$(expected_of a)" ] || fail "events: $(delivered_events)"
[ "$(awk '$2 == 500' "$rdir/log" | wc -l)" -eq 2 ] || fail "the receiver did not fail twice"
for n in $(awk '{print $1}' "$rdir/log"); do
    [ "$(head -1 "$rdir/$n.head")" = "POST /hooks/sangloc" ] || fail "request $n: $(head -1 "$rdir/$n.head")"
    [ "$(header "$n" Content-Type)" = application/json ] || fail "request $n: content type"
    sig=$(header "$n" X-Sangloc-Signature)
    [ "$sig" = "v1=$(hmac_of "$n" "$secret")" ] || fail "request $n: signature $sig does not verify"
    ev=$(header "$n" X-Sangloc-Event)
    jq -e --arg ev "$ev" '.event == $ev and .org == "default" and (.audit_seq | type) == "number"
        and (.at | type) == "number" and .item.channel == "web" and (has("author") | not)' \
        "$rdir/$n.body" >/dev/null || fail "request $n: body $(cat "$rdir/$n.body")"
    ts=$(header "$n" X-Sangloc-Timestamp)
    [ $(( $(date +%s) - ts )) -lt 120 ] || fail "request $n: timestamp $ts"
    ! grep -q "thằng chó\|Nguyễn\|sha256" "$rdir/$n.body" || fail "request $n: text or author in the body"
done
# the two failed requests were retried under the same delivery id, later
for n in $(awk '$2 == 500 {print $1}' "$rdir/log"); do
    id=$(header "$n" X-Sangloc-Delivery)
    ok=
    for m in $(delivered); do [ "$(header "$m" X-Sangloc-Delivery)" = "$id" ] && [ "$m" -gt "$n" ] && ok=1; done
    [ -n "$ok" ] || fail "delivery $id failed at request $n and was not retried"
    cmp -s "$rdir/$n.body" "$rdir/$(for m in $(delivered); do [ "$(header "$m" X-Sangloc-Delivery)" = "$id" ] && echo "$m"; done | head -1).body" ||
        fail "delivery $id: the retry's body differs"
done
jq -e '.state == "hidden" and .queue == "pending" and .action == "hide"' \
    "$rdir/$(for n in $(delivered); do [ "$(header "$n" X-Sangloc-Event)" = item.hidden ] && echo "$n"; done | head -1).body" \
    >/dev/null || fail "the item.hidden body"
req GET /metrics "$admin"
expect 200 '' "metrics"
grep -q '^sangloc_webhook_deliveries{outcome="delivered"} 4$' "$tmp/body" || fail "metrics: delivered: $(grep webhook "$tmp/body")"
grep -q '^sangloc_webhook_failed_attempts 2$' "$tmp/body" || fail "metrics: failed attempts"
grep -q '^sangloc_webhook_oldest_pending_seconds 0.000$' "$tmp/body" || fail "metrics: oldest pending"

# ---- SIGKILL with deliveries pending: nothing lost after a restart -----------------------------
touch "$rdir/down" # the receiver answers 503
req POST /v1/items "$integ" "$(items b)"
expect 200 '' "ingest b"
wait_until grep -q ' 503$' "$rdir/log" || fail "no attempt while the receiver is down"
sleep 1.1
req GET /metrics "$admin"
grep -q '^sangloc_webhook_deliveries{outcome="pending"} [1-9]' "$tmp/body" || fail "metrics: pending"
awk '$1 == "sangloc_webhook_oldest_pending_seconds" { exit !($2 >= 1 && $2 < 60) }' "$tmp/body" ||
    fail "metrics: oldest pending age: $(grep oldest "$tmp/body")"
req POST /v1/items "$integ" "$(items c)" # perhaps not even turned into deliveries yet
expect 200 '' "ingest c"
{ kill -9 "$pid" && wait "$pid"; } 2>/dev/null
pid=
pending=$(db_sql "SELECT count(*) FROM webhook_deliveries WHERE delivered_at IS NULL")
[ "$pending" -ge 1 ] || fail "no delivery pending at the kill"
rm -f "$rdir/down"
start_server "$db" --webhook-url "$hook" --webhook-secret-file "$secret"
wait_until count_delivered 12 || fail "after the restart: $(delivered_events)"
[ "$(delivered_events)" = "$(expected_of a b c)" ] || fail "events after the restart: $(delivered_events)"
# a repeat is allowed only under the same delivery id: one id for each (audit_seq, event)
for n in $(delivered); do
    printf '%s %s\n' "$(header "$n" X-Sangloc-Delivery)" "$(jq -r '"\(.audit_seq) \(.event)"' "$rdir/$n.body")"
done | sort -u >"$tmp/ids"
[ "$(cut -d' ' -f2- "$tmp/ids" | sort | uniq -d)" = "" ] || fail "one event under two delivery ids: $(cat "$tmp/ids")"
[ "$(db_sql "SELECT count(*) FROM webhook_deliveries WHERE delivered_at IS NULL")" = 0 ] ||
    fail "deliveries left pending"

# ---- rotation: both signatures during the grace; the new one first -----------------------------
cp "$secret" "$tmp/old.secret"
"$bin" webhook rotate --secret-file "$secret" --grace-hours 2 2>"$tmp/e" || fail "rotate: $(cat "$tmp/e")"
cmp -s "$secret" "$tmp/old.secret" && fail "rotate did not change the secret"
cmp -s "$secret.prev" "$tmp/old.secret" || fail "the old secret is not in .prev"
[ "$(stat -c %a "$secret")" = 600 ] && [ "$(stat -c %a "$secret.prev")" = 600 ] || fail "modes after rotate"
grace=$(( $(stat -c %Y "$secret.prev") - $(date +%s) ))
[ "$grace" -gt 7000 ] && [ "$grace" -le 7200 ] || fail "the grace ends in $grace s, want 2 h"
req POST /v1/admin/reload "$admin" '{}'
expect 200 '' "reload"
start=$(wc -l <"$rdir/log")
req POST /v1/items "$integ" "$(items d)"
wait_until count_delivered 16 || fail "after the rotation: $(delivered_events)"
for n in $(delivered); do
    [ "$n" -gt "$start" ] || continue
    sig=$(header "$n" X-Sangloc-Signature)
    [ "$sig" = "v1=$(hmac_of "$n" "$secret"),v1=$(hmac_of "$n" "$tmp/old.secret")" ] ||
        fail "request $n during the grace: $sig"
done
"$bin" webhook rotate --secret-file "$secret" --grace-hours 0 2>/dev/null || fail "rotate, no grace"
[ ! -e "$secret.prev" ] || fail "--grace-hours 0 keeps no old secret"
req POST /v1/admin/reload "$admin" '{}'
start=$(wc -l <"$rdir/log")
req POST /v1/items "$integ" "$(items e)"
wait_until count_delivered 20 || fail "after the second rotation"
for n in $(delivered); do
    [ "$n" -gt "$start" ] || continue
    [ "$(header "$n" X-Sangloc-Signature)" = "v1=$(hmac_of "$n" "$secret")" ] || fail "request $n: one signature"
done
# a secret file removed while running: the server keeps the secret it had (and says so) instead
# of making one no receiver knows
mv "$secret" "$tmp/kept.secret"
req POST /v1/admin/reload "$admin" '{}'
start=$(wc -l <"$rdir/log")
req POST /v1/items "$integ" "$(items k)"
wait_until count_delivered 24 || fail "after the secret file was removed"
[ ! -e "$secret" ] || fail "the server made a new secret file while running"
wait_until grep -q "keeping the secret it had" "$tmp/err" || fail "the missing secret is not logged"
for n in $(delivered); do
    [ "$n" -gt "$start" ] || continue
    [ "$(header "$n" X-Sangloc-Signature)" = "v1=$(hmac_of "$n" "$tmp/kept.secret")" ] || fail "request $n: the kept secret"
done
mv "$tmp/kept.secret" "$secret"
stop_server

# ---- give up after --webhook-attempts (nobody listening: refused); counted in /metrics ----------
kill -9 "$rpid" && wait "$rpid" 2>/dev/null
rpid=
start_server "$db" --webhook-url "$hook" --webhook-secret-file "$secret" --webhook-attempts 2
req POST /v1/items "$integ" "$(items f)"
gave_up() { [ "$(db_sql "SELECT count(*) FROM webhook_deliveries WHERE given_up_at IS NOT NULL")" = 4 ]; }
wait_until gave_up || fail "not given up after 2 attempts"
[ "$(db_sql "SELECT min(attempts) || '' || max(attempts) FROM webhook_deliveries WHERE given_up_at IS NOT NULL")" = 22 ] ||
    fail "given up after other than 2 attempts"
grep -q "given up after 2 attempts" "$tmp/err" || fail "the give-up is not logged"
req GET /metrics "$admin"
grep -q '^sangloc_webhook_deliveries{outcome="given_up"} 4$' "$tmp/body" || fail "metrics: given up"
! grep -q "Nguyễn\|thằng chó" "$tmp/err" || fail "the server's log names an author or a text"
stop_server

# ---- --config: each org its own URL and secret; an org without one gets no webhook -------------
start_receiver 0
db=$(store_url orgs) || fail "store"
cat >"$tmp/orgs.yaml" <<YAML
organizations:
  - id: so-a
    policy: $PWD/policies/default.yaml
    webhook_url: $hook
    webhook_secret_file: a.hook
  - id: so-b
    policy: $PWD/policies/default.yaml
YAML
start_server "$db" --config "$tmp/orgs.yaml"
[ "$(stat -c %a "$tmp/a.hook")" = 600 ] || fail "the config's secret was not created beside it"
integ_a=$(token integration so-a)
integ_b=$(token integration so-b)
req POST /v1/items "$integ_b" "$(items g)"
expect 200 '' "ingest in so-b"
req POST /v1/items "$integ_a" "$(items h)"
expect 200 '' "ingest in so-a"
wait_until count_delivered 4 || fail "so-a's events were not delivered"
sleep 0.5 # so-b's would have been sent by now
[ "$(delivered_events)" = "$(expected_of h)" ] || fail "--config events: $(delivered_events)"
for n in $(delivered); do
    jq -e '.org == "so-a"' "$rdir/$n.body" >/dev/null || fail "request $n: not so-a's"
    [ "$(header "$n" X-Sangloc-Signature)" = "v1=$(hmac_of "$n" "$tmp/a.hook")" ] || fail "request $n: so-a's signature"
done
[ "$(db_sql "SELECT count(*) FROM webhook_deliveries WHERE org = 'so-b'")" = 0 ] ||
    fail "so-b has deliveries without a webhook"
stop_server
echo "webhooks: ok"
