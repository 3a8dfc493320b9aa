#!/usr/bin/env bash
# A broker goes down and comes back while a worker consumes (and publishes its verdicts and dead
# letters): no post lost, none stored twice, the group's offsets reach the end, and the out
# topic carries at least one verdict per post.
source "$(dirname "$0")/lib.bash"
N=20000
P=40
mock_start --brokers 3 --topic posts:4 --topic dead:1 --topic verdicts:2 --posts $N \
    --poison-every 500
worker_start a --topic posts --group g --dead-letter-topic dead --out-topic verdicts --batch 200
wait_items 3000 60
for b in 1 2; do
    [ "$(mock down $b)" = ok ] || fail "broker $b did not go down"
    sleep 3
    [ "$(mock up $b)" = ok ] || fail "broker $b did not come up"
    sleep 1
done
grep -q 'Connection refused' "$tmp/a.log" || fail "the worker never saw a broker down"
wait_items $((N - P)) 120
wait_committed g posts 60
worker_stop a
check_exactly_once $((N - P))
# the mock keeps ~5 MB a partition, so the verdicts are counted by the topic's end offsets
verdicts=$(mock offsets verdicts | sed -n 's/^offsets [0-9]* //p')
[ "${verdicts:-0}" -ge $((N - P)) ] || fail "only $verdicts verdicts published for $((N - P)) posts"
distinct=$(mock dlq dead | grep '^dlq ' | awk '{print $4}' | sort -u | wc -l)
[ "$distinct" -eq $P ] || fail "dead letters: $distinct distinct records, expected $P"
echo "ok: broker 1 and 2 down and up; $((N - P)) items exactly once, $verdicts verdicts published"
