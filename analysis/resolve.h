// Resolution: a Profile plus a Context gives what the runtime would load. Drops rules by
// includes/excludes (caps, arches, minKernel) as moby's loader does, resolves errno defaults
// (SCMP_ACT_ERRNO without errnoRet is EPERM in runc), picks the arch list from archMap, and
// applies runtime effects (runc's ENOSYS for calls newer than the filter names; rules an old
// libseccomp cannot name).
#pragma once

#include <string>
#include <vector>

#include "analysis/context.h"
#include "analysis/profile.h"

namespace seccheck::analysis {

struct ResolvedRule {
  std::vector<std::string> names;
  Action action;  // errno always filled in for kErrno
  std::vector<ArgCondition> args;
  int source_index = -1;  // index in Profile::rules
  std::string condition;  // why it applies, for reasons: "if no CAP_SYS_ADMIN", "" when unconditional
};

struct ResolvedProfile {
  std::string name;  // Profile::name
  Action default_action;  // errno filled in
  std::vector<Arch> architectures;  // the ABIs the filter accepts; others get bad-arch (KILL)
  std::vector<ResolvedRule> rules;  // file order
  Context context;
  std::vector<std::string> notes;  // runtime effects taken, for -v and explain
};

ResolvedProfile resolve(const Profile& profile, const Context& context);

}  // namespace seccheck::analysis
