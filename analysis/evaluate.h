// Exact evaluation with the kernel's semantics, as the filter libseccomp compiles from the
// resolved rules would decide: rules for one syscall are ORed, conditions in one rule ANDed,
// 64-bit comparisons (32-bit ABIs see the low 32 bits), libseccomp's merge of rules that
// overlap or conflict, action precedence as the kernel orders it.
//
// What the filter runc builds does (libseccomp 2.5.4, checked against the kernel by
// tests/analysis/kernel_differential_test.cpp):
// * ABIs not in ResolvedProfile::architectures (the native x86_64 is always in the filter)
//   get the bad-arch action, SECCOMP_RET_KILL_THREAD (libseccomp's default; runc keeps it).
// * runc's -ENOSYS stub (ResolvedProfile::enosys_stubs) answers first.
// * A number that names no call on its ABI gets the default action.
// * A rule whose action equals the default action is refused by libseccomp (-EACCES) and
//   skipped by runc. A rule with several conditions on one argument is split by runc into one
//   single-condition rule per condition (libseccomp refuses it with -EINVAL otherwise).
// * An unconditional rule makes libseccomp drop every conditional rule of that syscall, before
//   or after it; among unconditional rules the first one added wins.
// * Conditional rules: the call gets the action of a matching rule; when matching rules carry
//   different actions, libseccomp's tree order decides. db.c orders the nodes of one tree level
//   by argument, then comparison class (GT/GE < LT/LE < EQ/NE/MASKED_EQ), then datum (LT/LE
//   datums inverted), and the generated BPF tests the level from the greatest node down, so
//   the rule whose chain sorts greatest wins: a higher argument index, then EQ/NE/MASKED_EQ over
//   LT/LE over GT/GE, then the larger datum (the smaller one for LT/LE). Measured against the
//   kernel in tests/analysis (e.g. ERRNO [arg0 == 40] beats ALLOW [arg0 != 16], so
//   containers-common 0.67 without CAP_AUDIT_WRITE denies AF_VSOCK sockets with EPERM).
// * i386 and x32 are 32-bit ABIs to libseccomp: it compares only the low 32 bits of the
//   argument and of the rule's datum and mask.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/profile.h"
#include "analysis/resolve.h"
#include "core/arch.h"

namespace seccheck::analysis {

// How a verdict was reached, as plain data: evaluating a call builds no text. explain()
// (analysis/explain.h) turns a verdict into English for reports and `seccheck explain`.
enum class DecidedBy {
  kBadArch,      // the ABI is not in the filter's architectures: the bad-arch action kills the thread
  kRuntimeStub,  // runc's ENOSYS stub: the number is above the newest call the filter names on the ABI
  kNoSuchCall,   // the number names no call on the ABI: the default action
  kRule,         // a rule decided (rule_index, effective_rule)
  kDefault,      // no rule matched: the default action
};

struct Verdict {
  Action action;  // errno filled in for kErrno
  DecidedBy decided_by = DecidedBy::kDefault;
  int rule_index = -1;      // kRule: index in ResolvedProfile::rules; -1 otherwise
  int effective_rule = -1;  // kRule: index in effective_rules(profile, syscall)
  // kRule: an effective rule with another action that libseccomp's merge set aside: the
  // unconditional rule kept over it, or a matching rule its filter tests after the chosen one.
  int set_aside_rule = -1;

  bool blocked() const { return action.blocks(); }
  bool bad_arch() const { return decided_by == DecidedBy::kBadArch; }
};

Verdict evaluate(const ResolvedProfile& profile, Arch arch, int nr, const std::array<std::uint64_t, 6>& args);

// "bad_arch", "runtime_stub", "no_such_call", "rule", "default": how JSON reports name them.
std::string_view decided_by_name(DecidedBy decided_by);
std::optional<DecidedBy> parse_decided_by(std::string_view name);

// One rule as runc hands it to libseccomp for one syscall: rules equal to the default action
// are gone and rules with several conditions on one argument are split. compile() adds
// exactly these, in this order, so evaluation and the compiled filter agree.
struct EffectiveRule {
  int rule_index = -1;  // index in ResolvedProfile::rules
  Action action;
  std::vector<ArgCondition> args;  // ANDed
};
std::vector<EffectiveRule> effective_rules(const ResolvedProfile& profile, std::string_view syscall);
// Whether one argument condition holds for `arg` as the filter compiled for `arch` compares it
// (32-bit ABIs: the low words of the argument, datum and mask).
bool condition_holds(const ArgCondition& condition, std::uint64_t arg, Arch arch);
// True when the filter accepts calls of `arch` (the native x86_64 always).
bool arch_in_filter(const ResolvedProfile& profile, Arch arch);

// "ALLOW", "ERRNO(EPERM)", "ERRNO(38)" for unnamed values, "KILL_THREAD", "TRACE(7)".
std::string action_text(const Action& action);
// "arg0 != 40", "arg0 & 0x7e020000 == 0", "arg1 <= 0xffffffff".
std::string arg_condition_text(const ArgCondition& condition);

}  // namespace seccheck::analysis
