// What `check` and `diff` share: choosing and resolving the profiles, the report options, and
// writing the report with the gate's exit status.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "analysis/context.h"
#include "analysis/findings.h"
#include "analysis/profile.h"
#include "analysis/resolve.h"
#include "analysis/run_record.h"

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

// `--profile` values (catalog names or files; empty = runtime-default), loaded and resolved
// for the context. Unknown names and bad files throw UserError(kUsage).
struct SelectedProfiles {
  std::vector<analysis::Profile> profiles;
  std::vector<analysis::ResolvedProfile> resolved;
};
SelectedProfiles select_profiles(const std::vector<std::string>& specs, const analysis::Context& context,
                                 bool verbose);

// The catalog's profiles plus the selected ones: which arguments a record must keep.
analysis::ArgRelevance argument_relevance(const std::vector<analysis::Profile>& selected);

std::string utc_timestamp_now();

// Applies the baseline, renders in the chosen format to the chosen place, and returns the
// gate's exit status (0 nothing new blocked, 1 something would be blocked, or the workload
// failed with --fail-on-workload-error).
int emit_report(analysis::CheckReport& report, const ReportOptions& options);

}  // namespace seccheck::cli
