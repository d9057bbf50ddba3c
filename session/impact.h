// check --impact: does the workload survive each finding? After the discovery run, the workload
// is run again with findings answered as a blocking profile answers them (its errno, or kill)
// and the outcome (exit status or signal, no exit within the timeout, optionally a digest of
// stdout) is compared with the discovery run's.
//
// Promises:
// * group testing, not one run per finding: a profile's findings are answered all at once; if
//   the outcome matches, all recover in that one run; otherwise the group is split in halves and
//   each half tested, so one breaking finding among n costs at most 1 + 2*log2(n) group runs;
// * a run is reused, never repeated, for another profile that would answer every call of it
//   the same way;
// * calls a trial makes that the discovery run did not ("fell back to clone") are named; the
//   profile answers them too when it blocks them, as the runtime would;
// * a plain re-run is made when an answered run first differs: if it differs too the workload
//   is unstable and no finding gets a verdict;
// * for a breaking finding answered with an errno other than ENOSYS, ENOSYS is tried for real
//   (errnoRet 38 keeps the call blocked); otherwise the fix is the narrow allow rule.
// Trials run with stdin and stderr on /dev/null and stdout captured (digested or dropped).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/findings.h"
#include "analysis/resolve.h"
#include "analysis/run_record.h"
#include "session/check.h"
#include "session/workload.h"

namespace seccheck::session {

// How a run ended, as far as --impact compares runs.
struct RunOutcome {
  int exit_status = 0;  // shell-style: 128+N for signal N
  bool timed_out = false;
  std::optional<std::uint64_t> stdout_digest;  // with --impact-output

  bool operator==(const RunOutcome& other) const = default;
};
// "exit status 1", "killed by SIGSYS", "no exit within 30 s", "exit status 0, other stdout"
// (the last relative to `reference`).
std::string describe_outcome(const RunOutcome& outcome, const RunOutcome* reference = nullptr);

// A WorkloadRunner around another that learns the outcome of each launch: it can capture the
// workload's stdout (and echo it back afterwards), put stdin and stderr on /dev/null, and kill
// the workload's processes when it has not ended within a timeout.
struct OutcomeOptions {
  bool capture_stdout = false;  // digest stdout (RunOutcome::stdout_digest)
  bool echo_stdout = false;     // write the captured stdout to seccheck's stdout afterwards
  bool quiet = false;           // stdin and stderr on /dev/null, stdout captured (dropped unless compared)
  double timeout_seconds = 0;   // 0: none
};

class OutcomeRunner final : public WorkloadRunner {
 public:
  OutcomeRunner(WorkloadRunner& inner, OutcomeOptions options) : inner_(inner), options_(options) {}
  Result<tracer::TraceSummary> launch(const tracer::LaunchOptions& options, tracer::TraceObserver& observer,
                                      tracer::LaunchError* error) override;
  Result<tracer::TraceSummary> attach(pid_t pid, bool return_values, tracer::TraceObserver& observer,
                                      tracer::LaunchError* error) override {
    return inner_.attach(pid, return_values, observer, error);
  }
  // The outcome of the last launch.
  const RunOutcome& last() const { return last_; }

 private:
  WorkloadRunner& inner_;
  OutcomeOptions options_;
  RunOutcome last_;
};

struct ImpactRequest {
  RunSettings run;  // the command; progress and stacks are off for trials
  const std::vector<analysis::ResolvedProfile>* profiles = nullptr;  // as in the report, in order
  const analysis::ArgRelevance* relevance = nullptr;
  bool compare_output = false;
  double timeout_seconds = 30;
};

// Fills report.findings[].impacts (one per blocking profile) and report.impact, running the
// workload through `runner` (wrapped in an OutcomeRunner). `discovery` must be a complete
// record (every call stopped) and `reference` its outcome.
void assess_impact(const ImpactRequest& request, const analysis::RunRecord& discovery,
                   const RunOutcome& reference, analysis::CheckReport& report, WorkloadRunner& runner);

// The key analysis::RecordedCall::key() gives the call `event` is counted on.
std::string event_key(const SyscallEvent& event, const analysis::ArgRelevance& relevance);

}  // namespace seccheck::session
