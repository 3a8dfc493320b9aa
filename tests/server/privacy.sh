#!/usr/bin/env bash
# Privacy: after a run with known author names (Vietnamese names with diacritics in NFC and NFD,
# an e-mail address, a phone number), none of them appears in the database file, its WAL or
# shared-memory file (with SL_TEST_STORE=pg: any file of the PostgreSQL server, its data, WAL
# and log), the server's log, or any reply; the log holds no post text and no token
# secret either. The names are first found in the request bodies sent (so the search works),
# and a stored post text is found in the database (so the files searched are the right ones).
# The pseudonym key (--secret-file) is created with mode 0600.
# Usage: privacy.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
db=$(store_url s) || fail "store"
secret=$tmp/keys/pseudonym.key
mkdir -p "$tmp/keys"
names=("Nguyễn Thị Minh Khai" "Trần Đức Lương" "Phạm Thị Hương Giang" "lan.nguyen@example.vn"
    "+84 912 345 678" "0987654321")
# the same names decomposed (NFD): another byte sequence for the same text
mapfile -t nfd < <(printf '%s\n' "${names[@]}" | python3 -c \
    'import sys, unicodedata; [print(unicodedata.normalize("NFD", l.rstrip("\n"))) for l in sys.stdin]')
[ "${nfd[0]}" != "${names[0]}" ] || fail "the NFD form differs from the NFC one"
all=("${names[@]}" "${nfd[0]}" "${nfd[1]}" "${nfd[2]}")

integ=$(token integration)
rev=$(token reviewer)
admin=$(token admin)
start_server "$db" --secret-file "$secret"
[ "$(stat -c %a "$secret")" = 600 ] || fail "the secret file's mode is $(stat -c %a "$secret")"
: >"$tmp/sent"
: >"$tmp/replies"
send() { # METHOD PATH TOKEN [BODY]: sends and keeps the body and the reply
    if [ $# -ge 4 ]; then
        printf '%s\n' "$4" >>"$tmp/sent"
        req "$1" "$2" "$3" "$4"
    else
        req "$1" "$2" "$3"
    fi
    printf '%s\n' "$body" >>"$tmp/replies"
}
texts=("PRIVACY-CONTROL bài viết rất hữu ích, cảm ơn" "mày là thằng chó, tao sẽ giết mày"
    "đồ ngu mày im đi" "Đề nghị sở trả lời sớm")
items=
k=0
for a in "${all[@]}"; do
    t=${texts[$((k % 4))]}
    items+="${items:+,}$(jq -cn --arg a "$a" --arg t "$t" --arg id "p$k" \
        '{id: $id, channel: "web", kind: "comment", author: $a, text: $t}')"
    k=$((k + 1))
done
send POST /v1/items "$integ" "{\"items\":[$items]}"
expect 200 '(.items | length) == 9 and ([.items[].state] | index("hidden")) != null' "ingest"
send POST /v1/items "$integ" "{\"items\":[$items]}"
expect 200 '[.items[].status] | all(. == "duplicate")' "ingest again"
# items with errors in other fields: refused, the author sent all the same
for a in "${all[@]}"; do
    send POST /v1/items "$integ" "$(jq -cn --arg a "$a" '{items: [{id: "bad", channel: "web", kind: 5, author: $a, text: "x"}]}')"
    expect 400 '.error' "a bad kind"
    send POST /v1/items "$integ" "$(jq -cn --arg a "$a" '{items: [{id: "bad2", channel: "web", kind: "c", author: $a, text: "x", parent: 7}]}')"
    expect 400 '.error' "a bad parent"
    send POST /v1/items "$integ" "$(jq -cn --arg a "$a" '{items: [{id: "bad3", channel: "web", kind: "c", author: $a}]}')"
    expect 400 '.error' "no text"
    send POST /v1/check "$integ" "$(jq -cn --arg a "$a" '{id: "c", author: $a, text: "chào"}')"
    expect 200 '.action' "check"
    send POST /v1/check "$integ" "$(jq -cn --arg a "$a" '{items: [{id: "c1", author: $a, text: "chào"}, {id: "c2", author: $a, text: 5}]}')"
    expect 200 '.verdicts[1].error' "check with a bad item"
    send POST /v1/check "$integ" "{\"author\":$(jq -cn --arg a "$a" '$a'),\"text\":\"chào\",}"
    expect 400 '.error' "check with bad JSON"
done
for i in $(seq 0 8); do
    send GET "/v1/items/web/p$i" "$rev"
    expect 200 '.id' "item p$i"
done
send GET "/v1/queues/pending?limit=50" "$rev"
expect 200 '(.items | length) > 0' "queue"
send POST /v1/queues/pending/claim "$rev" '{"n":3}'
expect 200 '(.claimed | length) > 0' "claim"
send POST /v1/admin/rescreen "$admin" '{}'
expect 200 '.totals.items == 9' "rescreen"
# a malformed HTTP request naming an author, straight on the socket
printf 'GET /v1/items/%s HTTP/1.1\r\nHost: x\r\nX-Author: %s\r\nBad header line %s\r\n\r\n' \
    "${names[1]}" "${names[0]}" "${names[3]}" >"$tmp/raw"
printf '%s\n' "$(cat "$tmp/raw")" >>"$tmp/sent"
timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; cat '$tmp/raw' >&3; cat <&3 >/dev/null" || true

found_in() { # FILE NAME
    [ -e "$1" ] && grep -qaF -- "$2" "$1"
}
for a in "${all[@]}"; do
    found_in "$tmp/sent" "$a" || fail "the name '$a' was not sent (the test would prove nothing)"
done
store_files() { # the files that hold the store
    if [ -n "$pgdir" ]; then find "$SL_PG_DIR" -type f; else printf '%s\n' "$db" "$db-wal" "$db-shm"; fi
}
check_files() { # WHEN: one pass of grep over every file for every name
    local files hits
    mapfile -t files < <(store_files)
    grep -qaF "PRIVACY-CONTROL" "${files[@]}" 2>/dev/null ||
        fail "$1: the stored text is not found in the database files (the search is broken)"
    printf '%s\n' "${all[@]}" >"$tmp/names"
    hits=$(grep -laF -f "$tmp/names" "${files[@]}" "$tmp/err" "$tmp/replies" 2>/dev/null)
    [ -z "$hits" ] || fail "$1: a name appears in $hits"
}
check_files "while running"
[ -n "$pgdir" ] || [ -s "$db-wal" ] || fail "no WAL to search while running"
for t in "${texts[@]}" "$integ" "$rev" "$admin" slt_; do
    ! found_in "$tmp/err" "$t" || fail "the log holds '$t'"
done
stop_server
check_files "after stop"
cp "$tmp/err" "$tmp/err1"
# the key under its older name, --key-file, is the same option
start_server "$db" --key-file "$secret"
req POST /v1/items "$integ" "$(jq -cn --arg a "${names[0]}" '{items: [{id: "p0", channel: "web", kind: "comment", author: $a, text: "x"}]}')"
expect 200 '.items[0].status == "duplicate"' "the same key under --key-file"
stop_server
echo "privacy: ok"
