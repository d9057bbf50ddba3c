#!/usr/bin/env bash
# Extra CI stages (issue 6), run after the normal build and test suite:
#   asan    configure build-asan with -DSECCHECK_SANITIZE=ON (ASan+UBSan; testprogs are never
#           sanitized) and run the whole ctest suite there
#   fuzz    build the libFuzzer targets with clang in build-fuzz, replay fuzz/regressions/ and
#           the seed corpora, then fuzz each target for FUZZ_SECONDS (default 60) seconds
#   format  clang-format-14 --dry-run over the project's C++ files; fails when one differs
#           (fix: clang-format -i FILE)
#   tidy    clang-tidy-14 (.clang-tidy) over every project source in the build's
#           compile_commands.json (SECCHECK_TIDY_BUILD, default build/: configure and build it
#           first, generated sources must exist); any finding fails. TIDY_BASE=<git rev> checks
#           only the sources changed since that rev and those that include a changed header
#
#   scripts/ci_extra.sh [asan] [fuzz] [format] [tidy]     (no argument: all four)
# Env: JOBS (default: nproc), FUZZ_SECONDS, SECCHECK_ASAN_BUILD, SECCHECK_FUZZ_BUILD,
#      SECCHECK_TIDY_BUILD, TIDY_BASE.
# Prints how long each stage took; exits non-zero when a test fails under the sanitizers or a
# fuzzer finds a crash (the crashing input is kept in build-fuzz/crashes/).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="${JOBS:-$(nproc)}"
fuzz_seconds="${FUZZ_SECONDS:-60}"
asan_build="${SECCHECK_ASAN_BUILD:-$root/build-asan}"
fuzz_build="${SECCHECK_FUZZ_BUILD:-$root/build-fuzz}"
tidy_build="${SECCHECK_TIDY_BUILD:-$root/build}"
# The project's C++ folders: the components (CMakeLists.txt, SECCHECK_COMPONENTS), the CLI,
# tests and fuzzers; a folder not written yet is skipped.
source_dirs=(core bpf elf tracer analysis report session audit scan container cli tests fuzz)
stages=("$@")
((${#stages[@]})) || stages=(asan fuzz format tidy)

failures=()
timings=()
now() { date +%s; }

# The sanitizer and fuzzer builds compile C++ at -O1 with line tables only (-g1): what ASan's
# reports need (function, file, line), at half the compile time of -O2 -g (measured on
# check_e2e_test.cpp: 14 s against 29 s), the largest part of the CI run. The C testprogs keep the
# normal flags: stack tests compare their frames with addr2line.
light_cxx_flags=(-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG")

stage_asan() {
  # (`if stage_x` turns off set -e inside the function: chain with && instead.)
  cmake -S "$root" -B "$asan_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${light_cxx_flags[@]}" -DSECCHECK_SANITIZE=ON \
    -DSECCHECK_WERROR=ON &&
    cmake --build "$asan_build" -j"$jobs" || return 1
  # halt_on_error/abort: a sanitizer report fails the test that triggered it. Leak checking
  # stays on: seccheck is never itself ptraced, so LeakSanitizer's stop-the-world works.
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    ctest --test-dir "$asan_build" --output-on-failure -j"$jobs"
}

stage_fuzz() {
  command -v clang++ >/dev/null || { echo "ci_extra: clang++ not installed (apt-get install clang)" >&2; return 1; }
  CC=clang CXX=clang++ cmake -S "$root" -B "$fuzz_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${light_cxx_flags[@]}" -DSECCHECK_FUZZ=ON \
    -DSECCHECK_BUILD_TESTS=OFF && cmake --build "$fuzz_build" -j"$jobs" --target fuzzers || return 1
  local status=0 target seeds dir extra
  mkdir -p "$fuzz_build/crashes"
  for target in profile_parser run_record baseline decode audit_parser elf scan; do
    local bin="$fuzz_build/fuzz/fuzz_$target"
    case $target in
      profile_parser) seeds=profile ;;
      audit_parser) seeds=audit ;;
      scan) seeds=elf ;;
      *) seeds=$target ;;
    esac
    # 1. Every input that ever crashed stays fixed.
    if compgen -G "$root/fuzz/regressions/$target/*" >/dev/null; then
      echo "ci_extra: fuzz_$target: replaying fuzz/regressions/$target"
      "$bin" "$root"/fuzz/regressions/"$target"/* || status=1
    fi
    # 2. Fuzz from a scratch corpus (new inputs go there, not into the tree), seeded from
    # fuzz/corpus and, for profiles, the real RuntimeDefault profiles in ../shared (read-only).
    dir="$fuzz_build/corpus/$target"
    mkdir -p "$dir"
    extra=()
    if [[ $target == profile_parser && -d "$root/../shared/reference-profiles" ]]; then
      extra+=("$root/../shared/reference-profiles")
    fi
    # The audit parser's fixtures (every input form) seed it too.
    if [[ $target == audit_parser ]]; then extra+=("$root/tests/audit/fixtures"); fi
    echo "ci_extra: fuzz_$target: ${fuzz_seconds}s"
    if ! "$bin" "$dir" "$root/fuzz/corpus/$seeds" "${extra[@]}" -max_total_time="$fuzz_seconds" -timeout=10 \
      -rss_limit_mb=2048 -max_len=131072 -print_final_stats=1 -artifact_prefix="$fuzz_build/crashes/${target}-" \
      2>"$fuzz_build/fuzz_$target.log"; then
      status=1
      echo "ci_extra: fuzz_$target FOUND A CRASH; input in $fuzz_build/crashes/, log $fuzz_build/fuzz_$target.log:" >&2
      grep -E "ERROR|SUMMARY|fuzz_$target:|Test unit written" "$fuzz_build/fuzz_$target.log" | head -20 >&2
    else
      grep -E "stat::number_of_executed_units|cov:" "$fuzz_build/fuzz_$target.log" | tail -2
    fi
  done
  return $status
}

stage_format() {
  local tool
  tool="$(command -v clang-format-14 || command -v clang-format || true)"
  [[ -n $tool ]] || { echo "ci_extra: clang-format not installed (apt-get install clang-format)" >&2; return 1; }
  local files=() differ=() f
  while IFS= read -r f; do files+=("$f"); done < <(
    cd "$root" && for dir in "${source_dirs[@]}"; do [[ -d $dir ]] && echo "$dir"; done |
      xargs -I{} find {} -type f \( -name '*.h' -o -name '*.cpp' \) | sort)
  for f in "${files[@]}"; do
    if ! "$tool" --style=file --dry-run -Werror "$root/$f" >/dev/null 2>&1; then differ+=("$f"); fi
  done
  echo "ci_extra: clang-format: ${#differ[@]} of ${#files[@]} files differ from .clang-format"
  for f in "${differ[@]}"; do echo "  $f"; done
  ((${#differ[@]} == 0))
}

stage_tidy() {
  local tool commands="$tidy_build/compile_commands.json"
  tool="$(command -v clang-tidy-14 || command -v clang-tidy || true)"
  [[ -n $tool ]] || { echo "ci_extra: clang-tidy not installed (apt-get install clang-tidy)" >&2; return 1; }
  [[ -f $commands ]] || {
    echo "ci_extra: $commands is missing: configure and build $tidy_build first (bash scripts/setup.sh test)" >&2
    return 1
  }
  # The project's own sources as the build compiles them: not generated files, not testprogs/
  # (C programs that make raw calls on purpose).
  local files=() f
  while IFS= read -r f; do files+=("$f"); done < <(
    sed -n 's|^ *"file": "'"$root"'/\(.*\.cpp\)",\{0,1\}$|\1|p' "$commands" | grep -v '^testprogs/' | sort -u)
  if [[ -n ${TIDY_BASE:-} ]]; then
    local changed=() keep=()
    while IFS= read -r f; do changed+=("$f"); done < <(git -C "$root" diff --name-only "$TIDY_BASE" -- '*.h' '*.cpp')
    # A changed header is checked through the sources that include it (rooted at the
    # repository: "analysis/profile.h"); its findings show in any of them.
    local headers=() h
    for h in "${changed[@]}"; do [[ $h == *.h ]] && headers+=("#include \"$h\""); done
    for f in "${files[@]}"; do
      if printf '%s\n' "${changed[@]}" | grep -qxF "$f" ||
        { ((${#headers[@]})) && grep -qF -f <(printf '%s\n' "${headers[@]}") "$root/$f"; }; then
        keep+=("$f")
      fi
    done
    files=("${keep[@]}")
    echo "ci_extra: clang-tidy: ${#changed[@]} C++ files changed since $TIDY_BASE"
  fi
  echo "ci_extra: clang-tidy: ${#files[@]} sources, $jobs at a time"
  ((${#files[@]})) || return 0
  local log="$tidy_build/clang-tidy.log" status=0
  # -Wno-unknown-warning-option: the commands are GCC's; a flag only GCC knows is not a finding.
  (cd "$root" && printf '%s\n' "${files[@]}" |
    xargs -P "$jobs" -n 1 "$tool" -p "$tidy_build" --quiet --extra-arg=-Wno-unknown-warning-option) >"$log" 2>&1 ||
    status=1
  grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Error while processing' \
    "$log" || true
  ((status == 0)) || echo "ci_extra: clang-tidy found problems (full log: $log)" >&2
  return $status
}

for stage in "${stages[@]}"; do
  case $stage in asan | fuzz | format | tidy) ;; *) echo "ci_extra: unknown stage '$stage' (asan, fuzz, format, tidy)" >&2; exit 2 ;; esac
  echo "=== ci_extra: $stage ==="
  start=$(now)
  if "stage_$stage"; then result=ok; else result=FAILED; failures+=("$stage"); fi
  timings+=("$stage: $result in $(($(now) - start)) s")
done
echo "=== ci_extra: summary ==="
printf '  %s\n' "${timings[@]}"
if ((${#failures[@]})); then
  echo "ci_extra: failed: ${failures[*]}" >&2
  exit 1
fi
