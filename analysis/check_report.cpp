#include "analysis/check_report.h"

#include <algorithm>

#include "analysis/evaluate.h"
#include "analysis/explain.h"
#include "core/decode.h"
#include "core/syscall_table.h"
#include "core/version.h"

namespace seccheck::analysis {

std::string describe_call_pattern(const RecordedCall& call) {
  return describe_call(call.arch, call.nr, call.args);
}

std::vector<Finding> build_findings(const std::vector<RecordedCall>& calls,
                                    const std::vector<ResolvedProfile>& profiles) {
  std::vector<Finding> findings;
  for (const RecordedCall& call : calls) {
    Finding finding;
    bool blocked = false;
    for (const ResolvedProfile& profile : profiles) {
      Verdict verdict = evaluate(profile, call.arch, call.nr, call.args);
      blocked = blocked || verdict.blocked();
      std::string reason = explain(verdict, profile, nullptr, call.arch, call.nr, call.args);
      finding.verdicts.push_back({profile.name, verdict, std::move(reason)});
    }
    if (!blocked) continue;
    finding.key = call.key();
    finding.syscall = syscall_display_name(call.arch, call.nr);
    finding.pattern = describe_call_pattern(call);
    finding.call = call;
    findings.push_back(std::move(finding));
  }
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.syscall, a.call.arch, a.key) < std::tie(b.syscall, b.call.arch, b.key);
  });
  return findings;
}

CheckReport make_report(const RunRecord& record, const std::vector<ResolvedProfile>& profiles,
                        const Context& context) {
  CheckReport report;
  report.tool_version = std::string(seccheck_version());
  report.command = record.command;
  report.context = describe(context);
  report.started_at = record.started_at;
  report.duration_seconds = record.duration_seconds;
  report.workload_exit_status = record.exit_status;
  report.interrupted = record.interrupted;
  report.calls_stopped = record.calls_stopped;
  report.processes = record.processes;
  report.notices = record.notices;
  report.findings = build_findings(record.calls, profiles);
  for (const ResolvedProfile& profile : profiles)
    report.profiles.push_back({profile.name, action_text(profile.default_action)});
  return report;
}

}  // namespace seccheck::analysis
