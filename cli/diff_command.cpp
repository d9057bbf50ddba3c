// seccheck diff RECORD: re-check a run saved with `check --record` against other profiles,
// versions or capability sets, offline, without running the workload again.
#include "analysis/check_report.h"
#include "analysis/run_record.h"
#include "cli/commands.h"
#include "cli/context_options.h"
#include "cli/help_example.h"
#include "cli/report_output.h"
#include "cli/value_kind.h"
#include "core/error.h"
#include "session/filters.h"

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
  const analysis::Context context = make_context(options.context);
  const analysis::ProfileSelection selected =
      session::select_profiles(options.profiles, context, diagnostics_for(options.report.verbosity));
  analysis::CheckReport report = analysis::make_report(*record, selected.resolved, context);
  if (!record->complete)
    report.notices.push_back("the record holds only the calls its own check flagged; calls every profile of "
                             "that check allowed are "
                             "not in it");
  return emit_report(report, options.report);
}

}  // namespace

Command register_diff_command(CLI::App& app) {
  auto options = std::make_shared<DiffOptions>();
  CLI::App* sub =
      app.add_subcommand("diff", "Re-check a saved run (check --record) against other profiles, offline");
  completes_as(
      sub->add_option("record", options->record_path, "A record written by `seccheck check --record FILE`"),
      ValueKind::kFile)
      ->required();
  completes_as(
      sub->add_option(
          "--profile", options->profiles,
          "Profile to check against: a catalog name or a file; repeatable. Default: runtime-default"),
      ValueKind::kProfile);
  add_context_options(sub, options->context);
  add_report_options(sub, options->report);
  set_example(sub, "seccheck diff run.json --profile docker@20.10 --profile docker@29.4 --cap-add SYS_ADMIN");
  return {sub, [options] { return run_diff(*options); }};
}

}  // namespace seccheck::cli
