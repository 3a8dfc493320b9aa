#!/usr/bin/env bash
# A post's control characters never reach the terminal: `check --explain` shows ESC, CR, BEL,
# DEL, C1 codes and bidi overrides as visible escapes (\x1b, \r, \u202e ...), in the text, the
# quoted spans and the id. $1: the sangloc binary. The golden file pins the rendering
# (regenerate with SL_UPDATE_GOLDEN=1 after an intended change and review the diff).
set -euo pipefail
bin=$1
here=tests/cli/golden
policy=tests/fixtures/engine/policy.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# no terminal-active byte in a report: C0 but newline, DEL, C1 (U+0080..U+009F as UTF-8) and
# the bidi controls U+202A..U+202E, U+2066..U+2069 (as UTF-8)
no_controls() {
    ! LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$1" &&
        ! LC_ALL=C grep -qP '\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$1"
}

"$bin" check --policy "$policy" --no-model --explain --color never "$here/explain_controls.jsonl" \
    >"$tmp/got" || true
if [ -n "${SL_UPDATE_GOLDEN:-}" ]; then cp "$tmp/got" "$here/explain_controls.txt"; fi
diff -u "$here/explain_controls.txt" "$tmp/got" || fail "--explain differs from the golden file"
no_controls "$tmp/got" || fail "a control character reached the --explain output"
# the input really holds them (so the check above can fail)
LC_ALL=C grep -qP '\xe2\x80\xae' "$here/explain_controls.jsonl" || fail "fixture lost its raw U+202E"
grep -qF '\x1b[2J' "$tmp/got" || fail "ESC not shown as \\x1b"
grep -qF '\u202e' "$tmp/got" || fail "bidi override not shown as \\u202e"

# with colour, the only ESC bytes are sangloc's own colour codes (ESC [ digits/; m)
"$bin" check --policy "$policy" --no-model --explain --color always "$here/explain_controls.jsonl" \
    >"$tmp/color" || true
grep -q $'\x1b\\[' "$tmp/color" || fail "--color always gave no colour"
sed -E $'s/\x1b\\[[0-9;]*m//g' "$tmp/color" >"$tmp/stripped"
no_controls "$tmp/stripped" || fail "a control character reached the coloured output"

# an error message quoting an option value shows it visibly too
"$bin" check --color $'\e[2J\u202e' </dev/null 2>"$tmp/err" >/dev/null && fail "bad --color accepted"
no_controls "$tmp/err" || fail "a control character reached an error message"
grep -qF "'\\x1b[2J\\u202e'" "$tmp/err" || fail "the bad value is not quoted visibly"
# `policy test` prints a failing case's text: visibly too (the case expects allow, gets warn)
sed 's|lexicon: words.txt|lexicon: '"$PWD"'/tests/fixtures/engine/words.txt|;
     s|domains: domains.txt|domains: '"$PWD"'/tests/fixtures/engine/domains.txt|' "$policy" >"$tmp/p.yaml"
printf 'cases:\n  - {text: "óc chó\\e[2J\\r\\u202e allow", action: allow}\n' >>"$tmp/p.yaml"
s=0
"$bin" policy test --no-model "$tmp/p.yaml" >"$tmp/cases" 2>&1 || s=$?
[ "$s" = 1 ] || { cat "$tmp/cases"; fail "policy test with a failing case exits $s, want 1"; }
grep -qF 'óc chó\x1b[2J\r\u202e allow' "$tmp/cases" || fail "policy test case text not shown visibly"
no_controls "$tmp/cases" || fail "a control character reached the policy test output"
echo "escape.sh: all passed"
