// What `check`, `diff`, `generate` and `verify` share: choosing and resolving the profiles, the
// report options, running a workload under the tracer with its calls aggregated, and writing the
// report with the gate's exit status.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "analysis/context.h"
#include "analysis/filter_cache.h"
#include "analysis/findings.h"
#include "analysis/profile.h"
#include "analysis/resolve.h"
#include "analysis/run_record.h"
#include "core/bpf_program.h"
#include "tracer/tracer.h"

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

// A workload run under the tracer with stacked `filters`; every stop is aggregated into
// RecordedCalls (first pid, executable, command line and call-site stack per distinct call).
// With `enforced`, each stopped call gets that profile's verdict (fails with its errno, or
// the process is killed), as the runtime's filter would answer it.
// What stopped calls are recorded and judged with. Asked for at the first stop, so `check` can
// launch before its profiles are resolved.
struct StopRules {
  const analysis::ArgRelevance* relevance = nullptr;  // nullptr: keep no arguments
  const analysis::ResolvedProfile* enforced = nullptr;
};
struct WorkloadRunOptions {
  std::vector<std::string> command;
  std::vector<BpfProgram> filters;
  std::function<StopRules()> stop_rules;  // empty: StopRules{}
  std::function<void()> on_started;       // the command's execve succeeded
  int stack_frames = 0;
  bool pin_cpu = false;
  bool progress = false;  // a one-line status on standard error
};
struct WorkloadRun {
  tracer::TraceSummary summary;
  std::uint64_t calls_seen = 0;
  std::vector<analysis::RecordedCall> calls;  // sorted
  std::vector<std::string> notices;
  std::string started_at;
  double duration_seconds = 0;
};
// Throws UserError: kUsage when the command cannot be started, kToolFailure for ptrace trouble.
WorkloadRun run_workload(const WorkloadRunOptions& options);

// The report of a run: the run's facts plus the findings against `profiles`.
analysis::CheckReport report_for_run(const std::vector<std::string>& command,
                                     const analysis::Context& context, const WorkloadRun& run,
                                     const std::vector<analysis::ResolvedProfile>& profiles);

// The user's filter cache ($XDG_CACHE_HOME/seccheck/filters), or nullptr without one.
const analysis::FilterCache* user_filter_cache();
// Compiles `profile` with blocking actions rewritten to TRACE(tag); kToolFailure on error.
BpfProgram compile_trace_filter(const analysis::ResolvedProfile& profile, std::uint16_t tag, bool verbose);
// A filter that stops every call on every ABI: full recording.
analysis::ResolvedProfile trace_everything_profile();
// The run as a complete record (every call recorded), as `check --record` saves it.
analysis::RunRecord full_record(const std::vector<std::string>& command, const WorkloadRun& run);
// Writes `text` to `path`; an unwritable path is kUsage, a failed write kToolFailure.
void write_text_file(const std::string& path, const std::string& text, const std::string& what);

// Applies the baseline, renders in the chosen format to the chosen place, and returns the
// gate's exit status (0 nothing new blocked, 1 something would be blocked, or the workload
// failed with --fail-on-workload-error).
int emit_report(analysis::CheckReport& report, const ReportOptions& options);

}  // namespace seccheck::cli
