// What the report-writing commands (check, diff, verify, scan, audit) share: the report options,
// their checks before any workload runs (the output path can be written, the baseline is a
// report), writing the report where and how they ask, and the gate's exit status; plus how a
// session's messages reach standard error.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analysis/findings.h"
#include "cli/output_file.h"
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

// The report options made good before the run: where the report goes (checked writable), that
// it is not one file with any of `other_outputs` the command writes (--record; one not given is
// skipped), and the baseline's keys (read now, so a missing file or a file that is not a report
// fails at once). Every report-writing command calls it first. Throws UserError(kUsage).
struct ReportTarget {
  OutputFile output;
  std::optional<std::set<std::string>> baseline_keys;
};
ReportTarget prepare_report(const ReportOptions& options,
                            const std::vector<const OutputFile*>& other_outputs = {});

// Warnings always; -v notes when asked for.
session::Diagnostics diagnostics_for(int verbosity);
// The report's notices as "seccheck: note: ..." lines, unless quiet.
void print_notices(const analysis::CheckReport& report, const ReportOptions& options);

// Applies the baseline, renders in the chosen format to the chosen place, and returns the
// gate's exit status: 0 nothing new blocked, 1 something would be blocked (or the workload
// failed, with --fail-on-workload-error), 4 the run did not finish.
int emit_report(analysis::CheckReport& report, const ReportOptions& options, const ReportTarget& target);

}  // namespace seccheck::cli
