#!/usr/bin/env bash
# The command line as a newcomer meets it: --help/-h on every subcommand prints its usage on
# stdout and exits 0; an unknown option exits 2 with the usage on stderr; every numeric option
# takes only a whole number in its range ("sangloc CMD: OPT: 'TEXT' is not a number between
# MIN and MAX", exit 2); --color takes always|never|auto; NO_COLOR is honoured; errors name the
# file once, as "sangloc CMD: PATH: message". $1: the sangloc binary.
set -u
bin=$1
policy=tests/fixtures/engine/policy.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
bad() { echo "FAIL: $*"; failed=1; }

# run CMD... : sets rc, out, err
run() {
    rc=0
    "$@" </dev/null >"$tmp/out" 2>"$tmp/err" || rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}

# --- help and unknown options, every subcommand ----------------------------------------------
for sub in "check" "normalize" "bank" "bank add" "bank list" "policy" "policy check" \
    "policy test" "model" "model info" "eval" "train" "token" "token create" "token list" \
    "help" "version"; do
    for h in --help -h; do
        run "$bin" $sub $h
        [ "$rc" = 0 ] || bad "'$sub $h' exits $rc, want 0"
        [[ "$out" == usage:\ sangloc* ]] || bad "'$sub $h' prints no usage on stdout"
        [ -z "$err" ] || bad "'$sub $h' writes to stderr: $err"
    done
    run "$bin" $sub --no-such-option
    [ "$rc" = 2 ] || bad "'$sub --no-such-option' exits $rc, want 2"
    [ -z "$out" ] || bad "'$sub --no-such-option' writes to stdout"
    grep -q "^sangloc ${sub}: unknown option '--no-such-option'" "$tmp/err" ||
        bad "'$sub --no-such-option': message is '$(head -1 "$tmp/err")'"
    grep -q "^usage: sangloc" "$tmp/err" || bad "'$sub --no-such-option' shows no usage"
done

