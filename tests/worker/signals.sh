#!/usr/bin/env bash
# SIGTERM is graceful: the worker finishes its batch, commits it and leaves the group (exit 0),
# so a restarted worker finds nothing it already stored ("exists" 0). SIGHUP reloads the policy:
# posts screened afterwards carry the new policy version; a broken policy is refused and the old
# engine keeps screening.
source "$(dirname "$0")/lib.bash"
N=6000
cp -r "$(dirname "$0")/../../policies/." "$tmp/"
cp "$tmp/default.yaml" "$tmp/policy.yaml"
mock_start --topic posts:3 --posts $N
worker_start a --topic posts --group g --batch 100 --policy "$tmp/policy.yaml"
wait_items 1000 60
worker_stop a
stopped_at=$(items_count)
ce=$(committed g posts)
[ "${ce% *}" = "$stopped_at" ] ||
    fail "after SIGTERM: $stopped_at items stored but offsets at ${ce% *} (end ${ce#* })"
[ "$(stat_of a consumed)" = "$stopped_at" ] ||
    fail "consumed $(stat_of a consumed) records but stored $stopped_at"
grep -q 'partitions revoked' "$tmp/a.log" || fail "the worker did not leave the group"
[ "$stopped_at" -lt $N ] || fail "the stop came too late to test a restart ($stopped_at items)"

worker_start b --topic posts --group g --batch 100 --policy "$tmp/policy.yaml"
wait_items $N 60
wait_committed g posts 30
# a new policy version, then SIGHUP: the next posts carry it
sed -i 's/^version: .*/version: "signals-test"/' "$tmp/policy.yaml"
kill -HUP "${wpid[b]}"
for _ in $(seq 1 100); do grep -q 'reloaded (engine 2)' "$tmp/b.log" && break; sleep 0.1; done
grep -q 'reloaded (engine 2)' "$tmp/b.log" || fail "no reload after SIGHUP"
mock produce 500 >/dev/null
wait_items $((N + 500)) 60
# a broken policy: refused, the engine of "signals-test" goes on
echo 'rules: [' >"$tmp/policy.yaml"
kill -HUP "${wpid[b]}"
for _ in $(seq 1 100); do grep -q 'reload failed' "$tmp/b.log" && break; sleep 0.1; done
grep -q 'reload failed' "$tmp/b.log" || fail "a broken policy was not reported"
mock produce 100 >/dev/null
wait_items $((N + 600)) 60
wait_committed g posts 30
worker_stop b
[ "$(stat_of b exists)" = 0 ] || fail "the restarted worker found $(stat_of b exists) posts stored already"
new=$(sql "SELECT count(*) FROM items WHERE channel LIKE '$prefix%' AND policy_version LIKE 'signals-test#%'")
[ "$new" = 600 ] || fail "$new items screened with the reloaded policy, expected 600"
check_exactly_once $((N + 600))
echo "ok: stopped at $stopped_at items with offsets committed; restart found none stored; reloads"
