#!/usr/bin/env bash
# `sangloc pretrain` on a small corpus built here: the vector file is written and passes
# --check (every check of the format) with its inputs and licences, --nearest puts the word that
# shares all of kiwa's contexts first, .xz input reads the same texts, and a bad JSON line, a
# record without text or a text line that is not UTF-8 is reported with file:line and skipped
# while the run still succeeds.
# $1: the sangloc binary.
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$tmp/vihsd"
awk 'BEGIN {
    srand(7)
    split("bedo fani gosu hama jeku mivo", a, " "); split("tavo nixe roba suke wupa yelo", b, " ")
    for (i = 0; i < 2000; i++) {
        if (i % 2) { c = (rand() < 0.5 ? "zerd" : "qumi"); split("tavo nixe roba suke wupa yelo", x, " ") }
        else { c = (rand() < 0.5 ? "kiwa" : "lopu"); split("bedo fani gosu hama jeku mivo", x, " ") }
        printf "{\"text\": \"%s %s %s %s\\n== heading ==\\n%s %s\"}\n", x[int(rand()*6)+1], x[int(rand()*6)+1], c, x[int(rand()*6)+1], x[int(rand()*6)+1], c
        if (i == 10) print "{\"text\": \"broken"
        if (i == 20) print "{\"title\": \"no text\"}"
        if (i == 30) printf "{\"text\": \"ok\\nab\377\"}\n"
    }
}' >"$tmp/vihsd/train.jsonl"
opts=(--dim 16 --epochs 5 --min-count 2 --bucket-bits 10 --threads 1 --seed 3 --sample 0)
"$bin" pretrain --text "$tmp/vihsd/train.jsonl" "${opts[@]}" --source "Extra=CC0" \
    --nearest kiwa --nearest zerd -o "$tmp/v.slv" >"$tmp/out" 2>"$tmp/err" ||
    fail "pretrain failed: $(cat "$tmp/err")"
[ -s "$tmp/v.slv" ] || fail "no vector file"
grep -q "vihsd/train.jsonl:12: byte [0-9]*: malformed JSON, skipped" "$tmp/err" ||
    fail "bad JSON line not reported with file:line: $(cat "$tmp/err")"
grep -q "vihsd/train.jsonl:23: no \"text\" string, skipped" "$tmp/err" ||
    fail "record without text not reported: $(cat "$tmp/err")"
grep -q "vihsd/train.jsonl:34: byte 2 of a text line: .*, skipped" "$tmp/err" ||
    fail "invalid UTF-8 not reported: $(cat "$tmp/err")"
grep -q "2001 records, 4001 texts, 3 skipped" "$tmp/err" || fail "counts: $(cat "$tmp/err")"
first=$(sed -n 's/^nearest kiwa: \([^ ]*\) .*/\1/p' "$tmp/out")
[ "$first" = lopu ] || fail "nearest kiwa: '$first' first, not lopu: $(cat "$tmp/out")"
first=$(sed -n 's/^nearest zerd: \([^ ]*\) .*/\1/p' "$tmp/out")
[ "$first" = qumi ] || fail "nearest zerd: '$first' first, not qumi: $(cat "$tmp/out")"
"$bin" pretrain --check "$tmp/v.slv" >"$tmp/check" || fail "--check refused the file"
grep -q "^dim: 16, words: 16, n-gram rows: 1024" "$tmp/check" || fail "check: $(head -1 "$tmp/check")"
grep -q "^input: .*vihsd/train.jsonl (4001 texts, 12001 tokens)$" "$tmp/check" ||
    fail "check: no input line: $(cat "$tmp/check")"
grep -q "^source: ViHSD (research only)$" "$tmp/check" || fail "check: no ViHSD licence"
grep -q "^source: Extra (CC0)$" "$tmp/check" || fail "check: no --source licence"
grep -q "heading" "$tmp/check" && fail "heading lines were learned"

# the same text through xz: the same counts, and one thread gives the same vectors
xz -c "$tmp/vihsd/train.jsonl" >"$tmp/vihsd/train.jsonl.xz"
"$bin" pretrain --quiet --text "$tmp/vihsd/train.jsonl.xz" "${opts[@]}" --source "Extra=CC0" \
    -o "$tmp/x.slv" 2>"$tmp/err2" || fail "xz input: $(cat "$tmp/err2")"
grep -q "2001 records, 4001 texts, 3 skipped" "$tmp/err2" || fail "xz counts: $(cat "$tmp/err2")"
size=$(stat -c %s "$tmp/v.slv")
meta=$(grep -c '' "$tmp/check")
cmp -n 4096 <(tail -c +65 "$tmp/v.slv") <(tail -c +65 "$tmp/x.slv") || fail "xz: other vectors"

# damaged files are refused by --check; a truncated xz stream fails the run
head -c $((size - 10)) "$tmp/v.slv" >"$tmp/t.slv"
"$bin" pretrain --check "$tmp/t.slv" 2>"$tmp/err3" && fail "truncated file accepted"
grep -q "truncated" "$tmp/err3" || fail "truncated: $(cat "$tmp/err3")"
head -c 300 "$tmp/vihsd/train.jsonl.xz" >"$tmp/bad.jsonl.xz"
"$bin" pretrain --quiet --text "$tmp/bad.jsonl.xz" "${opts[@]}" -o "$tmp/b.slv" 2>"$tmp/err4" &&
    fail "truncated xz accepted"
grep -q "bad.jsonl.xz.*xz: truncated data" "$tmp/err4" || fail "truncated xz: $(cat "$tmp/err4")"
[ -e "$tmp/b.slv" ] && fail "a vector file was written after a read error"
# usage errors
"$bin" pretrain --text "$tmp/vihsd/train.jsonl" 2>/dev/null && fail "no -o accepted"
"$bin" pretrain --text x -o y --dim 0 2>/dev/null && fail "--dim 0 accepted"
[ "$meta" -gt 10 ] || fail "meta too short"
echo "pretrain: ok"
