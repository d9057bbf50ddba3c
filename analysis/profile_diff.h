// Comparing two profiles, as `seccheck profiles diff` shows it.
// * In effect: what each resolved profile does with every syscall of one ABI, taken from the
//   evaluator's own rule selection (arch_in_filter, runc's ENOSYS stub, effective_rules: what
//   runc hands libseccomp), so the comparison can never disagree with evaluate(). Conditional
//   rules are compared as a set: the same rules in another order are no difference.
// * As written (--raw): rules added and removed, grouped by action, conditions and
//   includes/excludes, plus changes of the default action and the architectures.
#pragma once

#include <string>
#include <vector>

#include "analysis/profile.h"
#include "analysis/resolve.h"
#include "core/arch.h"

namespace seccheck::analysis {

// What a resolved profile does with one syscall on one ABI.
struct Treatment {
  enum class Kind {
    kBadArch,      // the filter does not accept the ABI: the thread is killed
    kRuntimeStub,  // runc's ENOSYS stub answers first
    kAction,       // one action for every call: the default, or an unconditional rule that decides alone
    kConditional,  // the conditional rules that name the call (the default action otherwise)
  };
  struct ConditionalRule {
    Action action;
    std::vector<ArgCondition> args;
    friend bool operator==(const ConditionalRule&, const ConditionalRule&) = default;
  };
  Kind kind = Kind::kAction;
  Action action;                       // kAction
  std::vector<ConditionalRule> rules;  // kConditional: sorted, without repeats

  friend bool operator==(const Treatment&, const Treatment&) = default;
};

Treatment treatment(const ResolvedProfile& profile, Arch arch, int nr);

struct TreatmentDifference {
  std::string syscall;
  Treatment left;
  Treatment right;
};
// Every syscall of `arch` the two profiles treat differently, by name.
std::vector<TreatmentDifference> treatment_differences(const ResolvedProfile& left,
                                                       const ResolvedProfile& right, Arch arch);

// Rules as written, one group per (action, conditions, includes/excludes), for --raw.
struct RuleGroup {
  Action action;
  std::vector<ArgCondition> args;
  std::string condition;  // condition_text(): "if CAP_SYS_ADMIN", "" when unconditional
  std::vector<std::string> names;
};
struct RawDifference {
  bool default_changed = false;
  bool architectures_changed = false;
  std::vector<RuleGroup> added;    // in `right`, not in `left`
  std::vector<RuleGroup> removed;  // in `left`, not in `right`
  bool empty() const {
    return !default_changed && !architectures_changed && added.empty() && removed.empty();
  }
};
RawDifference raw_difference(const Profile& left, const Profile& right);

}  // namespace seccheck::analysis
