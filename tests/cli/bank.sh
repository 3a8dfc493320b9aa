#!/usr/bin/env bash
# CLI test of `sangloc bank`: build the shipped example bank, add with bad lines (reported with
# their line numbers, the rest added), list, rm, stats, match, and a corrupt file rejected.
# Usage: bank.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
bank=$tmp/h.bank

"$bin" bank add --bank "$bank" --kind hoax banks/health-hoaxes.jsonl 2>"$tmp/err" || fail "add example"
[ "$("$bin" bank list --bank "$bank" | wc -l)" -eq 15 ] || fail "15 items listed"

printf '%s\n' \
  '{"id":"x1","text":"Ăn lá ổi non mỗi sáng sẽ chữa khỏi hoàn toàn bệnh tiểu đường type 2 chỉ sau một tuần"}' \
  '{"id":"x2","text":"quá ngắn"}' \
  'not json' \
  '{"text":"thiếu id nhưng đủ dài để được đăng ký vào ngân hàng nội dung"}' \
  '{"id":"hoax-5g","text":"Các trạm phát sóng 5G mới lắp đặt chính là thứ lây lan virus corona"}' \
  | "$bin" bank add --bank "$bank" --kind hoax 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] || fail "add with bad lines exits 1 (got $rc)"
grep -q -- '-:2: arg: text too short' "$tmp/err" || fail "short item reported on line 2: $(cat "$tmp/err")"
grep -q -- '-:3: json' "$tmp/err" || fail "bad JSON reported on line 3"
grep -q -- '-:4: missing_field' "$tmp/err" || fail "missing id reported on line 4"
grep -q -- '-:5: arg: id "hoax-5g" is already' "$tmp/err" || fail "duplicate id on line 5"
grep -q '1 item(s) added' "$tmp/err" || fail "one item added"
[ "$("$bin" bank list --bank "$bank" | wc -l)" -eq 16 ] || fail "16 items after add"

"$bin" bank rm --bank "$bank" x1 hoax-garlic 2>/dev/null || fail "rm"
"$bin" bank list --bank "$bank" | grep -q '"id":"hoax-garlic"' && fail "removed item listed"
"$bin" bank stats --bank "$bank" | grep -q '"live":14' || fail "stats live 14"
"$bin" bank compact --bank "$bank" || fail "compact"
"$bin" bank stats --bank "$bank" | grep -q '"log_records":0' || fail "no log after compact"

out=$(printf '%s\n' \
  '{"id":"p1","text":"Mọi người ơi!! uong nhieu nuoc nong hoac tam nuoc that nong se giet chet virus corona trong co the vi virus k chiu dc nhiet do cao"}' \
  '{"id":"p2","text":"Mọi người cẩn thận nhé"}' \
  | "$bin" bank match --bank "$bank")
echo "$out" | grep -q '"id":"p1","matches":\[{"id":"hoax-hot-water"' || fail "p1 matches: $out"
echo "$out" | grep -q '"id":"p2","matches":\[\]' || fail "p2 matches nothing: $out"

printf 'SLBANK\r\nbroken' >"$tmp/bad.bank"
"$bin" bank list --bank "$tmp/bad.bank" 2>"$tmp/err"
[ $? -eq 2 ] || fail "corrupt bank exits 2"
grep -q 'corrupt' "$tmp/err" || fail "corrupt bank message"
echo "bank.sh: 1 passed, 0 failed"
