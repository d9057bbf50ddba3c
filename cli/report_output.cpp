#include "cli/report_output.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

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

session::Diagnostics diagnostics_for(int verbosity) {
  session::Diagnostics diagnostics;
  diagnostics.warning = [](const std::string& text) { std::cerr << "seccheck: warning: " << text << "\n"; };
  if (verbosity > 0)
    diagnostics.verbose = [](const std::string& text) { std::cerr << "seccheck: " << text << "\n"; };
  return diagnostics;
}

void print_notices(const analysis::CheckReport& report, const ReportOptions& options) {
  if (options.quiet) return;
  for (const std::string& notice : report.notices)
    std::cerr << "seccheck: note: " << notice << "\n";
}

int emit_report(analysis::CheckReport& report, const ReportOptions& options) {
  report.fail_on_workload_error = options.fail_on_workload_error;
  if (!options.baseline_path.empty()) {
    auto keys = report::load_baseline_keys(options.baseline_path);
    if (!keys) throw UserError(ExitCode::kUsage, keys.error().message);
    report::apply_baseline(report, *keys);
  }
  auto format = report::parse_format(options.format);
  if (!format) throw UserError(ExitCode::kUsage, "--format " + options.format + ": unknown format");
  report::RenderOptions render_options;
  if (options.output_path.empty()) {
    render_options.color =
        *format == report::Format::kText && isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
    report::make_renderer(*format, render_options)->render(report, std::cout);
    std::cout.flush();
  } else {
    std::ofstream out(options.output_path, std::ios::binary | std::ios::trunc);
    if (!out) throw UserError(ExitCode::kUsage, options.output_path + ": cannot write the report");
    report::make_renderer(*format, render_options)->render(report, out);
    if (!out.flush()) throw UserError(ExitCode::kToolFailure, options.output_path + ": write failed");
  }
  return static_cast<int>(report.gate_failed() ? ExitCode::kWouldBlock : ExitCode::kOk);
}

void write_text_file(const std::string& path, const std::string& text, const std::string& what) {
  FILE* out = std::fopen(path.c_str(), "w");
  if (!out) throw UserError(ExitCode::kUsage, path + ": cannot write the " + what);
  const bool written = std::fwrite(text.data(), 1, text.size(), out) == text.size();
  if (std::fclose(out) != 0 || !written) throw UserError(ExitCode::kToolFailure, path + ": write failed");
}

}  // namespace seccheck::cli
