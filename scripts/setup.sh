#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine:
#   bash scripts/setup.sh demo   install what is missing, build, run `seccheck check` on the demo
#   bash scripts/setup.sh test   install what is missing, build (warnings are errors), run all tests
# Installing needs root; as another user it prints the exact apt-get line and stops.
set -euo pipefail

mode="${1:-}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SECCHECK_BUILD_DIR:-$root/build}"
jobs="${SECCHECK_JOBS:-2}"

# libunwind-dev conflicts with LLVM's preinstalled libunwind-14-dev; naming it makes apt
# replace that one. libelf-dev/libdw-dev (elfutils) read ELF files and their DWARF lines,
# libcapstone-dev disassembles for `seccheck scan`. strace, python3-jsonschema/yaml, xmllint,
# groff and binutils (nm, objcopy, addr2line) are test oracles only; libc6-dbg lets the stack
# tests see glibc's local symbols and lines from its separate debug file.
build_packages=(build-essential cmake pkg-config libseccomp-dev libunwind-dev libcli11-dev nlohmann-json3-dev
  libelf-dev libdw-dev zlib1g-dev libcapstone-dev)
test_packages=(libgtest-dev strace python3-jsonschema python3-yaml libxml2-utils groff-base binutils libc6-dbg)

usage() {
  echo "usage: bash scripts/setup.sh demo|test" >&2
  exit 2
}

install_missing() {
  local wanted=("$@") missing=()
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local line="apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "seccheck setup: missing packages; run as root: apt-get update && $line" >&2
    exit 1
  fi
  echo "seccheck setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

configure_and_build() {
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$build" -j "$jobs"
}

case "$mode" in
  demo)
    install_missing "${build_packages[@]}"
    configure_and_build -DSECCHECK_BUILD_TESTS=OFF
    cmake --build "$build" -j "$jobs" --target seccheck
    demo_bin="$build/demo-workload"
    cc -O1 -o "$demo_bin" "$root/testprogs/demo.c"
    echo "+ seccheck check -- $demo_bin"
    "$build/cli/seccheck" check -- "$demo_bin" && status=0 || status=$?
    # 1 means "something would be blocked", which is the demo's point.
    [ "$status" -le 1 ] || exit "$status"
    ;;
  test)
    install_missing "${build_packages[@]}" "${test_packages[@]}"
    werror=OFF
    [ "${CI:-}" = "true" ] && werror=ON
    configure_and_build -DSECCHECK_BUILD_TESTS=ON -DSECCHECK_WERROR="$werror"
    ctest --test-dir "$build" --output-on-failure -j "$jobs"
    ;;
  *) usage ;;
esac
