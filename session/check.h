// The recorded runs behind `check`, `verify` and `generate`: profiles and filters chosen, the
// workload run through a WorkloadRunner, the record turned into a report.
//
// check: one trace filter per selected profile (blocking actions -> SECCOMP_RET_TRACE), stacked,
// so the kernel evaluates every call with its real arguments and only calls some profile would
// block stop the workload; --enforce answers those calls as that profile would; --record stops
// every call instead, for a complete record.
// verify: the workload runs once plainly (no tracer, no filter) for its reference exit status,
// then under the profile's trace filter with every stopped call answered as the profile would.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/context.h"
#include "analysis/findings.h"
#include "analysis/run_record.h"
#include "session/filters.h"
#include "session/workload.h"

namespace seccheck::session {

struct RunSettings {
  std::vector<std::string> command;
  int stack_frames = 5;
  bool pin_cpu = false;
  bool progress = false;
  bool init = false;  // check --init: behave as a container's init (tracer::LaunchOptions::init)
  Diagnostics diagnostics;
};

// check --impact (session/impact.h): re-run the workload with findings answered.
struct ImpactSettings {
  bool compare_output = false;  // --impact-output: compare a digest of stdout too
  double timeout_seconds = 0;   // --impact-timeout; 0: 4x the discovery run, at least 30 s
};

struct CheckRequest {
  RunSettings run;
  std::vector<std::string> profiles;  // --profile values; empty: runtime-default
  std::string enforce;                // --enforce value; "" none
  analysis::Context context;
  bool record_everything = false;  // --record: stop every call, for a complete record
  // --impact: the discovery run records every call, then each finding's impact is assessed.
  std::optional<ImpactSettings> impact;
};

struct CheckOutcome {
  analysis::RunRecord record;
  analysis::CheckReport report;
  analysis::ProfileSelection selection;  // the checked profiles
};

CheckOutcome run_check(const CheckRequest& request, WorkloadRunner& runner);

struct VerifyRequest {
  RunSettings run;
  std::string profile;
  analysis::Context context;
};

struct VerifyOutcome {
  CheckOutcome check;
  int reference_exit_status = 0;  // the plain run's
  // The workload's exit status under the profile: the traced run's, or, when the profile
  // answers calls with TRAP or KILL_THREAD (which the tracer cannot reproduce: a SIGSYS the
  // workload's handler sees with si_code SYS_SECCOMP, one thread killed), a run under the real
  // filter without the tracer.
  int profile_exit_status = 0;
  bool under_real_filter = false;
  bool exit_status_matched = false;
};

VerifyOutcome run_verify(const VerifyRequest& request, WorkloadRunner& runner);

// A complete record of a run (every call stopped), keeping the arguments `base_profiles` and
// the catalog condition on: what `generate -- CMD` starts from.
analysis::RunRecord record_run(const RunSettings& settings,
                               const std::vector<analysis::Profile>& base_profiles, WorkloadRunner& runner);

// The command's shell-style exit status without tracer or filter (stdin, stdout and stderr on
// /dev/null). Throws UserError(kUsage) when it cannot be started, UserError(kIncomplete) when
// an interrupt signal (SIGINT, SIGTERM, SIGHUP, ...) ends it (the workload is killed, as in a
// traced run).
int plain_exit_status(const std::vector<std::string>& command);
// The same under the seccomp program `filter`, loaded in the child before execve (with
// no_new_privs only when the kernel refuses it without).
int exit_status_under_filter(const std::vector<std::string>& command, const BpfProgram& filter);

}  // namespace seccheck::session
