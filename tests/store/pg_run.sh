#!/bin/bash
# tests/store/pg_run.sh COMMAND [ARGS...]: runs a test program against a throwaway PostgreSQL
# (tests/lib/pg.bash), which it finds in env SL_PG_URL; the server is stopped and its files
# removed afterwards. CTest runs the store's PostgreSQL tests through it (label pg).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/lib/pg.bash"
dir=$(mktemp -d /tmp/sl_pg_test_XXXXXX)
sl_pg_start "$dir"
rc=0
"$@" || rc=$?
sl_pg_stop
rm -rf "$dir"
exit $rc
