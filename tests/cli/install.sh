#!/usr/bin/env bash
# The install target: `cmake --install` into a temporary prefix puts the program, its man page,
# the public headers, the static libraries, sangloc.pc and the shipped policy and model in
# place; pkg-config finds the library there, and a small program built with its flags loads the
# installed default policy. $1: the sangloc binary (its folder is the build tree).
set -euo pipefail
bin=$1
build=$(dirname "$bin")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -f "$build/CMakeCache.txt" ] || { echo "install.sh: $build is not a build tree, skipped"; exit 0; }

cmake --install "$build" --prefix "$tmp/p" >/dev/null || fail "cmake --install failed"
for f in bin/sangloc share/man/man1/sangloc.1 include/sangloc.h include/sangloc/engine.h \
    lib/libsl_engine.a lib/libsl_util.a lib/pkgconfig/sangloc.pc \
    share/sangloc/policies/default.yaml share/sangloc/models/default.slm; do
    [ -f "$tmp/p/$f" ] || fail "$f not installed"
done
# every public header, every lexicon the default policy names
for h in include/sangloc/*.h; do [ -f "$tmp/p/$h" ] || fail "$h not installed"; done
for l in policies/lexicons/*.txt policies/lists/*.txt; do
    [ -f "$tmp/p/share/sangloc/$l" ] || fail "$l not installed"
done
"$tmp/p/bin/sangloc" --version | grep -q '^sangloc ' || fail "the installed program does not run"
if command -v man >/dev/null && man --help 2>&1 | grep -q -- '--local-file'; then
    MANWIDTH=80 man --local-file "$tmp/p/share/man/man1/sangloc.1" 2>&1 >/dev/null | grep . &&
        fail "man reports problems in sangloc.1"
fi

export PKG_CONFIG_PATH=$tmp/p/lib/pkgconfig
flags=$(pkg-config --cflags --libs sangloc) || fail "pkg-config --cflags --libs sangloc failed"
[ "$(pkg-config --modversion sangloc)" = "$("$bin" --version | cut -d' ' -f2)" ] ||
    fail "sangloc.pc version differs from the program's"

# a user's program: headers, libraries and the installed data, with pkg-config's flags only
cat >"$tmp/use.c" <<'C'
#include <stdio.h>
#include <sangloc.h>
int main(int argc, char **argv)
{
    sl_policy *p = NULL;
    sl_error err = {0};
    if (argc < 2 || sl_policy_load(argv[1], &p, &err) != SL_OK) {
        fprintf(stderr, "load: %s\n", err.message);
        return 1;
    }
    printf("%s %s\n", p->name ? "policy" : "unnamed", sl_action_name(SL_ACTION_HIDE));
    sl_policy_free(p);
    return 0;
}
C
cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
extra=()
grep -q '^SL_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" && extra+=(-fsanitize=address,undefined)
# shellcheck disable=SC2086
"${cc:-cc}" -std=c11 "${extra[@]}" "$tmp/use.c" -o "$tmp/use" $flags ||
    fail "a program does not build with pkg-config's flags"
[ "$("$tmp/use" "$tmp/p/share/sangloc/policies/default.yaml")" = "policy hide" ] ||
    fail "the program could not load the installed default policy"
echo "install.sh: all passed"
