#!/usr/bin/env bash
# The .deb round trip CI runs: build the package with CPack, check its Depends and contents,
# install it with `dpkg -i`, run the installed copy (/usr/bin/seccheck: --version, the man page,
# the bash completion, `check` on the demo workload, its JSON report against the installed
# schema), then `dpkg -r seccheck`. Exits non-zero on any failure. Needs root (dpkg).
#   bash scripts/package.sh        build folder: $SECCHECK_BUILD_DIR, default build/ (as setup.sh)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SECCHECK_BUILD_DIR:-$root/build}"
jobs="${SECCHECK_JOBS:-2}"

fail() {
  echo "package.sh: $*" >&2
  exit 1
}
step() { echo "+ $*"; }

[ "$(id -u)" -eq 0 ] || { echo "package.sh: installing the .deb needs root; run it as root" >&2; exit 2; }
for tool in cmake cpack dpkg dpkg-deb cc; do
  command -v "$tool" >/dev/null || fail "$tool is missing (build-essential, cmake, dpkg)"
done
# Never clobber or remove a seccheck that this script did not install.
if dpkg-query -W -f='${Status}' seccheck 2>/dev/null | grep -q "install ok installed"; then
  fail "a seccheck package is already installed; remove it first (dpkg -r seccheck)"
fi
[ ! -e /usr/bin/seccheck ] || fail "/usr/bin/seccheck exists outside the package manager; move it away first"

work="$(mktemp -d)"
installed=0
cleanup() {
  if [ "$installed" -eq 1 ]; then dpkg -r seccheck >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- build the package ---
if [ -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" >/dev/null
else
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSECCHECK_BUILD_TESTS=OFF >/dev/null
fi
step "cmake --build $build"
cmake --build "$build" -j "$jobs" >/dev/null
rm -rf "$build/packages"
step "cpack -G DEB"
(cd "$build" && cpack -G DEB >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log" >&2; fail "cpack failed"; }
deb="$(find "$build/packages" -maxdepth 1 -name 'seccheck_*.deb' | head -n 1)"
[ -n "$deb" ] || fail "cpack produced no seccheck_*.deb in $build/packages"
echo "package: $deb"

# --- what the package declares and holds ---
depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
# libunwind8 always: the call-site stacks open it with dlopen, invisible to dpkg-shlibdeps.
# libelf1 and libdw1 (elfutils): stack frames are named from the mapped files.
wanted=(libc6 libseccomp2 libunwind8 libelf1 libdw1)
# libstdc++6 only when the binary links it (SECCHECK_STATIC_CXX_RUNTIME=OFF, sanitizer builds).
if readelf -d "$build/cli/seccheck" 2>/dev/null | grep -q 'NEEDED.*libstdc++'; then wanted+=(libstdc++6); fi
for pkg in "${wanted[@]}"; do
  # Compare whole package names (libstdc++6 holds regex characters, so no grep -E here).
  found=0
  IFS=',' read -ra entries <<<"$depends"
  for entry in "${entries[@]}"; do
    name="${entry# }"
    name="${name%% *}"
    [ "$name" = "$pkg" ] && found=1
  done
  [ "$found" -eq 1 ] || fail "Depends lacks $pkg: $depends"
done
dpkg-deb -c "$deb" | awk '{print $NF}' >"$work/contents"
for path in ./usr/bin/seccheck ./usr/share/man/man1/seccheck.1.gz ./usr/share/bash-completion/completions/seccheck \
            ./usr/share/seccheck/report.schema.json; do
  grep -qx "$path" "$work/contents" || fail "the package lacks $path"
done
# The package holds seccheck and its documents only (no testprogs, no test binaries).
others="$(grep -E '^\./usr/(bin|sbin|lib|libexec)/.' "$work/contents" | grep -vx ./usr/bin/seccheck || true)"
[ -z "$others" ] || fail "the package ships other programs: $(tr '\n' ' ' <<<"$others")"

# --- install and run the installed copy ---
step "dpkg -i $(basename "$deb")"
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; installed=1; fail "dpkg -i failed"; }
installed=1
[ "$(command -v seccheck)" = /usr/bin/seccheck ] || fail "seccheck on PATH is $(command -v seccheck), not /usr/bin/seccheck"

step "seccheck --version"
version="$(/usr/bin/seccheck --version)"
echo "$version"
grep -Eq '^seccheck [0-9]+\.[0-9]+\.[0-9]+ \(libseccomp [0-9]+\.[0-9]+\.[0-9]+\)$' <<<"$version" ||
  fail "unexpected --version output: $version"

step "man page and bash completion"
if command -v groff >/dev/null; then
  warnings="$(zcat /usr/share/man/man1/seccheck.1.gz | groff -man -ww -z 2>&1)" || fail "groff failed: $warnings"
  [ -z "$warnings" ] || fail "the installed man page renders with warnings: $warnings"
else
  echo "(groff not installed: man page rendering not checked; apt-get install groff-base)"
fi
bash -n /usr/share/bash-completion/completions/seccheck || fail "the installed completion is not valid bash"
offered="$(bash -c 'source /usr/share/bash-completion/completions/seccheck
  COMP_WORDS=(seccheck ""); COMP_CWORD=1; _seccheck; printf "%s\n" "${COMPREPLY[@]}"')"
grep -qx check <<<"$offered" || fail "the installed completion does not offer 'check': $offered"

step "seccheck check -- demo"
cc -O1 -o "$work/demo" "$root/testprogs/demo.c"
status=0
(cd "$work" && /usr/bin/seccheck check -- ./demo) >"$work/demo-report.txt" || status=$?
cat "$work/demo-report.txt"
# The demo makes calls the default profiles block, so the gate must say 1.
[ "$status" -eq 1 ] || fail "seccheck check on the demo exited $status, expected 1 (something would be blocked)"
# libunwind is opened at the first stack: the installed copy must find it and name main().
grep -q 'stack:  #0 .*' "$work/demo-report.txt" && grep -q ' main+0x' "$work/demo-report.txt" ||
  fail "the installed seccheck printed no call-site stack with main() for the demo"

step "seccheck check --format json -- demo (validated against the installed schema)"
status=0
/usr/bin/seccheck check --format json -o "$work/report.json" -- "$work/demo" >/dev/null || status=$?
[ "$status" -eq 1 ] || fail "seccheck check --format json on the demo exited $status, expected 1"
if python3 -c 'import jsonschema' 2>/dev/null; then
  python3 - "$work/report.json" /usr/share/seccheck/report.schema.json <<'PY' || fail "the JSON report does not validate"
import json, sys, jsonschema
report, schema = (json.load(open(p)) for p in sys.argv[1:3])
jsonschema.validators.validator_for(schema)(schema).validate(report)
PY
  echo "report.json validates against /usr/share/seccheck/report.schema.json"
else
  echo "(python3-jsonschema not installed: the report was not validated)"
fi

# --- remove ---
step "dpkg -r seccheck"
dpkg -r seccheck >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -r failed"; }
installed=0
[ ! -e /usr/bin/seccheck ] || fail "/usr/bin/seccheck is still there after dpkg -r"
echo "package.sh: ok ($(basename "$deb"))"
