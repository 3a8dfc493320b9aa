#!/usr/bin/env bash
# Golden test of `sangloc normalize`: views of a few texts, a bad line in the middle that gives
# an error object while the following lines are still processed, plain-text mode, exit codes.
# $1 = path of the sangloc binary.
set -u
bin=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # name expected-file actual-file
    if ! diff -u "$2" "$3"; then
        echo "FAIL: $1"
        fail=1
    fi
}

printf '%s\n' \
    '{"id":1,"text":"t thấy k đc"}' \
    '{"id":"a2","text":"Mn ơi, thằng đó n g u vãiiii"}' \
    '{"id":3,"text":"bad \u0000 nul"}' \
    'not json' \
    '{"text":"l0n ng@ đ.m 50 k"}' \
    '{"id":6,"text":"Vie\u0323\u0302t  Nam"}' >"$tmp/in.jsonl"
cat >"$tmp/want.jsonl" <<'WANT'
{"id":1,"text":"t thấy k đc","norm":"tôi thấy không được","fold":"toi thay khong duoc","standard":"tôi thấy không được"}
{"id":"a2","text":"Mn ơi, thằng đó n g u vãiiii","norm":"mọi người ơi, thằng đó ngu vãi","fold":"moi nguoi oi, thang do ngu vai","standard":"Mọi người ơi, thằng đó ngu vãi"}
{"id":3,"error":{"code":"nul_byte","message":"NUL character (\\u0000) at byte 20","line":3,"byte":20}}
{"error":{"code":"json","message":"malformed JSON near byte 0","line":4,"byte":0}}
{"text":"l0n ng@ đ.m 50 k","norm":"lon nga đm 50 k","fold":"lon nga dm 50 k","standard":"lon nga đm 50 k"}
{"id":6,"text":"Việt  Nam","norm":"việt nam","fold":"viet nam","standard":"Việt Nam"}
WANT
"$bin" normalize "$tmp/in.jsonl" >"$tmp/got.jsonl"
rc=$?
check "json lines" "$tmp/want.jsonl" "$tmp/got.jsonl"
[ "$rc" = 1 ] || { echo "FAIL: exit $rc with a bad line, want 1"; fail=1; }

# stdin, plain text, invalid UTF-8 in the middle
printf 'ko bik\n\xff\xfe\nKO\n' | "$bin" normalize --text >"$tmp/got2.jsonl"
rc=$?
grep -c '"norm"' "$tmp/got2.jsonl" | grep -qx 2 || { echo "FAIL: plain lines"; fail=1; }
grep -q '"code":"invalid_utf8"' "$tmp/got2.jsonl" || { echo "FAIL: invalid UTF-8 line"; fail=1; }
grep -q '"standard":"KHÔNG"' "$tmp/got2.jsonl" || { echo "FAIL: case of expansion"; fail=1; }
grep -q '^{"id":3,"text":"KO"' "$tmp/got2.jsonl" || { echo "FAIL: plain lines are numbered"; fail=1; }
[ "$rc" = 1 ] || { echo "FAIL: exit $rc for invalid UTF-8, want 1"; fail=1; }

# clean input exits 0; usage and unreadable files exit 2
echo '{"id":1,"text":"ok"}' | "$bin" normalize >/dev/null || { echo "FAIL: exit not 0"; fail=1; }
"$bin" normalize --bogus </dev/null >/dev/null 2>&1
[ $? = 2 ] || { echo "FAIL: unknown option must exit 2"; fail=1; }
"$bin" normalize "$tmp/missing.jsonl" >/dev/null 2>&1
[ $? = 2 ] || { echo "FAIL: missing file must exit 2"; fail=1; }
"$bin" normalize --help | grep -q 'usage: sangloc normalize' || { echo "FAIL: --help"; fail=1; }

[ $fail = 0 ] && echo "normalize golden test passed"
exit $fail