# help COMMAND is COMMAND --help; help, --help and -V at the top
run "$bin" help check
[ "$rc" = 0 ] && [ "$out" = "$("$bin" check --help)" ] || bad "'help check' differs from 'check --help'"
run "$bin" help frobnicate
[ "$rc" = 2 ] && [[ "$err" == "sangloc help: unknown command 'frobnicate'"* ]] || bad "help of an unknown command"
run "$bin" frobnicate
[ "$rc" = 2 ] && [[ "$err" == "sangloc: unknown command 'frobnicate'"* ]] || bad "unknown command: $err"
run "$bin"
[ "$rc" = 2 ] && [[ "$err" == usage:* ]] || bad "no command should exit 2 with the usage"
for v in --version -V version; do
    run "$bin" $v
    [ "$rc" = 0 ] && [[ "$out" =~ ^sangloc\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || bad "'$v' prints '$out'"
done
# train --help names every option train accepts
for o in --classify --dev --spans --spans-dev --constructive --constructive-dev --output \
    --source --epochs --runs --folds --lr --class-power --cls-class-power --label-smoothing \
    --other-weight --cls-bits --span-bits --seed --no-augment --no-ctsd-clean --quiet; do
    "$bin" train --help | grep -q -- "$o " || bad "train --help omits $o"
done

# --- numbers ----------------------------------------------------------------------------------
# numeric OPT MIN MAX SUB ARGS... : every malformed or out-of-range value of OPT is refused by
# `sangloc SUB ARGS... OPT VALUE`, with the message naming SUB and OPT
numeric() {
    local opt=$1 min=$2 max=$3 sub=$4
    shift 4
    for v in abc "" -1 " 5" 5x +5 1e400 99999999999999999999999 nan inf; do
        run "$bin" $sub "$@" "$opt" "$v"
        [ "$rc" = 2 ] || bad "$sub $opt '$v' exits $rc, want 2"
        [ "$err" = "sangloc $sub: $opt: '$v' is not a number between $min and $max" ] ||
            bad "$sub $opt '$v': message '$err'"
    done
}
numeric --max-bytes 1 16777216 check --policy "$policy" --no-model
numeric --jobs 1 64 check --policy "$policy" --no-model
numeric --min-similarity 0 1 "bank match" --bank "$tmp/none.bank"
numeric --epochs 1 1000 train -o "$tmp/m.slm" --classify "$tmp/none.jsonl"
numeric --runs 1 100 train -o "$tmp/m.slm" --classify "$tmp/none.jsonl"
numeric --folds 1 10 train -o "$tmp/m.slm" --classify "$tmp/none.jsonl"
numeric --cls-bits 10 24 train -o "$tmp/m.slm" --classify "$tmp/none.jsonl"
numeric --span-bits 10 24 train -o "$tmp/m.slm" --classify "$tmp/none.jsonl"
numeric --seed 0 18446744073709551615 train -o "$tmp/m.slm" --classify "$tmp/none.jsonl"
numeric --lr 1e-06 10 train -o "$tmp/m.slm" --classify "$tmp/none.jsonl"
numeric --class-power 0 4 train -o "$tmp/m.slm" --classify "$tmp/none.jsonl"
numeric --cls-class-power 0 4 train -o "$tmp/m.slm" --classify "$tmp/none.jsonl"
numeric --other-weight 0 10 train -o "$tmp/m.slm" --classify "$tmp/none.jsonl"
# label smoothing takes negative values (none) but nothing below -1
for v in abc -2 0.6; do
    run "$bin" train -o "$tmp/m.slm" --classify "$tmp/none.jsonl" --label-smoothing "$v"
    [ "$rc" = 2 ] || bad "train --label-smoothing '$v' exits $rc"
done
# values in range are taken: the limit applies (a 300-byte post above --max-bytes 100)
printf '{"id":1,"text":"%s"}\n' "$(head -c 300 /dev/zero | tr '\0' a)" >"$tmp/big.jsonl"
run "$bin" check --policy "$policy" --no-model --max-bytes 100 -j 2 "$tmp/big.jsonl"
[[ "$out" == *'"code":"too_large"'* ]] || bad "--max-bytes 100 not applied: $out"
run "$bin" check --policy "$policy" --no-model --max-bytes 16777216 "$tmp/big.jsonl"
[ "$rc" = 0 ] || bad "--max-bytes 16777216 refused: $err"

# --- colour -----------------------------------------------------------------------------------
printf '{"id":1,"text":"óc chó"}\n' >"$tmp/one.jsonl"
for v in bogus "" yes; do
    run "$bin" check --policy "$policy" --no-model --explain --color "$v" "$tmp/one.jsonl"
    [ "$rc" = 2 ] && [ "$err" = "sangloc check: --color: '$v' is not one of always, never, auto" ] ||
        bad "--color '$v': exit $rc, '$err'"
done
explain() { "$bin" check --policy "$policy" --no-model --explain "$@" "$tmp/one.jsonl" || true; }
explain --color always | grep -q $'\x1b\\[' || bad "--color always gives no colour"
NO_COLOR=1 explain --color always | grep -q $'\x1b\\[' || bad "--color always must beat NO_COLOR"
explain --color never | grep -q $'\x1b' && bad "--color never gives colour"
if command -v script >/dev/null; then # a terminal, for --color auto
    cmd="$bin check --policy $policy --no-model --explain $tmp/one.jsonl"
    script -qc "$cmd" /dev/null | grep -q $'\x1b\\[' || bad "auto on a terminal gives no colour"
    NO_COLOR=1 script -qc "$cmd" /dev/null | grep -q $'\x1b' && bad "NO_COLOR=1 still colours"
    NO_COLOR= script -qc "$cmd" /dev/null | grep -q $'\x1b\\[' || bad "empty NO_COLOR must not count"
    NO_COLOR=1 script -qc "$cmd --color auto" /dev/null | grep -q $'\x1b' &&
        bad "NO_COLOR=1 with --color auto still colours"
else
    echo "options.sh: no 'script' here: --color auto on a terminal not tried"
fi

# --- one shape of error message: sangloc CMD: PATH: message, the path once --------------------
nf=/nonexistent/x
shape() { # CMD-WORDS PATH : the first stderr line starts with the prefix and names PATH once
    local prefix="sangloc $1: $2: " line
    line=$(head -1 "$tmp/err")
    [[ "$line" == "$prefix"* ]] || bad "'$1' error is '$line', want '$prefix...'"
    [ "$(grep -o -F "$2" <<<"$line" | wc -l)" = 1 ] || bad "'$1' error repeats the path: $line"
}
run "$bin" check --policy $nf.yaml
[ "$rc" = 2 ] && shape check $nf.yaml
run "$bin" check --policy "$policy" --model $nf.slm
[ "$rc" = 2 ] && shape check $nf.slm
run "$bin" check --policy "$policy" --no-model --bank $nf.bank
[ "$rc" = 2 ] && shape check $nf.bank
run "$bin" check --policy tests/fixtures/policies/broken_regex.yaml --no-model
[ "$rc" = 2 ] && shape check tests/fixtures/policies/broken_regex.yaml:15
run "$bin" model info $nf.slm
[ "$rc" = 1 ] && shape "model info" $nf.slm
run "$bin" policy test --no-model $nf.yaml
[ "$rc" = 2 ] && shape "policy test" $nf.yaml
run "$bin" eval --model $nf.slm --classify "$tmp/one.jsonl"
[ "$rc" = 1 ] && shape eval $nf.slm
run "$bin" bank list --bank $nf.bank
[ "$rc" = 2 ] && shape bank $nf.bank
run "$bin" policy check $nf.yaml
[ "$rc" = 1 ] && [ "$out" = "$nf.yaml: cannot open: No such file or directory" ] ||
    bad "policy check of a missing file: '$out'"

[ "$failed" = 0 ] && echo "options.sh: all passed"
exit "$failed"
