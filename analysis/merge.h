// Merging runs and profiles: several test runs, or several containers of one pod, into one.
// * Records: calls merged by key (RecordedCall::key), counts summed, the first occurrence's
//   details kept; the result is complete only if every input was.
// * Profiles: same default action (and errno) and architectures required; rules unioned, an
//   identical rule kept once, rules that differ only in their names merged into one (rules for
//   different calls are independent in a filter), argument-specific rules kept as they are, so
//   two ALLOW clone rules with EQ on different values stay two rules.
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
