#!/usr/bin/env bash
# The store stops taking writes in the middle of the stream (another process holds the write
# lock): the worker retries with backoff and commits no offset meanwhile; a SIGTERM while the
# store is down abandons the batch (exit 1, nothing committed); once the store is back a
# restarted worker stores everything, exactly once.
# With PostgreSQL the table lock (EXCLUSIVE: writers wait, readers do not) makes the store's
# writes fail on its lock timeout as busy, as SQLite's busy timeout does.
source "$(dirname "$0")/lib.bash"
N=20000
mock_start --topic posts:3 --posts $N
worker_start a --topic posts --group g --batch 200
wait_items 1000 60
# hold the store's write lock for 30 s (released early by killing the holder)
case "$db" in
postgresql://* | postgres://*)
    psql "$db" -X -q -A -t -c "BEGIN" -c "LOCK TABLE items IN EXCLUSIVE MODE" \
        -c "SELECT 'locked'" -c "SELECT pg_sleep(30)" -c "COMMIT" >"$tmp/lock.out" 2>&1 &
    ;;
*)
    python3 -c 'import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(30)' "${db#sqlite:}" >"$tmp/lock.out" 2>&1 &
    ;;
esac
lock_pid=$!
for _ in $(seq 1 100); do grep -qs locked "$tmp/lock.out" && break; sleep 0.1; done
grep -qs locked "$tmp/lock.out" || fail "could not lock the store: $(cat "$tmp/lock.out")"
sleep 1
locked_at=$(items_count)
for _ in $(seq 1 150); do grep -q 'store: ' "$tmp/a.log" && break; sleep 0.1; done
grep -q 'store: busy.*retrying' "$tmp/a.log" || fail "no store retry while the store was locked"
ce=$(committed g posts)
now=$(items_count)
[ "$now" = "$locked_at" ] || fail "items were stored while the store was locked ($locked_at -> $now)"
[ "${ce% *}" = "$now" ] || fail "offsets at ${ce% *} while $now items are stored"
# a stop while the store is down: the batch is abandoned, uncommitted, exit 1
kill -TERM "${wpid[a]}"
timeout 60 tail --pid="${wpid[a]}" -f /dev/null || fail "worker a did not stop"
wait "${wpid[a]}"
rc=$?
wpid[a]=
[ $rc -eq 1 ] || fail "worker a exited $rc when stopped with its batch unstored (expected 1)"
grep -q 'stopping with an uncommitted batch' "$tmp/a.log" || fail "no word of the abandoned batch"
[ "$(committed g posts)" = "$ce" ] || fail "offsets moved after the abandoned batch"
kill "$lock_pid" 2>/dev/null
wait "$lock_pid" 2>/dev/null
worker_start b --topic posts --group g --batch 200
wait_items $N 60
wait_committed g posts 30
worker_stop b
check_exactly_once $N
echo "ok: store locked at $locked_at items; retried, nothing committed; abandoned on SIGTERM;" \
    "then $N items exactly once"
