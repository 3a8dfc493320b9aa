#!/usr/bin/env bash
# Golden cases of the input records (docs/verdict.md, "Input"): ids come back byte for byte or
# the line gets an error verdict; duplicate keys and text after the object are error verdicts;
# blank lines are skipped but counted. $1: the sangloc binary; $2: the data folder.
# Regenerate the golden files with SL_UPDATE_GOLDEN=1 after an intended change.
set -euo pipefail
bin=$1
here=tests/cli/golden
policy=tests/fixtures/engine/policy.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
strip() { sed -E 's/,"us":[0-9]+//; s/"versions":\{[^}]*\}/"versions":{}/'; }
in=$here/records_input.jsonl

s=0
"$bin" check --policy "$policy" --no-model --no-progress "$in" >"$tmp/out" || s=$?
[ "$s" -eq 1 ] || fail "exit status $s, expected 1"
strip <"$tmp/out" >"$tmp/check"
"$bin" normalize "$in" >"$tmp/norm" || true
if [ -n "${SL_UPDATE_GOLDEN:-}" ]; then
    cp "$tmp/check" "$here/records_check_expected.jsonl"
    cp "$tmp/norm" "$here/records_normalize_expected.jsonl"
fi
diff -u "$here/records_check_expected.jsonl" "$tmp/check" || fail "check verdicts differ from the golden file"
diff -u "$here/records_normalize_expected.jsonl" "$tmp/norm" || fail "normalize differs from the golden file"

# the defects, spelled out (the golden file pins the rest)
grep -q '^{"id":10158812345678901,"action":"allow"' "$tmp/check" || fail "id beyond 2^53 changed"
grep -q '"line":2,"byte":8' "$tmp/check" && ! grep -q '"id":"a"' "$tmp/check" ||
    fail "an id with \\u0000 must be a nul_byte error, not \"a\""
grep -q '"code":"too_large","message":"the id is 302 bytes' "$tmp/check" || fail "long id dropped silently"
grep -q '^{"id":"dup","action":"review","error":{"code":"json"' "$tmp/check" || fail "duplicate text allowed"
grep -q '^{"id":"two","action":"review","error":{"code":"json","message":"text after' "$tmp/check" ||
    fail "a second object on the line was ignored"
grep -q '"id":"f\\u00e9"' "$tmp/check" || fail "a string id is echoed as written"
grep -q '"id":1.5\|"id":true\|"id":{' "$tmp/check" && fail "a float, bool or object id was echoed"

# blank lines (5 and 11) give no verdict, and the lines after them keep their numbers
nonblank=$(grep -cv '^[[:space:]]*$' "$in")
[ "$(wc -l <"$tmp/out")" -eq "$nonblank" ] || fail "one verdict per non-blank line"
grep -q '"line":6,"byte":6' "$tmp/check" || fail "line numbers count blank lines"
# with --text every line is a post, blank ones too
printf 'a\n\nb\n' | "$bin" check --policy "$policy" --no-model --text >"$tmp/plain" || true
[ "$(wc -l <"$tmp/plain")" -eq 3 ] && grep -q '^{"id":2,' "$tmp/plain" || fail "--text blank line"

# threads give the same verdicts in the same order
"$bin" check --policy "$policy" --no-model --no-progress -j 3 "$in" | strip >"$tmp/check3" || true
diff -u "$tmp/check" "$tmp/check3" || fail "-j 3 differs from -j 1"

# the largest --max-bytes must not wrap the reader's line limit (6 * max + 1024): a 2,000-byte
# post is screened, not too large; a value past the largest is refused, never wrapped
printf '{"id":1,"text":"%s óc chó"}\n' "$(head -c 2000 /dev/zero | tr '\0' a)" |
    "$bin" check --policy "$policy" --no-model --max-bytes 16777216 >"$tmp/huge" || true
grep -q '"id":1,"action":"warn"' "$tmp/huge" || fail "largest --max-bytes: $(cut -c1-160 "$tmp/huge")"
rc=0
echo '{"id":1,"text":"x"}' |
    "$bin" check --policy "$policy" --no-model --max-bytes 3074457345618258603 >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "huge --max-bytes: exit $rc, want 2"
echo "records.sh: all passed"
