// The seccomp profile model: the whole OCI / Docker profile format as typed structs.
// Parsing lives in profile_parser.h, resolution for a context in resolve.h, evaluation in
// evaluate.h. A Profile is exactly what the file says (conditional rules kept); a
// ResolvedProfile is what a runtime would load for one context.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/arch.h"

namespace seccheck::analysis {

// SCMP_ACT_* in the kernel's precedence order, most severe first (KILL_PROCESS wins).
enum class ActionKind {
  kKillProcess,  // SCMP_ACT_KILL_PROCESS
  kKillThread,   // SCMP_ACT_KILL_THREAD, and SCMP_ACT_KILL (its old name)
  kTrap,         // SCMP_ACT_TRAP
  kErrno,        // SCMP_ACT_ERRNO
  kNotify,       // SCMP_ACT_NOTIFY (user notification)
  kTrace,        // SCMP_ACT_TRACE
  kLog,          // SCMP_ACT_LOG
  kAllow,        // SCMP_ACT_ALLOW
};

struct Action {
  ActionKind kind = ActionKind::kAllow;
  // errno for kErrno (nullopt: the profile's defaultErrnoRet, else the runtime's EPERM);
  // the tracer message for kTrace.
  std::optional<std::uint32_t> value;

  bool blocks() const { return kind != ActionKind::kAllow && kind != ActionKind::kLog; }
  friend bool operator==(const Action&, const Action&) = default;
};

enum class CompareOp { kNe, kLt, kLe, kEq, kGe, kGt, kMaskedEq };

struct ArgCondition {
  unsigned index = 0;  // 0..5
  CompareOp op = CompareOp::kEq;
  std::uint64_t value = 0;
  std::uint64_t value_two = 0;  // the datum for kMaskedEq (value is the mask)
  friend bool operator==(const ArgCondition&, const ArgCondition&) = default;
};

// includes / excludes of the Docker format.
struct RuleFilter {
  std::vector<std::string> caps;    // "CAP_SYS_ADMIN"
  std::vector<std::string> arches;  // moby's names: amd64, x86, x32, arm64, s390x, ...
  std::string min_kernel;           // "4.8", "" when absent
  friend bool operator==(const RuleFilter&, const RuleFilter&) = default;
};

struct Rule {
  std::vector<std::string> names;
  Action action;
  std::vector<ArgCondition> args;  // ANDed
  RuleFilter includes;
  RuleFilter excludes;
  std::string comment;
  int source_index = -1;  // position in the profile's `syscalls` array
  // containers-common's `errno` string ("EPERM"), which overrides errnoRet; "" when absent.
  // action.value already holds its number.
  std::string errno_name;
};

struct ArchMapEntry {
  std::string architecture;  // SCMP_ARCH_X86_64
  std::vector<std::string> sub_architectures;
};

struct Profile {
  std::string name;    // "docker@29.4.3" or the file path
  std::string source;  // where it came from, for messages
  Action default_action{ActionKind::kErrno, std::nullopt};
  std::optional<std::uint32_t> default_errno_ret;
  std::vector<std::string> architectures;  // SCMP_ARCH_*
  std::vector<ArchMapEntry> arch_map;
  std::vector<Rule> rules;
  std::vector<std::string> flags;  // SECCOMP_FILTER_FLAG_*
  std::string listener_path;
  std::string listener_metadata;
  // containers-common's `defaultErrno` string, which overrides defaultErrnoRet; "" when absent.
  std::string default_errno_name;
  std::vector<std::string> warnings;  // e.g. unknown syscall names, listed once each
};

}  // namespace seccheck::analysis
