#!/usr/bin/env bash
# The main job on the embedded defaults: installs what is missing, builds, then screens the
# example comments with the shipped default policy, model and example bank, as an author or a
# moderator would see it (--explain), then as JSON verdicts.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
bank_args=()
if [ -f banks/health-hoaxes.jsonl ]; then
    rm -f build/health-hoaxes.bank
    build/sangloc bank add --bank build/health-hoaxes.bank --kind hoax banks/health-hoaxes.jsonl >/dev/null
    bank_args=(--bank build/health-hoaxes.bank)
fi
status=0
build/sangloc check --explain "${bank_args[@]}" examples/comments.jsonl || status=$?
echo
build/sangloc check "${bank_args[@]}" examples/comments.jsonl || status=$?
# exit 1 means "something was flagged", which is what the examples are for
[ "$status" -le 1 ]
