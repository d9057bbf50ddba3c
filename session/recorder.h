// The observer behind every recorded run (check, verify, generate, impact): each stopped call is
// aggregated into analysis::RecordedCall (first pid, executable, command line and call-site
// stack per distinct call), answered by a CallPolicy, and the tracer's notices are kept. It
// sees the workload only through tracer::StoppedTracee, so tests drive it with a fake tracee
// and no ptrace.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/profile.h"
#include "analysis/resolve.h"
#include "analysis/run_record.h"
#include "tracer/tracer.h"

namespace seccheck::session {

// How a stopped call is answered: let it run, fail it with an errno, or kill the process.
class CallPolicy {
 public:
  virtual ~CallPolicy() = default;
  virtual tracer::SeccompDecision decide(const SyscallEvent& event) = 0;
};

// What a profile's action does to a call when the runtime's filter answers it.
tracer::SeccompDecision decision_for(const analysis::Action& action);

// Every stopped call gets `profile`'s verdict (check --enforce, verify).
class EnforceProfile final : public CallPolicy {
 public:
  explicit EnforceProfile(const analysis::ResolvedProfile& profile) : profile_(profile) {}
  tracer::SeccompDecision decide(const SyscallEvent& event) override;

 private:
  const analysis::ResolvedProfile& profile_;
};

struct RecorderOptions {
  const analysis::ArgRelevance* relevance = nullptr;  // nullptr: keep no argument values
  CallPolicy* policy = nullptr;                       // nullptr: every call runs
  int stack_frames = 0;
  // Called after each stop with (processes, calls stopped, distinct calls), for a progress line.
  std::function<void(std::uint64_t, std::uint64_t, std::size_t)> on_progress;
};

class CallRecorder final : public tracer::TraceObserver {
 public:
  explicit CallRecorder(RecorderOptions options);

  tracer::SeccompDecision on_syscall_entry(const SyscallEvent& event, tracer::StoppedTracee& tracee) override;
  void on_process_start(pid_t pid) override;
  void on_notice(std::string_view message) override;

  std::uint64_t calls_stopped() const { return aggregator_.calls_stopped(); }
  std::uint64_t processes() const { return processes_; }
  // The distinct calls, sorted; the recorder is empty afterwards.
  std::vector<analysis::RecordedCall> take_calls() { return aggregator_.take_calls(); }
  const std::vector<std::string>& notices() const { return notices_; }

 private:
  RecorderOptions options_;
  analysis::ArgRelevance no_relevance_;
  analysis::CallAggregator aggregator_;
  std::vector<std::string> notices_;
  std::uint64_t processes_ = 0;
  std::size_t distinct_ = 0;
};

}  // namespace seccheck::session
