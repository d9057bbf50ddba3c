#include "analysis/findings.h"

#include <algorithm>

namespace seccheck::analysis {

namespace {

struct ReportInputName {
  ReportInput value;
  std::string_view name;
};
constexpr ReportInputName kReportInputNames[] = {
    {ReportInput::kRun, "run"}, {ReportInput::kScan, "scan"}, {ReportInput::kAudit, "audit"}};

}  // namespace

std::string_view report_input_name(ReportInput input) {
  for (const ReportInputName& entry : kReportInputNames)
    if (entry.value == input) return entry.name;
  return "run";
}

std::optional<ReportInput> parse_report_input(std::string_view name) {
  for (const ReportInputName& entry : kReportInputNames)
    if (entry.name == name) return entry.value;
  return std::nullopt;
}

bool Finding::blocked_by_any() const {
  return std::any_of(verdicts.begin(), verdicts.end(), [](const ProfileVerdict& v) { return v.blocks(); });
}

bool Finding::may_be_blocked() const {
  return !blocked_by_any() &&
         std::any_of(verdicts.begin(), verdicts.end(), [](const ProfileVerdict& v) { return v.may_block(); });
}

bool Finding::fails_gate(GateMode mode) const {
  if (!blocked_by_any()) return false;
  if (reachable()) return mode == GateMode::kReachable;
  if (mode != GateMode::kBreaking) return true;
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
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(), [this](const Finding& f) {
    return !f.known && f.fails_gate(gate_mode);
  }));
}

bool CheckReport::gate_failed() const {
  return new_blocking_findings() > 0 || (fail_on_workload_error && workload_exit_status != 0) ||
         (!records_lost.empty() && !allow_lost);
}

Gate CheckReport::gate() const {
  // An audit --follow ends with an interrupt by design: its report covers the records read until
  // then, complete for that window. A run cut short is not.
  if (interrupted && input != ReportInput::kAudit) return Gate::kIncomplete;
  return gate_failed() ? Gate::kFail : Gate::kPass;
}

}  // namespace seccheck::analysis
