// The English for verdicts: why a profile answers a call the way evaluate() decided, as reports
// and `seccheck explain` print it ("clone with CLONE_NEWUSER gets ERRNO(EPERM) from syscalls[3]
// [arg0 & 0x7e020000 == 0] if no CAP_SYS_ADMIN (docker@24.0)"). The only place verdict text is
// written; evaluation itself builds none.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/evaluate.h"
#include "analysis/profile.h"
#include "analysis/resolve.h"
#include "core/arch.h"

namespace seccheck::analysis {

// `verdict` is evaluate(profile, arch, nr, args). With `original` (the Profile `profile` was
// resolved from), rules the context dropped are named as hints, e.g. "needs CAP_SYS_ADMIN".
std::string explain(const Verdict& verdict, const ResolvedProfile& profile, const Profile* original,
                    Arch arch, int nr, const std::array<std::uint64_t, 6>& args);

// Everything `seccheck explain` says about one call under one profile: the verdict and why,
// then every rule of the profile that names the call with what the context made of it.
struct RuleInContext {
  const Rule* rule = nullptr;  // in the original profile
  Action action;               // as resolved (errno filled in) when in effect, else as written
  enum class Status {
    kNotInEffect,    // the context dropped it (capabilities, arch, kernel)
    kDecides,        // the rule the verdict came from
    kSameAsDefault,  // runc skips a rule equal to the default action
    kInEffect,       // in the filter, but another rule or the default decided
  } status = Status::kInEffect;
};
struct CallExplanation {
  std::string profile;
  Verdict verdict;
  std::string reason;
  std::vector<RuleInContext> rules;  // file order
  Action default_action;
  std::vector<std::string> notes;  // the resolution's runtime effects
};
// `profile` must outlive the explanation (rules point into it).
CallExplanation explain_call(const Profile& profile, const ResolvedProfile& resolved, Arch arch, int nr,
                             const std::array<std::uint64_t, 6>& args);

}  // namespace seccheck::analysis
