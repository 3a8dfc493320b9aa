#!/usr/bin/env bash
# Throughput of `sangloc work`: posts a second from a Kafka topic (librdkafka's mock cluster,
# tests/worker/mock_kafka, over loopback) through screening into the store, with 1 and 2 workers
# of one group and several batch sizes, into SQLite and, with SL_BENCH_PG=1, into a throwaway
# PostgreSQL (tests/lib/pg.bash). The texts are real comments (../shared/data/vihsd/dev.jsonl,
# cycled; SL_BENCH_TEXTS=posts/dev.jsonl for 1 KB posts). A baseline measured in the same run: `sangloc check` screening the same posts alone
# (no Kafka, no store). Not run by the tests.
#
# The rate of a run is taken from the store's own clock: items received after the first
# received_at, over the time from the first to the last (the group join and the start-up do not
# count). Each run has a fresh topic and fresh channels (a fresh SQLite file).
# Usage: bench/work.sh [BINARY (default build/sangloc)]   (from the repository root)
#   SL_BENCH_PG=1         also PostgreSQL (needs the PostgreSQL store backend)
#   SL_BENCH_SQLITE=0     not SQLite
#   SL_BENCH_BATCHES="1 10 100 1000"  SL_BENCH_WORKERS="1 2"  SL_BENCH_THREADS=1
#   SL_BENCH_N=30000      posts per run (runs with batch size B take at most 2000*B)
bin=${1:-build/sangloc}
[ -x "$bin" ] && [ -x "$(dirname "$bin")/mock_kafka" ] ||
    { echo "bench/work.sh: build first (cmake --build build)" >&2; exit 2; }
data=${SL_DATA_DIR:-../shared/data}/${SL_BENCH_TEXTS:-vihsd/dev.jsonl}
[ -r "$data" ] || { echo "bench/work.sh: $data is missing" >&2; exit 2; }
set -- "$bin"
source "$(dirname "$0")/../tests/worker/lib.bash"
set +e
batches=${SL_BENCH_BATCHES:-1 10 100 1000}
workers=${SL_BENCH_WORKERS:-1 2}
threads=${SL_BENCH_THREADS:-1}
N=${SL_BENCH_N:-30000}
stores=(sqlite)
[ "${SL_BENCH_SQLITE:-1}" = 0 ] && stores=()
if [ "${SL_BENCH_PG:-}" = 1 ]; then
    source "$here/../lib/pg.bash"
    chmod 0755 "$tmp"
    sl_pg_start "$tmp/pgdata" >/dev/null || fail "PostgreSQL did not start"
    trap 'cleanup' EXIT
    stores+=(postgresql)
fi

# the baseline: screening alone, the same posts, one thread
"$mock" --print "$N" --texts "$data" >"$tmp/posts.jsonl"
t0=$(date +%s.%N)
"$bin" check --no-progress "$tmp/posts.jsonl" >/dev/null
t1=$(date +%s.%N)
base=$(echo "$N / ($t1 - $t0)" | bc -l)

nproc_=$(nproc)
printf '# sangloc work: texts of %s, %s posts a run, %s screening thread(s) a worker, %s cores, load %s; %s\n' \
    "${data#*/data/}" "$N" "$threads" "$nproc_" "$(cut -d' ' -f1 /proc/loadavg)" "$(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-11s %7s %6s %8s %10s\n' store workers batch posts posts/s
printf '%-11s %7s %6s %8s %10.0f\n' "check-only" - - "$N" "$base"
run=0
for store in "${stores[@]}"; do
    for w in $workers; do
        for b in $batches; do
            run=$((run + 1))
            n=$N
            [ $((b * 2000)) -lt "$n" ] && n=$((b * 2000))
            prefix="r$run-"
            if [ "$store" = sqlite ]; then
                db=$tmp/run$run.db
                key_args=()
            else
                db=$SL_PG_URL
                key_args=(--secret-file "$tmp/pg.key")
            fi
            mock_start --topic posts:6 --posts "$n" --texts "$data"
            for k in $(seq 1 "$w"); do
                worker_start "w$run-$k" --topic posts --group "bench$run" --batch "$b" \
                    --threads "$threads" --log-seconds 60
            done
            wait_items "$n" 900
            for k in $(seq 1 "$w"); do worker_stop "w$run-$k"; done
            mock_stop
            # two queries: PostgreSQL ran the join of the first form for minutes
            f=$(sql "SELECT min(received_at) FROM items WHERE channel LIKE '$prefix%'")
            rate=$(sql "SELECT (count(*) - sum(CASE WHEN received_at = ${f:-0} THEN 1 ELSE 0 END))
                               * 1000.0 / nullif(max(received_at) - ${f:-0}, 0)
                        FROM items WHERE channel LIKE '$prefix%'")
            printf '%-11s %7s %6s %8s %10.0f\n' "$store" "$w" "$b" "$n" "${rate:-0}"
        done
    done
done
