#!/usr/bin/env bash
# A rebalance in the middle of the stream: a second worker joins the group while the first is
# consuming (its batch in hand is dropped at the revoke and comes again), then leaves again with
# SIGTERM. No post lost, none stored twice, offsets at the end. Without a dead-letter topic the
# poison records (1 in 1,000) are logged, each at least once and none missed, and counted.
source "$(dirname "$0")/lib.bash"
N=60000
P=60
mock_start --topic posts:6 --posts $N --poison-every 1000
worker_start a --topic posts --group g --batch 1000
wait_items 2000 60
worker_start b --topic posts --group g --batch 1000
# b joins while a is consuming (a bounded wait: the group's join takes a few seconds)
for _ in $(seq 1 600); do grep -q 'assigned' "$tmp/b.log" && break; sleep 0.1; done
grep -q 'assigned' "$tmp/b.log" || fail "worker b got no partitions"
grep -q 'partitions revoked' "$tmp/a.log" || fail "worker a saw no rebalance"
[ "$(items_count)" -lt $((N - P)) ] || fail "the stream ended before the rebalance (nothing to test)"
# b works its partitions a while (its progress lines: every --log-seconds), then leaves
for _ in $(seq 1 600); do [ "$(stat_of b stored)" -gt 0 ] && break; sleep 0.1; done
worker_stop b
wait_items $((N - P)) 120
wait_committed g posts 60
worker_stop a
check_exactly_once $((N - P))
logged=$(grep -ho 'poison record posts\[[0-9]*\]@[0-9]*' "$tmp/a.log" "$tmp/b.log" | sort -u | wc -l)
[ "$logged" -eq $P ] || fail "$logged distinct poison records logged, expected $P"
counted=$(($(stat_of a poison_logged) + $(stat_of b poison_logged)))
[ "$counted" -ge $P ] || fail "poison_logged counters sum to $counted, expected at least $P"
grep -hq 'poison record .*json at byte [0-9]' "$tmp/a.log" "$tmp/b.log" ||
    fail "a logged bad-JSON record without its byte"
[ "$(stat_of b stored)" -gt 0 ] || fail "worker b stored nothing"
echo "ok: a rebalance in and out; a stored $(stat_of a stored), b $(stat_of b stored); exists" \
    "a=$(stat_of a exists) b=$(stat_of b exists); $((N - P)) items exactly once, $P poison logged"
