#!/usr/bin/env bash
# Exactly one stored verdict per post when a worker is killed: 100,000 posts (1 in 1,000
# poison) on 6 partitions, two workers of one group; SIGKILL one in the middle and restart it.
# Afterwards every post has exactly one item with a verdict, the group's offsets reach the
# topic's end, and every poison record is in the dead-letter topic (at least once: counted by
# its original partition and offset).
source "$(dirname "$0")/lib.bash"
N=100000
P=100
mock_start --topic posts:6 --topic dead:2 --posts $N --poison-every 1000
grep -q "^produced $N poison $P\$" "$tmp/mock.out" || fail "mock: $(cat "$tmp/mock.out")"
common=(--topic posts --group g --dead-letter-topic dead --batch 500)
worker_start a "${common[@]}"
worker_start b "${common[@]}"
wait_items 30000 120
worker_kill a
killed_at=$(items_count)
echo "killed worker a at $killed_at items"
worker_start a "${common[@]}"
wait_items $((N - P)) 420 # PostgreSQL here: ~3 min
wait_committed g posts 60
worker_stop a
worker_stop b
check_exactly_once $((N - P))
mock dlq dead >"$tmp/dlq"
distinct=$(grep '^dlq ' "$tmp/dlq" | awk '{print $4}' | sort -u | wc -l)
[ "$distinct" -eq $P ] || fail "dead letters: $distinct distinct records, expected $P"
grep '^dlq ' "$tmp/dlq" | awk '$2 == "-" || $4 ~ /-/ {bad++} END {exit bad > 0}' ||
    fail "a dead letter without its error or origin: $(grep -m3 -- ' - \|-$' "$tmp/dlq")"
# each kind of poison is named: bad JSON (with its byte), a missing field, a too long id
for e in json missing_field too_large; do
    grep -q "^dlq $e " "$tmp/dlq" || fail "no dead letter of kind $e"
done
grep -q '^dlq json [0-9]' "$tmp/dlq" || fail "a bad-JSON dead letter without its byte"
# nothing was stored twice: the restarted worker found the killed one's uncommitted batch
total_stored=$(($(stat_of a stored) + $(stat_of b stored)))
echo "stored by the last runs: $total_stored; exists: a=$(stat_of a exists) b=$(stat_of b exists)"
echo "ok: $N posts, $((N - P)) items exactly once, $P poison dead-lettered"
