#include "analysis/findings.h"

#include <algorithm>

namespace seccheck::analysis {

bool Finding::blocked_by_any() const {
  return std::any_of(verdicts.begin(), verdicts.end(),
                     [](const ProfileVerdict& v) { return v.verdict.blocked(); });
}

std::size_t CheckReport::new_blocking_findings() const {
  return static_cast<std::size_t>(std::count_if(
      findings.begin(), findings.end(), [](const Finding& f) { return !f.known && f.blocked_by_any(); }));
}

bool CheckReport::gate_failed() const {
  return new_blocking_findings() > 0 || (fail_on_workload_error && workload_exit_status != 0);
}

Gate CheckReport::gate() const {
  if (interrupted) return Gate::kIncomplete;
  return gate_failed() ? Gate::kFail : Gate::kPass;
}

}  // namespace seccheck::analysis
