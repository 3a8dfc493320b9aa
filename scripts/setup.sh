#!/usr/bin/env bash
# Installs what sangloc needs on a fresh Debian 12 machine (as root, or with sudo) and builds it.
# Safe to run again: installs only what is missing, and rebuilds incrementally.
#   scripts/setup.sh            release build in build/
#   SL_SETUP_NO_BUILD=1 ...     install packages only
set -euo pipefail
cd "$(dirname "$0")/.."

# Hyperscan is x86-only; Vectorscan has the same API and runs everywhere else.
case "$(uname -m)" in
    x86_64) hs_pkg=libhyperscan-dev ;;
    *) hs_pkg=libvectorscan-dev ;;
esac
packages=(build-essential cmake pkg-config clang-format libicu-dev "$hs_pkg" libcjson-dev
          libyaml-dev libxxhash-dev libsqlite3-dev libsodium-dev libcmocka-dev clang llvm
          libclang-rt-14-dev libevent-dev libcurl4-openssl-dev curl jq sqlite3 openssl
          libjs-chart.js chromium postgresql-15 libpq-dev librdkafka-dev liblzma-dev)
# the browser tests (tests/browser) run Node; a Node from elsewhere (it carries its own npm) is fine
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
if [ -n "${SL_EXTRA_PACKAGES:-}" ]; then read -r -a extra <<<"$SL_EXTRA_PACKAGES"; packages+=("${extra[@]}"); fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -z "${SL_SETUP_NO_BUILD:-}" ]; then
    cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build -j"$(nproc)"
fi
