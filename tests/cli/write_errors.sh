#!/usr/bin/env bash
# A failed write is an error: every subcommand whose output goes to a full device (/dev/full)
# says so on stderr ("sangloc CMD: standard output: write error: ...") and exits 2, instead of
# exiting 0 or 1 as if its output had been written. $1: the sangloc binary.
set -uo pipefail
bin=$1
policy=tests/fixtures/engine/policy.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
[ -w /dev/full ] || { echo "write_errors.sh: no /dev/full here, skipped"; exit 0; }

# full NAME CMD... : the command, stdout to /dev/full, must exit 2 with the message
full() {
    local name=$1
    shift
    local rc=0
    "$@" >/dev/full 2>"$tmp/err" || rc=$?
    if [ "$rc" != 2 ]; then
        echo "FAIL: $name: exit $rc with stdout on /dev/full, want 2"
        failed=1
    elif ! grep -q "^sangloc[ :].*standard output: write error" "$tmp/err"; then
        echo "FAIL: $name: no write error message:"
        cat "$tmp/err"
        failed=1
    fi
    # the same command to a working output must not report a write error
    "$@" >/dev/null 2>"$tmp/err2" || true
    if grep -q "write error" "$tmp/err2"; then
        echo "FAIL: $name: write error reported with a working output"
        failed=1
    fi
}

printf '{"id":"a","label":"clean","text":"Cảm ơn bạn"}\n{"id":"b","label":"offensive","text":"óc chó"}\n' \
    >"$tmp/posts.jsonl"
printf '{"id":"h1","text":"Uống nước chanh pha soda buổi sáng chữa khỏi ung thư giai đoạn cuối"}\n' \
    >"$tmp/items.jsonl"
"$bin" bank add --bank "$tmp/b.bank" --kind hoax "$tmp/items.jsonl" 2>/dev/null ||
    { echo "FAIL: could not build the test bank"; exit 1; }

full "check" "$bin" check --policy "$policy" --no-model --no-progress "$tmp/posts.jsonl"
full "check -j 2" "$bin" check --policy "$policy" --no-model -j 2 "$tmp/posts.jsonl"
full "check --explain" "$bin" check --policy "$policy" --no-model --explain "$tmp/posts.jsonl"
full "check --help" "$bin" check --help
full "normalize" "$bin" normalize "$tmp/posts.jsonl"
full "normalize --help" "$bin" normalize --help
full "bank list" "$bin" bank list --bank "$tmp/b.bank"
full "bank stats" "$bin" bank stats --bank "$tmp/b.bank"
full "bank match" "$bin" bank match --bank "$tmp/b.bank" "$tmp/items.jsonl"
full "bank --help" "$bin" bank --help
full "policy check (problems on stdout)" "$bin" policy check tests/fixtures/policies/unknown_key.yaml
full "policy test -v" "$bin" policy test --no-model -v policies/default.yaml
full "policy --help" "$bin" policy --help
full "model info" "$bin" model info models/default.slm
full "model --help" "$bin" model --help
full "eval" "$bin" eval --classify "$tmp/posts.jsonl"
full "eval --help" "$bin" eval --help
full "train --help" "$bin" train --help
full "help" "$bin" help
full "help check" "$bin" help check
full "--help" "$bin" --help
full "--version" "$bin" --version
full "version" "$bin" version

# a long run stops at the failed write and names its reason (not only at the final flush)
for i in $(seq 1 3000); do echo "{\"id\":$i,\"text\":\"óc chó\"}"; done >"$tmp/many.jsonl"
for j in 1 2; do
    rc=0
    "$bin" check --policy "$policy" --no-model -j $j "$tmp/many.jsonl" >/dev/full 2>"$tmp/err" || rc=$?
    [ "$rc" = 2 ] && grep -q "write error: No space left on device" "$tmp/err" &&
        ! grep -q "out of memory" "$tmp/err" ||
        { echo "FAIL: long check -j $j on /dev/full:"; cat "$tmp/err"; failed=1; }
done

# a subcommand that failed for another reason keeps its own status and message
rc=0
"$bin" check --policy /nonexistent.yaml </dev/null >/dev/full 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q "nonexistent.yaml" "$tmp/err" || { echo "FAIL: missing policy"; failed=1; }

[ "$failed" = 0 ] && echo "write_errors.sh: all passed"
exit "$failed"
