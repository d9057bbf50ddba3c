#!/usr/bin/env bash
# seccheck benchmarks (not a test): builds seccheck and the bench_* workloads in build-bench/,
# installs what the real-program workloads need when run as root (sqlite3, redis-server,
# redis-tools from Debian; skipped with a message otherwise), then runs bench/bench.py, which
# prints a Markdown table and writes bench/results/latest.md.
#
#   bench/run.sh            full run: the sizes from the issue, 5 interleaved rounds per mode
#   bench/run.sh --quick    smaller workloads, 3 rounds (a few minutes)
#   bench/run.sh --only getppid,threads --skip redis,memory,latency,pinning
# Any other option is passed to bench.py (see bench/bench.py --help).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
build="${SECCHECK_BENCH_BUILD:-$root/build-bench}"

missing=()
command -v strace >/dev/null || missing+=(strace)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-benchmark >/dev/null || missing+=(redis-tools)
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "bench: installing ${missing[*]}" >&2
    # policy-rc.d exit 101: the package's own service is not started; the bench starts its own
    # redis on 127.0.0.1 with a free port.
    policy=/usr/sbin/policy-rc.d
    created_policy=0
    if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 ||
      { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2; } ||
      echo "bench: could not install ${missing[*]}; those workloads are skipped" >&2
    if ((created_policy)); then rm -f "$policy"; fi
  else
    echo "bench: not root: skipping workloads that need ${missing[*]} (install: sudo apt-get install -y ${missing[*]})" >&2
  fi
fi

if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSECCHECK_WERROR=ON >&2
fi
cmake --build "$build" -j"$(nproc)" --target seccheck testprogs >&2
exec /usr/bin/python3 "$here/bench.py" --build-dir "$build" "$@"
