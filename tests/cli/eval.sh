#!/usr/bin/env bash
# `sangloc eval` scores the verdict fields a user sees: its confusion matrix equals the one built
# from the `label` of `sangloc check` on the same texts, and its toxic macro-F1 the one built from
# the verdicts' `toxic` > 0.5. $1: the sangloc binary (default policy and shipped model).
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cat >"$tmp/classify.jsonl" <<'END'
{"text": "Cảm ơn anh chị đã phản hồi", "label": "clean"}
{"text": "đ.m bọn này ngu vl, làm ăn như c*t", "label": "offensive"}
{"text": "bọn parky cút về quê", "label": "hate"}
{"text": "Đề nghị UBND tỉnh giải thích rõ vì sao dự án chậm tiến độ", "label": "clean"}
{"text": "thằng này óc chó thật", "label": "hate"}
{"text": "bọn công an toàn lũ sâu bọ, chết hết đi", "label": "hate"}
{"text": "Uống lon bia cho mát rồi về", "label": "hate"}
END
"$bin" eval --classify "$tmp/classify.jsonl" >"$tmp/eval" || fail "eval exit status $?"
"$bin" check --no-progress "$tmp/classify.jsonl" >"$tmp/check" || true
paste <(grep -o '"label": "[a-z]*"' "$tmp/classify.jsonl" | cut -d'"' -f4) \
    <(grep -o '"label":"[a-z]*"' "$tmp/check" | cut -d'"' -f4) |
    awk -F'\t' 'BEGIN { split("clean offensive hate", n, " ") }
        { c[$1 "," $2]++ }
        END { for (g = 1; g <= 3; g++)
                  printf "classify.confusion.%s: %d %d %d\n", n[g], c[n[g] ",clean"],
                         c[n[g] ",offensive"], c[n[g] ",hate"] }' >"$tmp/want"
grep '^classify.confusion' "$tmp/eval" >"$tmp/got"
diff -u "$tmp/want" "$tmp/got" || fail "eval's confusion differs from check's labels"
grep -q '^classify.n: 7$' "$tmp/eval" || fail "classify.n"

cat >"$tmp/ctsd.jsonl" <<'END'
{"text": "Bài viết rất hay, cảm ơn tác giả", "toxic": 0, "constructive": 1, "topic": "ThoiSu"}
{"text": "đ.m bọn này ngu vl, làm ăn như c*t", "toxic": 1, "constructive": 0, "topic": "ThoiSu"}
{"text": "Chính sách này chưa hợp lý, cần lấy ý kiến người dân", "toxic": 0, "constructive": 1, "topic": "PhapLuat"}
{"text": "mấy ông cán bộ óc chó", "toxic": 1, "constructive": 0, "topic": "TheGioi"}
{"text": "Hay quá", "toxic": 1, "constructive": 0, "topic": "TheGioi"}
END
"$bin" eval --ctsd "$tmp/ctsd.jsonl" >"$tmp/eval" || fail "eval --ctsd exit status $?"
"$bin" check --no-progress "$tmp/ctsd.jsonl" >"$tmp/check" || true
want=$(paste <(grep -o '"toxic": [01]' "$tmp/ctsd.jsonl" | cut -d' ' -f2) \
    <(grep -o '"toxic":[0-9.e-]*' "$tmp/check" | cut -d: -f2) |
    awk '{ c[$1 * 2 + ($2 > 0.5)]++ }
        function f1(tp, fp, fn,   p, r) { p = tp + fp ? tp / (tp + fp) : 0; r = tp + fn ? tp / (tp + fn) : 0
                                          return p + r ? 2 * p * r / (p + r) : 0 }
        END { printf "%.4f", (f1(c[0], c[2], c[1]) + f1(c[3], c[1], c[2])) / 2 }')
grep -q "^ctsd.toxic_macro_f1: $want\$" "$tmp/eval" ||
    fail "eval's toxic macro-F1 is not the verdicts' ($want): $(grep toxic_macro "$tmp/eval")"
grep -q '^neutrality.civil_constructive_law_news: 2$' "$tmp/eval" || fail "neutrality count"

# spans: the verdict's (tagger + lexicons) and the tagger's alone are both reported
printf '{"text": "đ.m thằng ngu", "spans": [[0, 4], [5, 16]]}\n' >"$tmp/spans.jsonl"
"$bin" eval --spans "$tmp/spans.jsonl" >"$tmp/eval" || fail "eval --spans exit status $?"
grep -q '^spans.f1: [01]\.[0-9]*$' "$tmp/eval" || fail "spans.f1"
grep -q '^spans.tagger_f1: [01]\.[0-9]*$' "$tmp/eval" || fail "spans.tagger_f1"
grep -q '^spans.char_macro_f1: [01]\.[0-9]*$' "$tmp/eval" || fail "spans.char_macro_f1"
grep -q '^spans.tagger_char_macro_f1: [01]\.[0-9]*$' "$tmp/eval" || fail "spans.tagger_char_macro_f1"

# usage errors exit 2; a missing model exits 1 with its path
s=0; "$bin" eval >/dev/null 2>&1 || s=$?
[ "$s" -eq 2 ] || fail "eval without data should exit 2, got $s"
s=0; "$bin" eval --model "$tmp/none.slm" --classify "$tmp/classify.jsonl" 2>"$tmp/err" >/dev/null || s=$?
[ "$s" -eq 1 ] || fail "missing model should exit 1, got $s"
grep -q "none.slm" "$tmp/err" || fail "the error names the model file"
echo "eval: ok"
