#!/usr/bin/env bash
# A rebalance in the middle of the stream: a second worker joins the group while the first is
# consuming (its batch in hand is dropped at the revoke and comes again), then leaves again with
# SIGTERM. No post lost, none stored twice, offsets at the end. Without a dead-letter topic the
# poison records (1 in 1,000) are logged, each at least once and none missed, and counted.
source "$(dirname "$0")/lib.bash"
N=30000
P=30
mock_start --topic posts:6 --posts $N --poison-every 1000
worker_start a --topic posts --group g --batch 1000
wait_items 4000 60
worker_start b --topic posts --group g --batch 1000
wait_items 12000 60
grep -q 'partitions revoked' "$tmp/a.log" || fail "worker a saw no rebalance"
grep -q 'assigned' "$tmp/b.log" || fail "worker b got no partitions"
worker_stop b
wait_items $((N - P)) 120
wait_committed g posts 60
worker_stop a
check_exactly_once $((N - P))
logged=$(grep -ho 'poison record posts\[[0-9]*\]@[0-9]*' "$tmp/a.log" "$tmp/b.log" | sort -u | wc -l)
[ "$logged" -eq $P ] || fail "$logged distinct poison records logged, expected $P"
counted=$(($(stat_of a poison_logged) + $(stat_of b poison_logged)))
[ "$counted" -ge $P ] || fail "poison_logged counters sum to $counted, expected at least $P"
grep -h 'poison record' "$tmp/a.log" "$tmp/b.log" | grep -q 'json at byte [0-9]' ||
    fail "a logged bad-JSON record without its byte"
[ "$(stat_of b stored)" -gt 0 ] || fail "worker b stored nothing"
echo "ok: a rebalance in and out; a stored $(stat_of a stored), b $(stat_of b stored); exists" \
    "a=$(stat_of a exists) b=$(stat_of b exists); $((N - P)) items exactly once, $P poison logged"
