#!/usr/bin/env bash
# Fails listing every C file that clang-format would change.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
while IFS= read -r f; do
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
        echo "needs clang-format: $f" >&2
        bad=1
    fi
done < <(git ls-files '*.c' '*.h' 2>/dev/null || find src include tests fuzz bench -name '*.[ch]')
[ "$bad" -eq 0 ] && echo "format: ok"
exit "$bad"
