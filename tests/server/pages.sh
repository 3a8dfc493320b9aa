#!/usr/bin/env bash
# The pages' server side with curl (docs/pages.md): security headers; assets with ETag and 304;
# the redirects to /login; POST /login (content type, origin, one message for every bad token,
# the cookie's flags, --session-hours); the API with a session cookie (CSRF token and origin,
# role checks, Bearer unchanged); a session surviving a restart; --secure-cookies; logout and
# its audit entries (no token or session id in them); a revoked token's session; the per-address
# limit of failed logins; --public-check and its limit; wrong methods.
# Usage: pages.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
db=$(store_url s) || fail "store"
rev=$("$bin" token create --db "$db" --role reviewer --name "Phạm Thu" --org default 2>/dev/null)
integ=$(token integration)
aud=$(token auditor)
start_server "$db"

# get PATH [CURL ARGS...]: headers in $tmp/h, body in $tmp/b, status in code
get() {
    local p=$1
    shift
    rm -f "$tmp/b"
    code=$(timeout 30 curl -s --max-time 20 -D "$tmp/h" -o "$tmp/b" -w '%{http_code}' "$@" "$url$p")
    body=$(cat "$tmp/b" 2>/dev/null)
}
hdr() { # NAME: the header's value (last one)
    grep -i "^$1:" "$tmp/h" | tail -1 | cut -d' ' -f2- | tr -d '\r'
}
login() { # TOKEN [CURL ARGS...]: the session cookie in $tmp/jar
    local t=$1
    shift
    rm -f "$tmp/jar"
    get /login -c "$tmp/jar" -H "Origin: $url" --data-urlencode "token=$t" "$@"
}
cookie() { awk '$6 == "sl_session" {print $7}' "$tmp/jar"; }

