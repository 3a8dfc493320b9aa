# Helpers of the service tests (sourced by tests/server/*.sh): start `sangloc serve` on a free
# loopback port and wait for its "listening on" line (a bounded poll), send requests with curl
# under `timeout`, and kill the server at exit whatever happened.
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    [ -s "$tmp/err" ] && { echo "--- server stderr:"; tail -20 "$tmp/err"; }
    exit 1
}

# start_server DB [OPTIONS...]: sets pid, port, url
start_server() {
    local db=$1
    shift
    : >"$tmp/err"
    "$bin" serve --listen 127.0.0.1:0 --db "$db" "$@" 2>"$tmp/err" &
    pid=$!
    port=
    for _ in $(seq 1 600); do # at most ~30 s (the first start may compile the patterns)
        port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$tmp/err")
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || fail "the server exited at start: $(cat "$tmp/err")"
        sleep 0.05
    done
    [ -n "$port" ] || fail "the server did not print its port"
    url=http://127.0.0.1:$port
}

# stop_server: SIGTERM, then the exit status must be 0 (bounded wait)
stop_server() {
    kill -TERM "$pid"
    local rc
    timeout 20 tail --pid="$pid" -f /dev/null || fail "the server did not stop on SIGTERM"
    wait "$pid"
    rc=$?
    pid=
    [ "$rc" -eq 0 ] || fail "the server exited $rc on SIGTERM"
}

# req METHOD PATH TOKEN [BODY [CONTENT-TYPE]]: sets code and body
req() {
    local m=$1 p=$2 t=$3
    local args=(-s -o "$tmp/body" -w '%{http_code}' -X "$m" --max-time 20)
    [ -n "$t" ] && args+=(-H "Authorization: Bearer $t")
    if [ $# -ge 4 ]; then
        printf '%s' "$4" >"$tmp/req"
        args+=(-H "Content-Type: ${5:-application/json}" --data-binary "@$tmp/req")
    fi
    code=$(timeout 30 curl "${args[@]}" "$url$p")
    body=$(cat "$tmp/body" 2>/dev/null)
}

# expect CODE JQ-FILTER WHAT: the status is CODE and the filter (jq -e) holds on the body
expect() {
    [ "$code" = "$1" ] || fail "$3: status $code, want $1: $body"
    if [ -n "$2" ]; then
        printf '%s' "$body" | jq -e "$2" >/dev/null 2>&1 || fail "$3: $2 does not hold on $body"
    fi
}

token() { # ROLE [ORG]
    "$bin" token create --db "$db" --role "$1" --name "t-$1" ${2:+--org "$2"} 2>/dev/null ||
        fail "token create $1"
}
