#include "analysis/findings.h"

#include <algorithm>

namespace seccheck::analysis {

bool Finding::blocked_by_any() const {
  return std::any_of(verdicts.begin(), verdicts.end(),
                     [](const ProfileVerdict& v) { return v.verdict.blocked(); });
}

bool Finding::fails_gate(GateMode mode) const {
  if (!blocked_by_any()) return false;
  if (mode == GateMode::kAny) return true;
  // No impact known for a blocking profile (not tried): it counts, as under kAny.
  for (const ProfileVerdict& v : verdicts) {
    if (!v.verdict.blocked()) continue;
    auto it = std::find_if(impacts.begin(), impacts.end(),
                           [&](const FindingImpact& impact) { return impact.profile == v.profile; });
    if (it == impacts.end() || it->breaks_or_unknown()) return true;
  }
  return false;
}

std::size_t CheckReport::new_blocking_findings() const {
  return static_cast<std::size_t>(std::count_if(
      findings.begin(), findings.end(), [this](const Finding& f) { return !f.known && f.fails_gate(gate); }));
}

bool CheckReport::gate_failed() const {
  return new_blocking_findings() > 0 || (fail_on_workload_error && workload_exit_status != 0);
}

}  // namespace seccheck::analysis
