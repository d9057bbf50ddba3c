// Running a workload under the tracer and getting back its run record. The tracer is reached
// through WorkloadRunner, the seam tests replace with a scripted fake (no ptrace): everything
// from the first stop to the finished analysis::RunRecord is the same code either way.
#pragma once

#include <string>
#include <vector>

#include "analysis/run_record.h"
#include "core/bpf_program.h"
#include "core/result.h"
#include "session/recorder.h"
#include "tracer/tracer.h"

namespace seccheck::session {

class WorkloadRunner {
 public:
  virtual ~WorkloadRunner() = default;
  virtual Result<tracer::TraceSummary> launch(const tracer::LaunchOptions& options,
                                              tracer::TraceObserver& observer,
                                              tracer::LaunchError* error) = 0;
  // A running process and its threads (every call stepped: no filter can be added to it).
  virtual Result<tracer::TraceSummary> attach(pid_t pid, bool return_values, tracer::TraceObserver& observer,
                                              tracer::LaunchError* error) = 0;
};

// The real one: tracer::run_command and tracer::attach_process.
class PtraceRunner final : public WorkloadRunner {
 public:
  Result<tracer::TraceSummary> launch(const tracer::LaunchOptions& options, tracer::TraceObserver& observer,
                                      tracer::LaunchError* error) override;
  Result<tracer::TraceSummary> attach(pid_t pid, bool return_values, tracer::TraceObserver& observer,
                                      tracer::LaunchError* error) override;
};

struct WorkloadRequest {
  std::vector<std::string> command;
  std::vector<BpfProgram> filters;  // stacked before execve; empty: step every call
  const analysis::ArgRelevance* relevance = nullptr;
  CallPolicy* policy = nullptr;
  int stack_frames = 0;
  bool pin_cpu = false;
  bool progress = false;  // a one-line status on standard error
  bool complete = false;  // the filters stop every call: the record holds the whole run
};

// Runs the workload and returns its record (started_at, duration, exit status, processes, the
// distinct calls, the tracer's notices). Throws UserError: kUsage when the command cannot be
// started, kToolFailure for ptrace or seccomp trouble.
analysis::RunRecord run_workload(const WorkloadRequest& request, WorkloadRunner& runner);

// "2026-12-04T20:28:11Z".
std::string utc_timestamp_now();

}  // namespace seccheck::session
