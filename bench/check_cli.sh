#!/usr/bin/env bash
# check_cli.sh — `sangloc check` as users run it (JSON lines in, verdicts out), one thread and
# -j 2, on real posts and comments, with peak memory. Baseline in the same run: `sangloc
# normalize` over the same input (reading, the text layer and writing, no detectors).
#
# usage: bench/check_cli.sh [SANGLOC_BINARY] [DATA_DIR]   (REPEAT=N repeats the input, default 10)
set -euo pipefail
bin=${1:-build/sangloc}
data=${2:-../shared/data}
repeat=${REPEAT:-10}
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for set in posts/dev vihsd/dev; do
    for _ in $(seq "$repeat"); do cat "$data/$set.jsonl"; done >"$work/in.jsonl"
    n=$(wc -l <"$work/in.jsonl")
    mb=$(du -m "$work/in.jsonl" | cut -f1)
    echo "== $set x $repeat: $n posts, ${mb} MB"
    printf '%-34s %9s %11s %13s\n' command seconds posts/s "max RSS (MB)"
    run() {
        local name=$1
        shift
        /usr/bin/time -f '%e %M' -o "$work/t" "$@" "$work/in.jsonl" >/dev/null 2>"$work/err" || true
        read -r s rss < <(tail -n 1 "$work/t") # time prefixes a line when the exit is non-zero
        printf '%-34s %9.2f %11.0f %13.1f\n' "$name" "$s" "$(echo "$n / $s" | bc -l)" \
            "$(echo "$rss / 1024" | bc -l)"
    }
    run "baseline: normalize" "$bin" normalize
    run "check (policy+model), 1 thread" "$bin" check --no-progress
    run "check (policy+model), -j 2" "$bin" check --no-progress -j 2
    run "check --no-model, 1 thread" "$bin" check --no-progress --no-model
done
