// What the report-writing commands (check, diff, verify) share: the report options, writing the
// report where and how they ask, and the gate's exit status; plus how a session's messages reach
// standard error.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "analysis/findings.h"
#include "session/filters.h"

namespace seccheck::cli {

struct ReportOptions {
  std::string format = "text";
  std::string output_path;  // "" = stdout
  std::string baseline_path;
  bool fail_on_workload_error = false;
  bool quiet = false;
  int verbosity = 0;
};

void add_report_options(CLI::App* sub, ReportOptions& options);

// Warnings always; -v notes when asked for.
session::Diagnostics diagnostics_for(int verbosity);
// The report's notices as "seccheck: note: ..." lines, unless quiet.
void print_notices(const analysis::CheckReport& report, const ReportOptions& options);

// Applies the baseline, renders in the chosen format to the chosen place, and returns the
// gate's exit status (0 nothing new blocked, 1 something would be blocked, or the workload
// failed with --fail-on-workload-error).
int emit_report(analysis::CheckReport& report, const ReportOptions& options);

// Writes `text` to `path`; an unwritable path is kUsage, a failed write kToolFailure.
void write_text_file(const std::string& path, const std::string& text, const std::string& what);

}  // namespace seccheck::cli
