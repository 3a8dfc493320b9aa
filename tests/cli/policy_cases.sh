#!/usr/bin/env bash
# The shipped default policy's own cases must all pass through the full engine with the shipped
# model: civil criticism of authorities allowed, insults of the same authorities flagged,
# personal data held, markings hidden. $1: the sangloc binary.
set -euo pipefail
bin=$1
"$bin" policy test policies/default.yaml
s=0; "$bin" policy test tests/fixtures/policies/broken_regex.yaml >/dev/null 2>&1 || s=$?
[ "$s" -eq 2 ] || { echo "FAIL: a broken policy should exit 2, got $s" >&2; exit 1; }