# ---- headers and assets
for p in /login /assets/css/app.css /assets/js/dom.js /session; do
    get "$p"
    [ "$(hdr Content-Security-Policy)" = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'" ] ||
        fail "$p: CSP $(hdr Content-Security-Policy)"
    [ "$(hdr X-Content-Type-Options)" = nosniff ] || fail "$p: nosniff"
    [ "$(hdr Referrer-Policy)" = no-referrer ] || fail "$p: Referrer-Policy"
    [ "$(hdr X-Frame-Options)" = DENY ] || fail "$p: X-Frame-Options"
done
get /login
[ "$code" = 200 ] || fail "GET /login: $code"
[ "$(hdr Content-Type)" = "text/html; charset=utf-8" ] || fail "/login type"
grep -q '<html lang="vi">' "$tmp/b" || fail "/login is Vietnamese by default"
grep -q '<script type="module" src="/assets/js/pages/login.js"></script>' "$tmp/b" || fail "module"
grep -qi '<script>\|style=\|<style\| on[a-z]*=' "$tmp/b" && fail "inline script or style in /login"
get "/login?lang=en"
grep -q '<html lang="en">' "$tmp/b" || fail "?lang=en"
get /login -H 'Cookie: lang=en'
grep -q '<html lang="en">' "$tmp/b" || fail "the lang cookie"

get /assets/js/dom.js
[ "$code" = 200 ] || fail "asset: $code"
[ "$(hdr Content-Type)" = "text/javascript; charset=utf-8" ] || fail "js type"
cmp -s "$tmp/b" web/js/dom.js || fail "the asset is not web/js/dom.js"
etag=$(hdr ETag)
[[ "$etag" =~ ^\"[0-9a-f]{32}\"$ ]] || fail "ETag $etag"
want=$(sha256sum web/js/dom.js | cut -c1-32)
[ "$etag" = "\"$want\"" ] || fail "the ETag is not the file's hash"
[ "$(hdr Cache-Control)" = "public, no-cache" ] || fail "Cache-Control $(hdr Cache-Control)"
get /assets/js/dom.js -H "If-None-Match: $etag"
[ "$code" = 304 ] || fail "If-None-Match: $code"
[ -s "$tmp/b" ] && fail "a 304 has no body"
get /assets/js/dom.js -H 'If-None-Match: "0000"'
[ "$code" = 200 ] || fail "another ETag: $code"
get /assets/vendor/chart.min.js
[ "$code" = 200 ] && grep -q 'Chart' "$tmp/b" || fail "Chart.js: $code"
get /assets/css/app.css -I
[ "$code" = 200 ] || fail "HEAD: $code"
get /assets/nope.js
[ "$code" = 404 ] || fail "unknown asset: $code"
get /assets/../CMakeLists.txt --path-as-is
[ "$code" = 404 ] || fail "a path with ..: $code"
get /assets/js/dom.js -X POST
[ "$code" = 405 ] || fail "POST asset: $code"

# ---- redirects
get /
[ "$code" = 303 ] && [ "$(hdr Location)" = /check ] || fail "/: $code $(hdr Location)"
get /check
[ "$code" = 303 ] && [ "$(hdr Location)" = "/login?next=/check" ] || fail "/check: $code"
get /check -H 'Cookie: sl_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
[ "$code" = 303 ] || fail "/check with an unknown session: $code"

# ---- POST /login
get /login -H "Origin: $url" -H 'Content-Type: application/json' -d "{\"token\":\"$rev\"}"
[ "$code" = 415 ] || fail "JSON login: $code"
get /login -H 'Origin: http://evil.example' --data-urlencode "token=$rev"
[ "$code" = 403 ] || fail "login from another origin: $code"
revoked=$("$bin" token create --db "$db" --role reviewer --name gone --org default 2>"$tmp/e")
"$bin" token revoke --db "$db" "$(sed -n 's/.*token \([0-9]*\) .*/\1/p' "$tmp/e")" >/dev/null 2>&1 ||
    fail "revoke"
msgs=""
for bad in "" "x" "slt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" "$rev%00" "$revoked"; do
    login "$bad"
    [ "$code" = 401 ] || fail "bad token '$bad': $code"
    [ -z "$(cookie)" ] || fail "a cookie for a bad token"
    msgs+="$(printf '%s' "$body" | jq -r .error.message)"$'\n'
done
[ "$(printf '%s' "$msgs" | sort -u | grep -c .)" = 1 ] || fail "one message for every bad token: $msgs"
login "$rev"
[ "$code" = 200 ] || fail "login: $code $body"
printf '%s' "$body" | jq -e '.name == "Phạm Thu" and .role == "reviewer" and .org == "default"' >/dev/null ||
    fail "login reply $body"
sc=$(hdr Set-Cookie)
[[ "$sc" =~ ^sl_session=[A-Za-z0-9_-]{43}\;\ Path=/\;\ Max-Age=28800\;\ HttpOnly\;\ SameSite=Strict$ ]] ||
    fail "Set-Cookie: $sc"
sid=$(cookie)
csrf=$(printf '%s' "$body" | jq -r .csrf)
get /session -b "$tmp/jar"
[ "$code" = 200 ] && [ "$(printf '%s' "$body" | jq -r .csrf)" = "$csrf" ] || fail "/session: $body"
get / -b "$tmp/jar"
# a reviewer is sent to the page of their work: the queue
[ "$code" = 303 ] && [ "$(hdr Location)" = /review ] || fail "/ with a session: $(hdr Location)"
get /check -b "$tmp/jar"
[ "$code" = 200 ] || fail "/check with a session: $code"
grep -q "<meta name=\"csrf-token\" content=\"$csrf\">" "$tmp/b" || fail "the CSRF meta tag"
[ "$(hdr Cache-Control)" = no-store ] || fail "a page is not cached"

# ---- the API with the session cookie
post_check() { # CURL ARGS...: POST /v1/check with the session
    get /v1/check -b "$tmp/jar" -H 'Content-Type: application/json' -d '{"text":"đồ ngu"}' "$@"
}
post_check
[ "$code" = 403 ] && [ "$(printf '%s' "$body" | jq -r .error.code)" = csrf ] || fail "no CSRF: $code"
post_check -H "X-CSRF-Token: $csrf"
[ "$code" = 403 ] || fail "no Origin nor Referer: $code"
post_check -H "X-CSRF-Token: $csrf" -H 'Origin: http://evil.example'
[ "$code" = 403 ] || fail "another origin: $code"
post_check -H "X-CSRF-Token: ${csrf}x" -H "Origin: $url"
[ "$code" = 403 ] || fail "a wrong token: $code"
post_check -H "X-CSRF-Token: $csrf" -H "Origin: $url"
[ "$code" = 200 ] && [ "$(printf '%s' "$body" | jq -r .action)" = review ] || fail "check: $code $body"
post_check -H "X-CSRF-Token: $csrf" -H "Referer: $url/check"
[ "$code" = 200 ] || fail "Referer: $code"
get /v1/queues -b "$tmp/jar"
[ "$code" = 200 ] || fail "GET with a session needs no CSRF: $code"
get /v1/items -b "$tmp/jar" -H "X-CSRF-Token: $csrf" -H "Origin: $url" \
    -H 'Content-Type: application/json' -d '{"items":[]}'
[ "$code" = 403 ] && [ "$(printf '%s' "$body" | jq -r .error.code)" = forbidden ] ||
    fail "a reviewer's session may not ingest: $code"
# Bearer: no CSRF, the cookie ignored
get /v1/check -b "$tmp/jar" -H "Authorization: Bearer $integ" -H 'Content-Type: application/json' \
    -d '{"text":"chào"}'
[ "$code" = 200 ] || fail "Bearer with a cookie: $code"
req POST /v1/check "$rev" '{"text":"chào"}'
expect 403 '.error.code == "forbidden"' "a reviewer's token, as an API client, may not check"

# ---- a restart keeps the session; --session-hours; --secure-cookies
stop_server
start_server "$db" --session-hours 2 --secure-cookies
get /session -b "$tmp/jar"
[ "$code" = 200 ] || fail "the session after a restart: $code"
post_check -H "X-CSRF-Token: $csrf" -H "Origin: $url"
[ "$code" = 403 ] || fail "--secure-cookies: the origin is https: $code"
post_check -H "X-CSRF-Token: $csrf" -H "Origin: ${url/http:/https:}"
[ "$code" = 200 ] || fail "--secure-cookies with an https origin: $code"
get /login -H "Origin: ${url/http:/https:}" --data-urlencode "token=$aud"
[[ "$(hdr Set-Cookie)" =~ Max-Age=7200\;\ HttpOnly\;\ SameSite=Strict\;\ Secure$ ]] ||
    fail "--session-hours 2 --secure-cookies: $(hdr Set-Cookie)"
# a second server process on the same store knows the session too
"$bin" serve --listen 127.0.0.1:0 --db "$db" "${store_keys[@]}" 2>"$tmp/err2" &
pid2=$!
for _ in $(seq 1 600); do
    port2=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$tmp/err2")
    [ -n "$port2" ] && break
    sleep 0.05
done
code=$(timeout 30 curl -s -o /dev/null -w '%{http_code}' -b "$tmp/jar" "http://127.0.0.1:$port2/session")
kill -TERM "$pid2"
wait "$pid2"
[ "$code" = 200 ] || fail "the session on another server process: $code"
stop_server
start_server "$db"

# ---- logout
get /logout -b "$tmp/jar" -X POST -H "Origin: $url"
[ "$code" = 403 ] || fail "logout without CSRF: $code"
get /logout -b "$tmp/jar" -X POST -H "Origin: $url" -H "X-CSRF-Token: $csrf"
[ "$code" = 200 ] || fail "logout: $code $body"
[[ "$(hdr Set-Cookie)" =~ ^sl_session=\;\ Path=/\;\ Max-Age=0\; ]] || fail "clear: $(hdr Set-Cookie)"
get /session -b "$tmp/jar"
[ "$code" = 401 ] || fail "after logout: $code"
get /logout -b "$tmp/jar" -X POST -H "Origin: $url" -H "X-CSRF-Token: $csrf"
[ "$code" = 401 ] || fail "a second logout: $code"
n() { db_sql "SELECT count(*) FROM audit_log WHERE json_extract(entry, '\$.action') = '$1'"; }
[ "$(n session.login)" -ge 2 ] && [ "$(n session.logout)" = 1 ] || fail "audit entries"
db_sql "SELECT entry FROM audit_log" | grep -qF -e "$sid" -e "$rev" -e "$csrf" &&
    fail "a session id, token or CSRF secret in the audit log"

# ---- a revoked token's session ends at once
login "$aud"
[ "$code" = 200 ] || fail "auditor login"
id=$("$bin" token list --db "$db" 2>/dev/null | awk '/t-auditor/ {print $1}' | head -1)
"$bin" token revoke --db "$db" "$id" >/dev/null 2>&1 || fail "revoke $id"
get /session -b "$tmp/jar"
[ "$code" = 401 ] || fail "a revoked token's session: $code"

# ---- failed logins: 10 a minute per address; a success does not count
for k in $(seq 1 9); do
    login "slt_bad$k"
    [ "$code" = 401 ] || fail "bad login $k: $code"
done
login "$rev"
[ "$code" = 200 ] || fail "a good login among bad ones: $code"
login "slt_bad10"
[ "$code" = 401 ] || fail "the 10th bad login: $code"
login "$rev"
[ "$code" = 429 ] || fail "the 11th login: $code"
[[ "$(hdr Retry-After)" =~ ^[0-9]+$ ]] || fail "Retry-After"

# ---- wrong methods
get /logout
[ "$code" = 405 ] && [ "$(hdr Allow)" = POST ] || fail "GET /logout: $code"
get /session -X POST
[ "$code" = 405 ] || fail "POST /session: $code"
get /check -X DELETE
[ "$code" = 405 ] || fail "DELETE /check: $code"
stop_server

# ---- --public-check: the checker without a token, 20 at once per address
start_server "$db" --public-check
get /check
[ "$code" = 200 ] || fail "public /check: $code"
grep -q 'csrf-token' "$tmp/b" && fail "an anonymous page has no CSRF token"
req POST /v1/check "" '{"text":"gọi 0912345678"}'
expect 200 '.hits[0].rule == "pii.phone"' "anonymous check"
req POST /v1/items "" '{"items":[]}'
expect 401 '' "anonymous ingest"
t0=$(date +%s%N)
codes=$(for _ in $(seq 1 40); do
    timeout 30 curl -s -o /dev/null --max-time 20 -w '%{http_code}\n' \
        -H 'Content-Type: application/json' -d '{"text":"a"}' "$url/v1/check"
done | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')
elapsed=$(( ($(date +%s%N) - t0) / 1000000000 + 1 ))
ok=$(sed -n 's/.*200x\([0-9]*\).*/\1/p' <<<"$codes")
# a burst of 20 (one already taken above), one more a second while the burst is sent, then 429:
# the bound follows the time the burst took, so a loaded machine does not fail the test
[[ "$codes" =~ ^200x[0-9]+\ 429x[0-9]+\ $ ]] && [ "${ok:-0}" -ge 19 ] &&
    [ "$ok" -le $((20 + elapsed)) ] || fail "public limit: $codes in ${elapsed} s"
stop_server
echo PASS
