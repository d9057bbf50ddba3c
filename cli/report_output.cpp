#include "cli/report_output.h"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "cli/messages.h"
#include "cli/value_kind.h"
#include "core/error.h"
#include "report/baseline.h"
#include "report/renderer.h"

namespace seccheck::cli {

void add_report_options(CLI::App* sub, ReportOptions& options) {
  sub->add_option("--format", options.format, "Report format: text, json, sarif, junit, markdown")
      ->check(CLI::IsMember(report::format_names()))
      ->default_str("text");
  completes_as(sub->add_option("-o,--output", options.output_path,
                               "Write the report to FILE instead of standard output"),
               ValueKind::kFile);
  completes_as(
      sub->add_option("--baseline", options.baseline_path,
                      "A previous JSON report: its findings are shown as known and do not fail the gate"),
      ValueKind::kFile);
  sub->add_flag("--fail-on-workload-error", options.fail_on_workload_error,
                "Exit 1 also when the workload itself exits non-zero");
  sub->add_flag("-q,--quiet", options.quiet, "No progress line and no notes on standard error");
  sub->add_flag("-v,--verbose", options.verbosity,
                "Explain what seccheck does (filters, profiles, fallbacks)");
}

ReportTarget prepare_report(const ReportOptions& options,
                            const std::vector<const OutputFile*>& other_outputs) {
  ReportTarget target{OutputFile("-o", options.output_path), std::nullopt};
  std::vector<const OutputFile*> outputs = {&target.output};
  for (const OutputFile* other : other_outputs)
    if (!other->is_stdout()) outputs.push_back(other);  // standard output there means "not given"
  require_distinct_outputs(outputs);
  if (!options.baseline_path.empty()) {
    auto keys = report::load_baseline_keys(options.baseline_path);
    if (!keys) throw UserError(ExitCode::kUsage, keys.error().message);
    target.baseline_keys = std::move(*keys);
  }
  return target;
}

session::Diagnostics diagnostics_for(int verbosity) {
  session::Diagnostics diagnostics;
  diagnostics.warning = [](const std::string& text) { print_message("warning", text); };
  if (verbosity > 0) diagnostics.verbose = [](const std::string& text) { print_message(text); };
  return diagnostics;
}

void print_notices(const analysis::CheckReport& report, const ReportOptions& options) {
  if (options.quiet) return;
  for (const std::string& notice : report.notices)
    print_message("note", notice);
}

int emit_report(analysis::CheckReport& report, const ReportOptions& options, const ReportTarget& target) {
  report.fail_on_workload_error = options.fail_on_workload_error;
  if (target.baseline_keys) report::apply_baseline(report, *target.baseline_keys);
  auto format = report::parse_format(options.format);
  if (!format) throw UserError(ExitCode::kUsage, "--format " + options.format + ": unknown format");
  report::RenderOptions render_options;
  render_options.color = target.output.is_stdout() && *format == report::Format::kText &&
                         isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
  std::ostringstream text;
  report::make_renderer(*format, render_options)->render(report, text);
  target.output.write(text.str());
  switch (report.gate()) {
    case analysis::Gate::kPass: return static_cast<int>(ExitCode::kOk);
    case analysis::Gate::kFail: return static_cast<int>(ExitCode::kWouldBlock);
    case analysis::Gate::kIncomplete: return static_cast<int>(ExitCode::kIncomplete);
  }
  return static_cast<int>(ExitCode::kWouldBlock);
}

}  // namespace seccheck::cli
