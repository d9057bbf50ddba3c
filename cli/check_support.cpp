#include "cli/check_support.h"

#include <unistd.h>

#include <ctime>
#include <fstream>
#include <iostream>

#include "analysis/catalog.h"
#include "analysis/profile.h"
#include "core/error.h"
#include "report/baseline.h"
#include "report/renderer.h"

namespace seccheck::cli {

void add_report_options(CLI::App* sub, ReportOptions& options) {
  sub->add_option("--format", options.format, "Report format: text, json, sarif, junit, markdown")
      ->check(CLI::IsMember({"text", "json", "sarif", "junit", "markdown"}))
      ->default_str("text");
  sub->add_option("-o,--output", options.output_path, "Write the report to FILE instead of standard output");
  sub->add_option("--baseline", options.baseline_path,
                  "A previous JSON report: its findings are shown as known and do not fail the gate");
  sub->add_flag("--fail-on-workload-error", options.fail_on_workload_error,
                "Exit 1 also when the workload itself exits non-zero");
  sub->add_flag("-q,--quiet", options.quiet, "No progress line and no notes on standard error");
  sub->add_flag("-v,--verbose", options.verbosity, "Explain what seccheck does (filters, profiles, fallbacks)");
}

SelectedProfiles select_profiles(const std::vector<std::string>& specs, const analysis::Context& context,
                                 bool verbose) {
  SelectedProfiles selected;
  std::vector<std::string> names = specs.empty() ? std::vector<std::string>{"runtime-default"} : specs;
  for (const std::string& name : names) {
    auto loaded = analysis::load_profiles(name);
    if (!loaded) throw UserError(ExitCode::kUsage, loaded.error().message);
    for (analysis::Profile& profile : *loaded) {
      for (const std::string& warning : profile.warnings) std::cerr << "seccheck: warning: " << warning << "\n";
      selected.profiles.push_back(std::move(profile));
    }
  }
  for (const analysis::Profile& profile : selected.profiles) {
    selected.resolved.push_back(analysis::resolve(profile, context));
    if (verbose) {
      const analysis::ResolvedProfile& resolved = selected.resolved.back();
      std::cerr << "seccheck: " << resolved.name << ": " << resolved.rules.size() << " rules after resolution\n";
      for (const std::string& note : resolved.notes) std::cerr << "seccheck:   " << note << "\n";
    }
  }
  return selected;
}

analysis::ArgRelevance argument_relevance(const std::vector<analysis::Profile>& selected) {
  analysis::ArgRelevance relevance;
  for (const analysis::CatalogEntry& entry : analysis::catalog_entries()) {
    auto profiles = analysis::catalog_profiles(entry.name);
    if (!profiles) continue;
    for (const analysis::Profile& profile : *profiles) relevance.add_profile(profile);
  }
  for (const analysis::Profile& profile : selected) relevance.add_profile(profile);
  return relevance;
}

std::string utc_timestamp_now() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

int emit_report(analysis::CheckReport& report, const ReportOptions& options) {
  if (!options.baseline_path.empty()) {
    auto keys = report::load_baseline_keys(options.baseline_path);
    if (!keys) throw UserError(ExitCode::kUsage, keys.error().message);
    report::apply_baseline(report, *keys);
  }
  auto format = report::parse_format(options.format);
  if (!format) throw UserError(ExitCode::kUsage, "--format " + options.format + ": unknown format");
  report::RenderOptions render_options;
  if (options.output_path.empty()) {
    render_options.color = *format == report::Format::kText && isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
    report::make_renderer(*format, render_options)->render(report, std::cout);
    std::cout.flush();
  } else {
    std::ofstream out(options.output_path, std::ios::binary | std::ios::trunc);
    if (!out) throw UserError(ExitCode::kUsage, options.output_path + ": cannot write the report");
    report::make_renderer(*format, render_options)->render(report, out);
    if (!out.flush()) throw UserError(ExitCode::kToolFailure, options.output_path + ": write failed");
  }
  bool workload_failed = report.workload_exit_status != 0;
  if (report.new_blocking_findings() > 0) return static_cast<int>(ExitCode::kWouldBlock);
  if (options.fail_on_workload_error && workload_failed) return static_cast<int>(ExitCode::kWouldBlock);
  return static_cast<int>(ExitCode::kOk);
}

}  // namespace seccheck::cli
