#!/usr/bin/env bash
# A flood of one insult ahead of a death threat and a phone number (issue 8): the threat and the
# phone number are scored and listed, and the verdict says what its caps cut. Also: --no-model
# on a policy with model rules runs, with a warning (the library refuses it otherwise:
# tests/engine/test_lifetime.c).
# $1: the sangloc binary.
set -euo pipefail
bin=$1
policy=policies/default.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

flood=$(printf 'vl %.0s' $(seq 5000))
printf '{"id":"flood","text":"%stao sẽ đánh chết mày, số nó 0912 345 678"}\n' "$flood" >"$tmp/in"
"$bin" check --policy "$policy" --no-model --no-progress "$tmp/in" >"$tmp/out" 2>"$tmp/err" || true
grep -q '"action":"hide"' "$tmp/out" || fail "flood: not hidden"
grep -q '"threat":' "$tmp/out" || fail "flood: the threat was not scored"
grep -q '"personal_data":' "$tmp/out" || fail "flood: the phone number was not scored"
grep -q '"rule":"threat.violence"' "$tmp/out" || fail "flood: the threat is not listed"
grep -q '"rule":"pii.phone"' "$tmp/out" || fail "flood: the phone number is not listed"
grep -Eq '"truncated":\{"hits":[0-9]+' "$tmp/out" || fail "flood: truncated not reported"
grep -q 'warning: --no-model' "$tmp/err" || fail "--no-model with model rules: no warning"

# an ordinary post: no truncated key
echo '{"id":"ok","text":"Cảm ơn anh chị"}' |
    "$bin" check --policy "$policy" --no-model --no-progress >"$tmp/out" 2>/dev/null || true
grep -q '"truncated"' "$tmp/out" && fail "ordinary post: truncated reported"

# model rules run without a model only when --no-model says so
cat >"$tmp/p.yaml" <<'YAML'
version: "1"
name: no-model
categories: {insult: {}}
rules:
  - id: insult.model
    category: insult
    weight: 0.5
    clause: "No insults."
    model: offensive
YAML
s=0
"$bin" policy test --no-model "$tmp/p.yaml" >/dev/null 2>&1 || s=$?
[ "$s" -eq 0 ] || fail "policy test --no-model on model rules: status $s"
echo "truncated: ok"
