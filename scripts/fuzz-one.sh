#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time on a scratch copy of its seed corpus, so the
# repository's seeds are never rewritten. Usage: fuzz-one.sh TARGET SECONDS SEED_DIR
set -euo pipefail
target=$1 seconds=$2 seeds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -d "$seeds" ]; then cp -r "$seeds"/. "$work"/; fi
exec "$target" -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 "$work"
