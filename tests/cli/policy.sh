#!/usr/bin/env bash
# Golden test of `sangloc policy check`: the shipped default policy is clean (exit 0); broken
# policies print FILE:LINE: message for each problem and exit 1; bad usage exits 2.
# $1 = path of the sangloc binary. Run from the repository root.
set -u
bin=$1
fail=0
fx=tests/fixtures/policies
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect() { # name want-exit want-stdout-file command...
    local name=$1 want_rc=$2 want_out=$3
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" != "$want_rc" ]; then
        echo "FAIL: $name: exit $rc, want $want_rc"
        cat "$tmp/out" "$tmp/err"
        fail=1
    fi
    if [ -n "$want_out" ] && ! diff -u "$want_out" "$tmp/out"; then
        echo "FAIL: $name: output differs"
        fail=1
    fi
}

: >"$tmp/empty"
expect "default policy is clean" 0 "$tmp/empty" "$bin" policy check policies/default.yaml
expect "good fixture is clean" 0 "$tmp/empty" "$bin" policy check $fx/good.yaml

cat >"$tmp/want" <<WANT
$fx/broken_regex.yaml:15: regex does not compile: Missing close parenthesis for group started at index 0.
WANT
expect "broken regex names its line" 1 "$tmp/want" "$bin" policy check $fx/broken_regex.yaml

cat >"$tmp/want" <<WANT
$fx/unknown_key.yaml:11: unknown key 'colour' in a rule
WANT
expect "unknown key" 1 "$tmp/want" "$bin" policy check $fx/unknown_key.yaml

cat >"$tmp/want" <<WANT
$fx/duplicate_id.yaml:11: duplicate rule id 'same'
WANT
expect "duplicate id" 1 "$tmp/want" "$bin" policy check $fx/duplicate_id.yaml

cat >"$tmp/want" <<WANT
$fx/syntax_error.yaml:5: YAML syntax error at column 1: found unexpected end of stream
WANT
expect "yaml syntax error" 1 "$tmp/want" "$bin" policy check $fx/syntax_error.yaml

# every problem of a file is listed, one per line, each with its line number
expect "all problems listed" 1 "" "$bin" policy check $fx/many_problems.yaml
n=$(grep -c "^$fx/many_problems.yaml:[0-9][0-9]*: " "$tmp/out")
if [ "$n" != 13 ]; then
    echo "FAIL: many_problems: $n problems listed, want 13"
    cat "$tmp/out"
    fail=1
fi
grep -q "many_problems.yaml:21: lexicons/bad.txt:3: empty term" "$tmp/out" ||
    { echo "FAIL: lexicon line not named"; fail=1; }

# several files: exit 1 if any has problems
expect "mixed files" 1 "" "$bin" policy check policies/default.yaml $fx/duplicate_id.yaml
expect "missing file" 1 "" "$bin" policy check "$tmp/nope.yaml"
expect "no file" 2 "" "$bin" policy check
expect "unknown action" 2 "" "$bin" policy frobnicate
exit $fail
