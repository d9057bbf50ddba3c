// Merging runs and profiles: several test runs, or several containers of one pod, into one.
// * Records: calls merged by key (RecordedCall::key), counts summed, the first occurrence's
//   details kept; the result is complete only if every input was.
// * Profiles: same default action (and errno) and architectures required; rules unioned in
//   order (the first profile's, then each later profile's new ones), a rule identical in names,
//   action, arguments and conditions kept once (comments joined); argument-specific rules are
//   kept as they are, so two ALLOW clone rules with EQ on different values stay two rules.
//   Rules are not regrouped: among unconditional rules for one call libseccomp keeps the
//   first added, so moving names between rules could change a verdict.
// Conflicts are one-line errors naming the inputs.
#pragma once

#include <vector>

#include "analysis/profile.h"
#include "analysis/run_record.h"
#include "core/result.h"

namespace seccheck::analysis {

Result<RunRecord> merge_records(const std::vector<RunRecord>& records);
Result<Profile> merge_profiles(const std::vector<Profile>& profiles);

}  // namespace seccheck::analysis
