#!/bin/bash
# tests/store/pg_run.sh COMMAND [ARGS...]: runs a test program against a throwaway PostgreSQL
# (tests/lib/pg.bash), whose URL it finds in env SL_PG_URL and SL_TEST_STORE_URL (the store
# tests' fixture, tests/store/store_fixture.h); the server is stopped and its files removed
# afterwards. CTest runs the store's PostgreSQL tests through it (label pg).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/lib/pg.bash"
dir=$(mktemp -d /tmp/sl_pg_test_XXXXXX)
sl_pg_start "$dir"
export SL_TEST_STORE_URL=$SL_PG_URL
rc=0
"$@" || rc=$?
sl_pg_stop
rm -rf "$dir"
exit $rc
