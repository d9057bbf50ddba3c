// The evaluator's table: shared by evaluate_test.cpp (expected verdicts) and
// kernel_differential_test.cpp (the kernel must agree on every x86_64 and x32 row).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/profile.h"
#include "core/arch.h"
#include "tests/analysis/test_profiles.h"

namespace seccheck::analysis::test {

struct EvalCase {
  std::string name;
  const char* profile;
  Arch arch;
  std::string syscall;
  std::array<std::uint64_t, 6> args;
  ActionKind kind;
  std::optional<std::uint32_t> value;  // errno / trace data
  int rule;                            // expected rule index, -1 for default or bad arch
  bool bad_arch = false;
};

inline std::vector<EvalCase> eval_cases() {
  using A = ActionKind;
  const Arch x64 = Arch::kX86_64, x32 = Arch::kX32, i386 = Arch::kI386;
  const char* ops = kOpsProfile;
  return {
      // EQ, and the low-32-bit comparison of 32-bit ABIs
      {"EqMatches", ops, x64, "personality", {8}, A::kAllow, {}, 0},
      {"EqMisses", ops, x64, "personality", {9}, A::kErrno, 1u, -1},
      {"EqHighWordCounts", ops, x64, "personality", {0x100000008ull}, A::kErrno, 1u, -1},
      {"EqX32SeesLowWord", ops, x32, "personality", {0x100000008ull}, A::kAllow, {}, 0},
      {"EqI386SeesLowWord", ops, i386, "personality", {0x100000008ull}, A::kAllow, {}, 0},
      // NE
      {"NeMatches", ops, x64, "socket", {2}, A::kAllow, {}, 1},
      {"NeMisses", ops, x64, "socket", {40}, A::kErrno, 1u, -1},
      {"NeHighWord", ops, x64, "socket", {0x100000028ull}, A::kAllow, {}, 1},
      // LT (ERRNO with its own errno)
      {"LtBelow", ops, x64, "mmap", {0, 4095}, A::kErrno, 12u, 2},
      {"LtAt", ops, x64, "mmap", {0, 4096}, A::kErrno, 1u, -1},
      {"LtZero", ops, x64, "mmap", {0, 0}, A::kErrno, 12u, 2},
      // LE
      {"LeAt", ops, x64, "read", {0, 0, 10}, A::kAllow, {}, 3},
      {"LeAbove", ops, x64, "read", {0, 0, 11}, A::kErrno, 1u, -1},
      {"LeHighWord", ops, x64, "read", {0, 0, 0x100000000ull}, A::kErrno, 1u, -1},
      // GE on a 64-bit datum
      {"GeAt", ops, x64, "write", {0, 0, 0x100000000ull}, A::kAllow, {}, 4},
      {"GeBelow", ops, x64, "write", {0, 0, 0xffffffffull}, A::kErrno, 1u, -1},
      {"GeMax", ops, x64, "write", {0, 0, ~0ull}, A::kAllow, {}, 4},
      {"GeX32LowWordOnly", ops, x32, "write", {0, 0, 0}, A::kAllow, {}, 4},
      // GT
      {"GtAbove", ops, x64, "pread64", {0, 0, 0, 0x100000000ull}, A::kAllow, {}, 5},
      {"GtAt", ops, x64, "pread64", {0, 0, 0, 0xffffffffull}, A::kErrno, 1u, -1},
      {"GtX32NeverAboveLowWordMax", ops, x32, "pread64", {0, 0, 0, 0x1ffffffffull}, A::kErrno, 1u, -1},
      // MASKED_EQ
      {"MaskedClear", ops, x64, "clone", {0x11}, A::kAllow, {}, 6},
      {"MaskedNewUser", ops, x64, "clone", {0x10000000}, A::kErrno, 1u, -1},
      {"MaskedOutsideMaskBits", ops, x64, "clone", {0x80000011ull}, A::kAllow, {}, 6},
      {"MaskedNewNs", ops, x64, "clone", {0x20000}, A::kErrno, 1u, -1},
      // two arguments ANDed
      {"MultiArgBoth", ops, x64, "kill", {1, 9}, A::kAllow, {}, 7},
      {"MultiArgOne", ops, x64, "kill", {1, 15}, A::kErrno, 1u, -1},
      // two conditions on one argument: runc splits them into two ORed rules
      {"SameArgFirst", ops, x64, "tkill", {0, 25}, A::kAllow, {}, 8},
      {"SameArgSecond", ops, x64, "tkill", {0, 3}, A::kAllow, {}, 8},
      {"SameArgNeither", ops, x64, "tkill", {0, 10}, A::kErrno, 1u, -1},
      // unconditional rules win over conditional ones, the first unconditional one stays
      {"UnconditionalFirstWins", ops, x64, "setns", {}, A::kAllow, {}, 9},
      {"UnconditionalBeatsEarlierConditional", ops, x64, "getpid", {0}, A::kAllow, {}, 12},
      // conflicting conditional rules: libseccomp's tree order decides (measured: the greatest node wins)
      {"ConflictEqVsNe", ops, x64, "getuid", {40}, A::kErrno, 16u, 13},
      {"ConflictNeMisses", ops, x64, "getuid", {16}, A::kErrno, 1u, -1},
      {"ConflictOnlyNe", ops, x64, "getuid", {3}, A::kAllow, {}, 14},
      {"ConflictGtVsLt", ops, x64, "geteuid", {15}, A::kAllow, {}, 23},
      {"ConflictOnlyLt", ops, x64, "geteuid", {5}, A::kAllow, {}, 23},
      {"ConflictOnlyGt", ops, x64, "geteuid", {25}, A::kErrno, 17u, 22},
      {"ConflictAcrossArgs", ops, x64, "getegid", {5, 5}, A::kErrno, 18u, 24},
      {"ConflictAcrossArgsOnlyArg1", ops, x64, "getegid", {4, 5}, A::kErrno, 18u, 24},
      {"ConflictGeGe", ops, x64, "getppid", {10000}, A::kErrno, 19u, 28},
      {"ConflictGeOnlyLower", ops, x64, "getppid", {5000}, A::kAllow, {}, 27},
      {"ConflictLeLe", ops, x64, "getpgrp", {10}, A::kAllow, {}, 30},
      {"ConflictLeOnlyHigher", ops, x64, "getpgrp", {70}, A::kErrno, 20u, 29},
      // a rule equal to the default action is skipped
      {"DefaultEqualRuleSkipped", ops, x64, "getgid", {0}, A::kErrno, 1u, -1},
      {"DefaultEqualRuleOther", ops, x64, "getgid", {1}, A::kAllow, {}, 16},
      // every action
      {"KillProcess", ops, x64, "uname", {}, A::kKillProcess, {}, 17},
      {"Trap", ops, x64, "sync", {}, A::kTrap, {}, 18},
      {"Log", ops, x64, "chdir", {}, A::kLog, {}, 19},
      {"KillThread", ops, x64, "chroot", {}, A::kKillThread, {}, 20},
      {"Trace", ops, x64, "fchdir", {}, A::kTrace, 5u, 21},
      // libseccomp 2.5.4 cannot name statmount; seccheck compiles it by number
      {"NewerThanLibseccomp", ops, x64, "statmount", {}, A::kAllow, {}, 26},
      // arch filtering and the default errno
      {"DefaultEnosys", kNativeOnlyProfile, x64, "getppid", {}, A::kErrno, 38u, -1},
      {"NativeAllowed", kNativeOnlyProfile, x64, "getpid", {}, A::kAllow, {}, 0},
      {"BadArchX32", kNativeOnlyProfile, x32, "getpid", {}, A::kKillThread, {}, -1, true},
      {"BadArchI386", kNativeOnlyProfile, i386, "getpid", {}, A::kKillThread, {}, -1, true},
      {"ListedX32", ops, x32, "getpid", {}, A::kAllow, {}, 12},
      {"ListedI386", ops, i386, "getpid", {}, A::kAllow, {}, 12},
  };
}

}  // namespace seccheck::analysis::test
