#!/usr/bin/env bash
# CLI test of `sangloc token`: create prints a token once (and the store keeps no copy of it),
# list shows role, organization and revocation, revoke ends it; bad roles, unknown orgs, bad
# ids and a missing database are refused with the documented exit statuses.
# Usage: token.sh SANGLOC DATA_DIR (run from the repository root).
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
db=$tmp/s.db

tok=$("$bin" token create --db "$db" --role reviewer --name "Chị Lan" 2>"$tmp/err") || fail "create"
[[ "$tok" =~ ^slt_[A-Za-z0-9_-]{43}$ ]] || fail "token format: $tok"
grep -q "token 1 (reviewer, organization default): shown once" "$tmp/err" || fail "create note: $(cat "$tmp/err")"
admin=$("$bin" token create --db "sqlite:$db" --role admin --name ops 2>/dev/null) || fail "admin create"
[ "$admin" != "$tok" ] || fail "two tokens alike"
grep -qF "$tok" "$db"* && fail "the token is stored in the database"

"$bin" token create --db "$db" --role root --name x 2>/dev/null; [ $? -eq 2 ] || fail "unknown role exits 2"
"$bin" token create --db "$db" --role curator --name x --org nowhere 2>"$tmp/err"
[ $? -eq 1 ] || fail "unknown org exits 1"
grep -q "no organization 'nowhere'" "$tmp/err" || fail "unknown org message"
"$bin" token create --db "$db" --role reviewer 2>/dev/null; [ $? -eq 2 ] || fail "missing --name exits 2"

list=$("$bin" token list --db "$db") || fail "list"
[ "$(printf '%s\n' "$list" | wc -l)" -eq 2 ] || fail "two tokens listed: $list"
printf '%s\n' "$list" | grep -qP '^1\treviewer\tdefault\t\d{4}-\d\d-\d\dT[\d:]+Z\t-\t-\tChị Lan$' || fail "list line 1: $list"
printf '%s\n' "$list" | grep -qP '^2\tadmin\t-\t' || fail "list line 2: $list"

"$bin" token revoke --db "$db" 1 >"$tmp/out" || fail "revoke"
grep -qx "token 1 revoked" "$tmp/out" || fail "revoke message"
"$bin" token list --db "$db" | grep -qP '^1\treviewer\tdefault\t\S+\t-\t\d{4}-' || fail "revoked time listed"
"$bin" token revoke --db "$db" 7 2>/dev/null; [ $? -eq 1 ] || fail "unknown id exits 1"
"$bin" token revoke --db "$db" 0 2>/dev/null; [ $? -eq 2 ] || fail "id 0 exits 2"
"$bin" token revoke --db "$db" 2>/dev/null; [ $? -eq 2 ] || fail "no id exits 2"
"$bin" token list --db "$tmp/none.db" 2>"$tmp/err"; [ $? -eq 2 ] || fail "missing db exits 2"
[ -e "$tmp/none.db" ] && fail "list created a database"
# nothing listens on port 1: the error names the server, never a password
"$bin" token list --db postgresql://u:s3cret@127.0.0.1:1/x 2>"$tmp/err"; [ $? -ne 0 ] || fail "unreachable postgres fails"
grep -qi "postgres" "$tmp/err" || fail "postgres message"
grep -q "s3cret" "$tmp/err" && fail "the password is printed"
"$bin" token frob --db "$db" 2>/dev/null; [ $? -eq 2 ] || fail "unknown action exits 2"
echo "token: ok"
