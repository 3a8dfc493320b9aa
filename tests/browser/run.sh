#!/usr/bin/env bash
# The browser tests of the pages: tests/browser/*.test.mjs (node:test) drive Debian's Chromium,
# headless, through npm playwright-core, against a real `sangloc serve` on a free loopback port
# with a fresh store and tokens. Run by ctest (label browser) as
#   bash tests/browser/run.sh BUILD/sangloc [DATA_DIR]
# Installs what is missing first: apt's chromium, and `npm ci` here (package-lock.json).
# SL_SCREENSHOTS=1 (re)writes docs/pages/*.png from the tests; SL_BROWSER_TESTS="review notice"
# runs only those files (tests/browser/NAME.test.mjs) while working on a page.
set -euo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if [ ! -x /usr/bin/chromium ]; then
    echo "browser tests: installing chromium" >&2
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
        chromium >/dev/null
fi
command -v node >/dev/null || { echo "FAIL: node is missing (scripts/setup.sh)"; exit 1; }
# npm ci when node_modules is missing or older than the lock file
if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/axe-core" ] ||
    [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
    (cd "$here" && timeout 600 npm ci --no-audit --no-fund --loglevel=error)
fi

tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    [ -s "$tmp/err" ] && { echo "--- server stderr:"; tail -20 "$tmp/err"; }
    exit 1
}

# a fresh store and one token per role (two reviewers), written as JSON for the tests
db=$tmp/pages.db
tokens="{"
for who in integration:integration reviewer:reviewer reviewer:reviewer2 appeals:appeals \
    curator:curator auditor:auditor admin:admin; do
    role=${who%%:*}
    key=${who#*:}
    org=--org
    [ "$role" = admin ] && org="" # a global admin: picks the org in the page
    t=$("$bin" token create --db "$db" --role "$role" --name "Người $key" ${org:+$org default} \
        2>/dev/null) || fail "token create $role"
    tokens+="\"$key\":\"$t\","
done
tokens="${tokens%,}}"
printf '%s\n' "$tokens" >"$tmp/tokens.json"

"$bin" serve --listen 127.0.0.1:0 --db "$db" --threads 2 2>"$tmp/err" &
pid=$!
port=
for _ in $(seq 1 600); do
    port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$tmp/err")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || fail "the server exited at start: $(cat "$tmp/err")"
    sleep 0.05
done
[ -n "$port" ] || fail "the server did not print its port"

export SL_URL=http://127.0.0.1:$port SL_BIN=$bin SL_DB=$db SL_TOKENS=$tmp/tokens.json
export SL_ROOT=$root SL_TMP=$tmp SL_CHROMIUM=${SL_CHROMIUM:-/usr/bin/chromium}
cd "$here"
rc=0
# one file at a time: each launches its own Chromium, and the machine is small
files=(./*.test.mjs)
if [ -n "${SL_BROWSER_TESTS:-}" ]; then
    files=()
    for name in $SL_BROWSER_TESTS; do
        [ -f "./$name.test.mjs" ] || fail "no tests/browser/$name.test.mjs"
        files+=("./$name.test.mjs")
    done
fi
node --test --test-concurrency=1 --test-timeout=120000 "${files[@]}" || rc=$?
kill -0 "$pid" 2>/dev/null || fail "the server died during the tests"
[ "$rc" -eq 0 ] || fail "browser tests failed"
echo PASS
