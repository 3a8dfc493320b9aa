#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs packages, then
#   1. release build + unit, golden, data, service, PostgreSQL, Kafka-worker and browser tests
#      (ctest; the PostgreSQL servers and Kafka mock clusters are started by the tests),
#   2. clang ASan+UBSan build of the same tests but the long ones, plus every libFuzzer target
#      for a short run,
#   3. a formatting check.
# SL_FUZZ_SECONDS (default 20) sets each fuzz target's run time (longer runs by hand:
# docs/ARCHITECTURE.md).
set -euo pipefail
cd "$(dirname "$0")/.."
SL_SETUP_NO_BUILD=1 scripts/setup.sh
jobs=$(nproc)

echo "== release build and tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== sanitizer build (ASan + UBSan, clang) with fuzz targets"
CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSL_SANITIZE=ON -DSL_FUZZ=ON \
    -DSL_FUZZ_SECONDS="${SL_FUZZ_SECONDS:-20}" >/dev/null
cmake --build build-asan -j"$jobs"
# the tests labelled "long" (the service scripts again on PostgreSQL, the Kafka workers' long
# runs) and "browser" (the pages' scripts in Chromium: the routes behind them run here in
# tests/server/pages.sh) ran in the release pass; here the PostgreSQL driver runs under the
# sanitizers through the store tests, multi.sh and restart.sh
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE 'long|browser'

echo "== format check"
scripts/check-format.sh
echo "all test suites passed"
