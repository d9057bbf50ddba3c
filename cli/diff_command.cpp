// seccheck diff RECORD: re-check a run saved with `check --record` against other profiles,
// versions or capability sets, offline, without running the workload again.
#include <iostream>

#include "analysis/check_findings.h"
#include "analysis/evaluate.h"
#include "analysis/run_record.h"
#include "cli/check_support.h"
#include "cli/commands.h"
#include "cli/context_options.h"
#include "cli/help_example.h"
#include "core/error.h"

namespace seccheck::cli {
namespace {

struct DiffOptions {
  std::string record_path;
  std::vector<std::string> profiles;
  ReportOptions report;
  ContextOptions context;
};

int run_diff(const DiffOptions& options) {
  auto record = analysis::load_run_record(options.record_path);
  if (!record) throw UserError(ExitCode::kUsage, record.error().message);
  analysis::Context context = make_context(options.context);
  SelectedProfiles selected = select_profiles(options.profiles, context, options.report.verbosity > 0);

  analysis::CheckReport report;
  report.tool_version = SECCHECK_VERSION;
  report.command = record->command;
  report.context = analysis::describe(context);
  report.started_at = record->started_at;
  report.duration_seconds = record->duration_seconds;
  report.workload_exit_status = record->exit_status;
  report.interrupted = record->interrupted;
  report.calls_stopped = record->calls_seen;
  report.processes = record->processes;
  report.notices = record->notices;
  if (!record->complete)
    report.notices.push_back(
        "the record holds only the calls its own check flagged; calls every profile of that "
        "check allowed are not in it");
  report.findings = analysis::build_findings(record->calls, selected.resolved);
  for (const analysis::ResolvedProfile& profile : selected.resolved)
    report.profiles.push_back({profile.name, analysis::action_text(profile.default_action)});
  return emit_report(report, options.report);
}

}  // namespace

Command register_diff_command(CLI::App& app) {
  auto options = std::make_shared<DiffOptions>();
  CLI::App* sub =
      app.add_subcommand("diff", "Re-check a saved run (check --record) against other profiles, offline");
  sub->add_option("record", options->record_path, "A record written by `seccheck check --record FILE`")
      ->required();
  sub->add_option("--profile", options->profiles,
                  "Profile to check against: a catalog name or a file; repeatable. Default: runtime-default");
  add_context_options(sub, options->context);
  add_report_options(sub, options->report);
  set_example(sub, "seccheck diff run.json --profile docker@20.10 --profile docker@29.4 --cap-add SYS_ADMIN");
  return {sub, [options] { return run_diff(*options); }};
}

}  // namespace seccheck::cli
