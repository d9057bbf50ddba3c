#!/usr/bin/env bash
# Extra CI stages (issue 6), run after the normal build and test suite:
#   asan    configure build-asan with -DSECCHECK_SANITIZE=ON (ASan+UBSan; testprogs are never
#           sanitized) and run the whole ctest suite there
#   fuzz    build the libFuzzer targets with clang in build-fuzz, replay fuzz/regressions/ and
#           the seed corpora, then fuzz each target for FUZZ_SECONDS (default 60) seconds
#   format  clang-format-14 --dry-run over the project's C++ files; fails when one differs
#           (fix: clang-format -i FILE)
#
#   scripts/ci_extra.sh [asan] [fuzz] [format]     (no argument: all three)
# Env: JOBS (default: nproc), FUZZ_SECONDS, SECCHECK_ASAN_BUILD, SECCHECK_FUZZ_BUILD.
# Prints how long each stage took; exits non-zero when a test fails under the sanitizers or a
# fuzzer finds a crash (the crashing input is kept in build-fuzz/crashes/).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="${JOBS:-$(nproc)}"
fuzz_seconds="${FUZZ_SECONDS:-60}"
asan_build="${SECCHECK_ASAN_BUILD:-$root/build-asan}"
fuzz_build="${SECCHECK_FUZZ_BUILD:-$root/build-fuzz}"
stages=("$@")
((${#stages[@]})) || stages=(asan fuzz format)

failures=()
timings=()
now() { date +%s; }

stage_asan() {
  # (`if stage_x` turns off set -e inside the function: chain with && instead.)
  cmake -S "$root" -B "$asan_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSECCHECK_SANITIZE=ON -DSECCHECK_WERROR=ON &&
    cmake --build "$asan_build" -j"$jobs" || return 1
  # halt_on_error/abort: a sanitizer report fails the test that triggered it. Leak checking
  # stays on: seccheck is never itself ptraced, so LeakSanitizer's stop-the-world works.
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    ctest --test-dir "$asan_build" --output-on-failure -j"$jobs"
}

stage_fuzz() {
  command -v clang++ >/dev/null || { echo "ci_extra: clang++ not installed (apt-get install clang)" >&2; return 1; }
  CC=clang CXX=clang++ cmake -S "$root" -B "$fuzz_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSECCHECK_FUZZ=ON \
    -DSECCHECK_BUILD_TESTS=OFF && cmake --build "$fuzz_build" -j"$jobs" --target fuzzers || return 1
  local status=0 target seeds dir extra
  mkdir -p "$fuzz_build/crashes"
  for target in profile_parser run_record baseline decode elf scan; do
    local bin="$fuzz_build/fuzz/fuzz_$target"
    case $target in
      profile_parser) seeds=profile ;;
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
    cd "$root" && find core elf scan tracer analysis report session cli tests fuzz -type f \( -name '*.h' -o -name '*.cpp' \) | sort)
  for f in "${files[@]}"; do
    if ! "$tool" --style=file --dry-run -Werror "$root/$f" >/dev/null 2>&1; then differ+=("$f"); fi
  done
  echo "ci_extra: clang-format: ${#differ[@]} of ${#files[@]} files differ from .clang-format"
  for f in "${differ[@]}"; do echo "  $f"; done
  ((${#differ[@]} == 0))
}

for stage in "${stages[@]}"; do
  case $stage in asan | fuzz | format) ;; *) echo "ci_extra: unknown stage '$stage' (asan, fuzz, format)" >&2; exit 2 ;; esac
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
