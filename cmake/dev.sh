#!/usr/bin/env bash
# The README's two Quick start commands:
#   bash cmake/dev.sh demo   builds and runs examples/quickstart
#   bash cmake/dev.sh test   builds everything and runs every test
# Further modes for contributors: any configure preset name from
# CMakePresets.json with "test-" in front (test-sanitize, test-cxx20, ...).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the build and tests need. libsodium and OpenSSL are
# test/bench-only: independent implementations assent is checked against; python3-nacl
# (PyNaCl) is one for the interop test (tests/interop/, which installs its npm packages itself).
packages=(cmake g++ make pkg-config nlohmann-json3-dev catch2 libssl-dev libsodium-dev valgrind python3-nacl)
case "${1:-}" in
  test-clang|test-fuzz) packages+=(clang libclang-rt-14-dev) ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then as_root=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then as_root=(sudo -n)
  else
    echo "assent: please install: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "assent: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq >/dev/null
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mode="${1:-}"
case "$mode" in
  demo)
    cmake --preset default >/dev/null
    cmake --build --preset default --target quickstart
    ./build/bin/quickstart
    ;;
  test)
    cmake --preset default
    cmake --build --preset default
    ctest --preset default
    ;;
  test-*)
    preset="${mode#test-}"
    cmake --preset "$preset"
    cmake --build --preset "$preset"
    ctest --preset "$preset"
    ;;
  *)
    echo "usage: bash cmake/dev.sh demo|test|test-<preset>" >&2
    exit 2
    ;;
esac
