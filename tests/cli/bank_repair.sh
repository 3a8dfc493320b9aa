#!/usr/bin/env bash
# CLI test of bank recovery and of files that are not regular files:
# a torn last log record is skipped by readers and cut by `bank repair` (every whole record
# kept) and by the next edit; damage followed by a whole record stays an error with its byte;
# a 0-byte bank is named as an interrupted create; stale temporary files of dead writers are
# removed; compaction keeps a symlink; a FIFO given as bank, policy, lexicon or model is refused
# at once (each command runs under `timeout`, so a hang fails instead of blocking).
# Usage: bank_repair.sh SANGLOC DATA_DIR (run from the repository root).
set -u
[ -n "${DEBUG:-}" ] && set -x
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
t() { timeout 10 "$@"; }
bank=$tmp/h.bank
item() { printf '{"id":"%s","text":"Mot hai ba bon nam sau bay tam chin muoi muoi mot muoi hai %s"}\n' "$1" "$1"; }

t "$bin" bank add --bank "$bank" --kind hoax banks/health-hoaxes.jsonl 2>/dev/null || fail "add example"
base=$(stat -c %s "$bank")
item x1 | t "$bin" bank add --bank "$bank" --kind hoax 2>/dev/null || fail "add x1"
whole=$(stat -c %s "$bank")
item x2 | t "$bin" bank add --bank "$bank" --kind hoax 2>/dev/null || fail "add x2"
full=$(stat -c %s "$bank")

# torn last record: the file cut 10 bytes short of the end
truncate -s $((full - 10)) "$bank"
n=$(t "$bin" bank list --bank "$bank" | wc -l)
[ "$n" -eq 16 ] || fail "torn tail skipped, 16 items listed (got $n)"
out=$(t "$bin" bank repair --bank "$bank") || fail "repair exit status"
echo "$out" | grep -q "cut a torn last record of $((full - 10 - whole)) byte(s) at byte $whole; 1 whole log record(s) kept" \
  || fail "repair says what it cut: $out"
[ "$(stat -c %s "$bank")" -eq "$whole" ] || fail "repaired file ends at the last whole record"
t "$bin" bank repair --bank "$bank" | grep -q "nothing to cut" || fail "second repair: nothing to cut"

# torn tail dropped by the next edit too
item x2 | t "$bin" bank add --bank "$bank" --kind hoax 2>/dev/null || fail "re-add x2"
truncate -s $(($(stat -c %s "$bank") - 3)) "$bank"
item x3 | t "$bin" bank add --bank "$bank" --kind hoax 2>/dev/null || fail "add over a torn tail"
n=$(t "$bin" bank list --bank "$bank" | wc -l)
[ "$n" -eq 17 ] || fail "x2 torn away, x3 added: 17 items (got $n)"
t "$bin" bank list --bank "$bank" | grep -q '"id":"x3"' || fail "x3 listed"

# damage in the first log record (x1; x3 follows): an error with the byte, not a cut
cp "$bank" "$tmp/mid.bank"
printf 'X' | dd of="$tmp/mid.bank" bs=1 seek=$((base + 30)) conv=notrunc 2>/dev/null
t "$bin" bank list --bank "$tmp/mid.bank" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "middle damage exits 2"
grep -q "log record at byte $base:" "$tmp/err" || fail "middle damage names its byte: $(cat "$tmp/err")"
t "$bin" bank repair --bank "$tmp/mid.bank" >/dev/null 2>&1 && fail "repair refuses middle damage"
cmp -s "$bank" "$tmp/mid.bank" && fail "test setup: file not damaged"

# a 0-byte bank and a stale temporary file of a dead writer (an interrupted create)
: >"$tmp/empty.bank"
bash -c 'exit 0' & dead=$!
wait $dead
printf 'partial' >"$tmp/empty.bank.sltmp.$dead.AbC123"
t "$bin" bank list --bank "$tmp/empty.bank" 2>"$tmp/err"
[ $? -eq 2 ] || fail "empty bank exits 2"
grep -q "empty file, not a bank (interrupted create?)" "$tmp/err" || fail "empty bank message: $(cat "$tmp/err")"
t "$bin" bank repair --bank "$tmp/empty.bank" >/dev/null 2>"$tmp/err"
grep -q "1 temporary file(s) of interrupted writes removed" "$tmp/err" || fail "stale temp removed: $(cat "$tmp/err")"
[ -e "$tmp/empty.bank.sltmp.$dead.AbC123" ] && fail "stale temp still there"
item y1 | t "$bin" bank add --bank "$tmp/empty.bank" --kind spam 2>/dev/null || fail "add to an empty file"
[ "$(t "$bin" bank list --bank "$tmp/empty.bank" | wc -l)" -eq 1 ] || fail "empty file became a bank"

# compaction replaces the file a symlink points to and keeps the link
mkdir "$tmp/real"
cp "$bank" "$tmp/real/target.bank"
ln -s real/target.bank "$tmp/link.bank"
t "$bin" bank compact --bank "$tmp/link.bank" || fail "compact through a symlink"
[ -L "$tmp/link.bank" ] || fail "symlink kept after compact"
t "$bin" bank stats --bank "$tmp/real/target.bank" | grep -q '"log_records":0' || fail "target compacted"
[ "$(ls "$tmp/real" | wc -l)" -eq 1 ] || fail "no temporary file left: $(ls "$tmp/real")"

# a FIFO (or a folder) in place of a bank, policy, lexicon or model: refused at once, path named
mkfifo "$tmp/fifo"
for args in "bank list --bank $tmp/fifo" "bank add --bank $tmp/fifo --kind spam /dev/null" \
            "model info $tmp/fifo" "policy check $tmp/fifo" "bank list --bank $tmp"; do
  # shellcheck disable=SC2086
  timeout 5 "$bin" $args </dev/null >"$tmp/err" 2>&1
  rc=$?
  [ $rc -eq 124 ] && fail "$args hangs"
  [ $rc -ne 0 ] || fail "$args accepted"
  grep -q "not a regular file" "$tmp/err" || fail "$args: message $(cat "$tmp/err")"
done
mkdir "$tmp/pol"
sed "s#lexicons/profanity.txt#$tmp/fifo#" policies/default.yaml >"$tmp/pol/p.yaml"
grep -q "$tmp/fifo" "$tmp/pol/p.yaml" || fail "test setup: lexicon not replaced"
timeout 5 "$bin" policy check "$tmp/pol/p.yaml" >"$tmp/err" 2>&1
[ $? -eq 124 ] && fail "FIFO lexicon hangs"
grep -q "fifo: not a regular file (a FIFO)" "$tmp/err" || fail "FIFO lexicon message: $(cat "$tmp/err")"
echo "bank_repair.sh: 1 passed, 0 failed"
