#!/usr/bin/env bash
# The main job on the embedded defaults: installs what is missing and builds (scripts/setup.sh),
# then starts `sangloc serve` on a fresh embedded store (SQLite) with the shipped policy, model
# and example hoax bank, makes an admin and an integration token, ingests examples/comments.jsonl
# through POST /v1/items (channel "example"), prints the URL, the admin token and curl examples,
# and runs until Ctrl-C (SIGINT or SIGTERM stop the server cleanly).
#
# Environment (all optional):
#   SANGLOC_LISTEN=HOST:PORT   where to listen (default 127.0.0.1:8080; port 0 picks a free one)
#   SANGLOC_RUN_DIR=DIR        the store's folder (default: a new folder under $TMPDIR or /tmp)
#   SANGLOC_SKIP_SETUP=1       skip scripts/setup.sh when build/sangloc already exists
#
# The CLI example of the README (`build/sangloc check examples/comments.jsonl`) needs no server.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SANGLOC_SKIP_SETUP:-}" ] || [ ! -x build/sangloc ]; then
    scripts/setup.sh >/dev/null
fi
bin=build/sangloc
listen=${SANGLOC_LISTEN:-127.0.0.1:8080}
run=${SANGLOC_RUN_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/sangloc-run.XXXXXX")}
mkdir -p "$run"
db=$run/sangloc.db

bank_args=()
if [ -f banks/health-hoaxes.jsonl ]; then
    rm -f "$run/health-hoaxes.bank"
    "$bin" bank add --bank "$run/health-hoaxes.bank" --kind hoax banks/health-hoaxes.jsonl >/dev/null
    bank_args=(--bank "$run/health-hoaxes.bank")
fi
admin=$("$bin" token create --db "$db" --role admin --name example-admin)
integ=$("$bin" token create --db "$db" --role integration --name example-ingest)

server=
stop() {
    trap - INT TERM
    if [ -n "$server" ]; then
        kill -TERM "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
        server=
    fi
    echo "stopped (the store stays in $run)"
    exit 0
}
trap stop INT TERM
# a failure after the start must not leave the server running
trap 'if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; fi' EXIT

: >"$run/serve.log" # the wait below reads it before the server may have opened it
"$bin" serve --listen "$listen" --db "$db" "${bank_args[@]}" 2>"$run/serve.log" &
server=$!
url=
for _ in $(seq 1 600); do # at most ~60 s (a first start compiles the patterns)
    url=$(sed -n 's|^listening on \(http://.*\)$|\1|p' "$run/serve.log")
    [ -n "$url" ] && break
    if ! kill -0 "$server" 2>/dev/null; then
        cat "$run/serve.log" >&2
        echo "run-example: the server did not start" >&2
        exit 1
    fi
    sleep 0.1
done
if [ -z "$url" ]; then
    echo "run-example: the server did not say where it listens (see $run/serve.log)" >&2
    kill -TERM "$server"
    exit 1
fi

# the example comments as items of the channel "example" (the line without an id is left out:
# the CLI shows its error verdict, the API refuses an item without one)
jq -c 'select(.id != null and (.text | type) == "string")
       | {id, channel: "example", kind: "comment", author: ("reader-" + (.id | tostring)), text}' \
    examples/comments.jsonl | jq -cs '{items: .}' >"$run/items.json"
curl -sS --max-time 60 -H "Authorization: Bearer $integ" -H 'Content-Type: application/json' \
    --data-binary "@$run/items.json" "$url/v1/items" >"$run/ingested.json"
jq -r '"ingested \(.items | length) example comments: " +
       ([.items[] | "\(.id) \(.state)"] | join(", "))' "$run/ingested.json"

cat <<EOF

sangloc serve is running: $url   (store $db, log $run/serve.log)
admin token:        $admin
integration token:  $integ

  curl -s -H "Authorization: Bearer $admin" $url/v1/queues/pending
  curl -s -H "Authorization: Bearer $admin" $url/v1/items/example/c3   # as a reviewer would
  curl -s -H "Authorization: Bearer $integ" -H 'Content-Type: application/json' \\
       -d '{"text":"đồ ngu, gọi 0912345678"}' $url/v1/check
  curl -s $url/openapi.json        # every route (OpenAPI 3.1); docs/api.md has examples

Ctrl-C stops it.
EOF
wait "$server"
