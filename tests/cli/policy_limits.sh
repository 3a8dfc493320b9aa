#!/usr/bin/env bash
# CLI test of the policy file's limits: 1,000,000 nested flow lists are refused at once (line
# and column named; `timeout` turns the old minutes-long parse into a failure), and a second
# YAML document is an error at its line instead of being ignored.
# Usage: policy_limits.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

{
  printf "version: '1'\nname: n\ncategories: {a: {}}\nrules: []\ncases: "
  head -c 1000000 /dev/zero | tr '\0' '['
  head -c 1000000 /dev/zero | tr '\0' ']'
  echo
} >"$tmp/deep.yaml"
timeout 5 "$bin" policy check "$tmp/deep.yaml" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 124 ] && fail "deep nesting hangs"
[ $rc -eq 1 ] || fail "deep nesting exits 1 (got $rc)"
grep -q "deep.yaml:5: lists and mappings nested deeper than 64 levels (column 71)" "$tmp/out" \
  || fail "deep nesting message: $(cat "$tmp/out")"

cp policies/default.yaml "$tmp/two.yaml"
cp -r policies/lexicons policies/lists "$tmp/"
lines=$(wc -l <"$tmp/two.yaml")
printf -- '---\nversion: other\n' >>"$tmp/two.yaml"
"$bin" policy check "$tmp/two.yaml" >"$tmp/out" 2>&1
[ $? -eq 1 ] || fail "second document exits 1"
grep -q "two.yaml:$((lines + 1)): a second YAML document starts here" "$tmp/out" \
  || fail "second document message: $(cat "$tmp/out")"
head -n "$lines" "$tmp/two.yaml" >"$tmp/one.yaml"
"$bin" policy check "$tmp/one.yaml" >"$tmp/out" 2>&1 || fail "one document is fine: $(cat "$tmp/out")"
echo "policy_limits.sh: 1 passed, 0 failed"
