#!/usr/bin/env bash
# fasttext_compare.sh — sangloc's model against Debian's fastText on the same ViHSD split, in the
# same run: training time, prediction throughput on the dev texts, peak memory, dev macro-F1.
#
# usage: bench/fasttext_compare.sh [SANGLOC_BINARY] [DATA_DIR] [MODEL]
#   defaults: build/sangloc, ../shared/data, models/default.slm; REPEAT=20 repeats the dev texts
#   so that model loading does not dominate the timing.
# fastText is trained as the brief's baseline: word bigrams + char 2..5-grams
#   (fasttext supervised -wordNgrams 2 -minn 2 -maxn 5).
# To compare another sangloc command (e.g. the whole `check` pipeline), add one line to
# the `contenders` list below: "name|command reading $dev_jsonl".
set -euo pipefail

sangloc=${1:-build/sangloc}
data=${2:-../shared/data}
model=${3:-models/default.slm}
repeat=${REPEAT:-20}

need() { command -v "$1" >/dev/null 2>&1 || { echo "installing $2" >&2; apt-get install -y "$2" >/dev/null; }; }
need fasttext fasttext
need jq jq
need bc bc
[ -x /usr/bin/time ] || apt-get install -y time >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# fastText wants "__label__X text" on one line.
to_ft() { jq -r '"__label__" + .label + " " + (.text | gsub("[\r\n\t]+"; " "))' "$1"; }
to_ft "$data/vihsd/train.jsonl" >"$work/train.txt"
dev_jsonl="$work/dev.jsonl"
for _ in $(seq "$repeat"); do cat "$data/vihsd/dev.jsonl"; done >"$dev_jsonl"
to_ft "$dev_jsonl" >"$work/dev.txt"
cut -d' ' -f2- "$work/dev.txt" >"$work/dev_text.txt"
n=$(wc -l <"$dev_jsonl")

# runs a command under /usr/bin/time -v; prints "seconds max_rss_kb"
measure() {
    # a non-zero exit is not a failure here: `sangloc check` exits 1 when it flags something
    /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || true
    local s rss
    s=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt" |
        awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    echo "$s $rss"
}

# macro-F1 of fastText's predictions against the gold labels (one label per line each)
ft_macro_f1() {
    paste -d' ' <(cut -d' ' -f1 "$work/dev.txt") "$work/out.txt" | awk '
        { gold[NR] = $1; pred[NR] = $2; labels[$1] = 1 }
        END {
            for (l in labels) {
                tp = fp = fn = 0
                for (i = 1; i <= NR; i++) {
                    if (pred[i] == l && gold[i] == l) tp++
                    else if (pred[i] == l) fp++
                    else if (gold[i] == l) fn++
                }
                p = tp + fp ? tp / (tp + fp) : 0; r = tp + fn ? tp / (tp + fn) : 0
                f += p + r ? 2 * p * r / (p + r) : 0; k++
            }
            printf "%.4f", f / k
        }'
}

echo "ViHSD: train $(wc -l <"$work/train.txt") texts; dev $n texts (dev repeated $repeat times)"
read -r ft_train_s ft_train_rss < <(measure fasttext supervised -input "$work/train.txt" \
    -output "$work/ft" -wordNgrams 2 -minn 2 -maxn 5 -thread 2 -verbose 0)
read -r ft_s ft_rss < <(measure fasttext predict "$work/ft.bin" "$work/dev_text.txt")
ft_f1=$(ft_macro_f1)

printf '\n%-28s %10s %12s %14s %10s\n' tool seconds texts/s "max RSS (MB)" macro-F1
printf '%-28s %10.2f %12s %14.1f %10s\n' "fasttext train" "$ft_train_s" - \
    "$(echo "$ft_train_rss / 1024" | bc -l)" -
printf '%-28s %10.2f %12.0f %14.1f %10s\n' "fasttext predict" "$ft_s" \
    "$(echo "$n / $ft_s" | bc -l)" "$(echo "$ft_rss / 1024" | bc -l)" "$ft_f1"

# Each contender: "name|command"; the command reads $dev_jsonl. One line per contender.
contenders=(
    "sangloc model (eval)|$sangloc eval --model $model --classify $dev_jsonl"
    "sangloc check (everything)|$sangloc check --no-progress --model $model $dev_jsonl"
    "sangloc check -j 2|$sangloc check --no-progress -j 2 --model $model $dev_jsonl"
)
for c in "${contenders[@]}"; do
    name=${c%%|*}
    read -r -a cmd <<<"${c#*|}"
    read -r s rss < <(measure "${cmd[@]}")
    f1=$(awk '/^classify.macro_f1:/ {print $2}' "$work/out.txt")
    printf '%-28s %10.2f %12.0f %14.1f %10s\n' "$name" "$s" "$(echo "$n / $s" | bc -l)" \
        "$(echo "$rss / 1024" | bc -l)" "${f1:--}"
done
echo
echo "(sangloc trains every head with 'sangloc train'; see docs/model.md for its time.)"
