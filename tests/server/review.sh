#!/usr/bin/env bash
# The reviewer's page's routes (src/server/review.c, docs/api.md "The reviewer's page"):
# GET /v1/items/{channel}/{id}?redact=personal_data masks the personal data of others byte for
# byte (no phone number anywhere in the reply, every offset still valid, the masked spans listed),
# POST .../reveal returns them and logs an "item.reveal" audit entry that does not hold them;
# ?views=standard gives the standard spelling; GET /v1/policy/rules lists the policy's rules.
# Usage: review.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
db=$(store_url s) || fail "store"

integ=$(token integration)
rev=$(token reviewer)
aud=$(token auditor)
admin=$(token admin)
start_server "$db"

phone=0912345678
# the insult's hit (0..) and the model's hit over the whole text both carry the number
text="Thằng chó này, gọi nó số $phone mà chửi, đ.m nó"
req POST /v1/items "$integ" "$(jq -cn --arg t "$text" \
    '{items: [{id: "r1", channel: "fanpage", kind: "comment", author: "fb:9", text: $t}]}')"
expect 200 '.items[0].verdict.hits | map(select(.category == "personal_data")) | length == 1' \
    "ingest with a phone number"

# unredacted: the number is there (so the searches below search the right thing)
req GET /v1/items/fanpage/r1 "$rev"
expect 200 '.text | contains("0912345678")' "the raw item"
raw=$body

req GET "/v1/items/fanpage/r1?redact=personal_data" "$rev"
expect 200 '.redacted | length == 1 and .[0].rules == ["pii.phone"]' "the redacted item"
case "$body" in *"$phone"*) fail "the redacted reply holds the phone number: $body" ;; esac
# same length in bytes; the masked span is the hit's span, all '*'
python3 - "$raw" "$body" <<'EOF' || fail "the redacted text does not keep the offsets"
import json, sys
raw, red = json.loads(sys.argv[1]), json.loads(sys.argv[2])
a, b = raw["text"].encode(), red["text"].encode()
assert len(a) == len(b), (len(a), len(b))
m = red["redacted"][0]
assert b[m["start"]:m["end"]] == b"*" * (m["end"] - m["start"])
assert a[m["start"]:m["end"]] == b"0912345678"
assert a[:m["start"]] == b[:m["start"]] and a[m["end"]:] == b[m["end"]:]
# every hit's excerpt is the redacted text's bytes at its offsets, the rest of the verdict as it was
for h0, h1 in zip(raw["verdict"]["hits"], red["verdict"]["hits"]):
    assert h1["text"].encode() == b[h1["start"]:h1["end"]], h1
    assert {k: v for k, v in h0.items() if k != "text"} == {k: v for k, v in h1.items() if k != "text"}
assert {k: v for k, v in raw["verdict"].items() if k != "hits"} == \
    {k: v for k, v in red["verdict"].items() if k != "hits"}
EOF

# an unknown value is refused rather than answered raw
req GET "/v1/items/fanpage/r1?redact=all" "$rev"
expect 400 '.error.code == "bad_request"' "redact=all"

# the standard spelling, of the masked text when masked
req GET "/v1/items/fanpage/r1?views=standard" "$rev"
expect 200 '(.standard | type == "string") and (.standard | contains("0912345678"))' "views=standard"
req GET "/v1/items/fanpage/r1?redact=personal_data&views=standard" "$rev"
expect 200 '(.standard | type == "string") and (.standard | length > 0)' "redacted standard"
case "$body" in *"$phone"*) fail "the redacted standard view holds the phone number" ;; esac
req POST /v1/items "$integ" '{"items":[{"id":"t1","channel":"fanpage","kind":"comment","author":"fb:8","text":"t thấy k đc"}]}'
req GET "/v1/items/fanpage/t1?views=standard" "$rev"
expect 200 '.standard == "tôi thấy không được"' "the standard view of teencode"
# an auditor still gets no text, standard view or not
req GET "/v1/items/fanpage/r1?views=standard" "$aud"
expect 200 'has("text") == false and has("standard") == false' "auditor"

# the reveal: the spans' text, and an audit entry without it
req GET /v1/audit/checkpoint "$admin"
size0=$(printf '%s' "$body" | jq .size)
req POST /v1/items/fanpage/r1/reveal "$rev"
expect 200 '.spans | length == 1 and .[0].text == "0912345678" and .[0].rules == ["pii.phone"]' \
    "reveal"
req POST /v1/items/fanpage/r1/reveal "$aud"
expect 403 '.error.code == "forbidden"' "an auditor may not reveal"
req POST /v1/items/fanpage/nope/reveal "$rev"
expect 404 '.error.code == "not_found"' "reveal of no item"
req GET "/v1/audit/entries?from=$size0&to=$((size0 + 10))" "$admin"
expect 200 '[.entries[] | .entry | fromjson | select(.action == "item.reveal")] | length == 1' \
    "one item.reveal entry"
entry=$(printf '%s' "$body" | jq -c '.entries[] | .entry | fromjson | select(.action == "item.reveal")')
printf '%s' "$entry" | jq -e '.target == "item:1" and .data.rules == ["pii.phone"] and
    .data.channel == "fanpage" and .data.id == "r1" and (.actor.name == "t-reviewer")' >/dev/null ||
    fail "the reveal entry: $entry"
case "$entry" in *"$phone"*) fail "the audit entry holds the revealed text" ;; esac
# an item without personal data reveals nothing and logs nothing
req GET /v1/audit/checkpoint "$admin"
size1=$(printf '%s' "$body" | jq .size)
req POST /v1/items/fanpage/t1/reveal "$rev"
expect 200 '.spans == []' "reveal of nothing"
req GET /v1/audit/checkpoint "$admin"
[ "$(printf '%s' "$body" | jq .size)" = "$size1" ] || fail "a reveal of nothing was logged"
"$bin" audit verify --db "$db" >/dev/null 2>&1 || fail "audit verify after a reveal"

# the policy's rules
req GET /v1/policy/rules "$rev"
expect 200 '(.rules | map(.id) | index("pii.phone") != null) and
    (.rules[] | select(.id == "pii.phone") | .category == "personal_data" and (.clause | startswith("Điều 5")))
    and (.thresholds.hide > 0)' "policy rules"
req GET /v1/policy/rules "$integ"
expect 403 '' "integration may not read the rules"
echo PASS
