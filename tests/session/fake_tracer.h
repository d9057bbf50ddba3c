// A scripted stand-in for the tracer: a WorkloadRunner that plays a list of events into the
// observer as the ptrace loop would, and a StoppedTracee with canned memory, process info and
// stacks. Session logic runs on it exactly as on the real tracer, without ptrace.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "session/workload.h"
#include "tracer/tracer.h"

namespace seccheck::testing {

class FakeTracee final : public tracer::StoppedTracee {
 public:
  pid_t tid_value = 0;
  tracer::ProcessInfo info;
  std::map<std::uint64_t, std::string> memory;  // address -> bytes (strings NUL-terminated on read)
  std::vector<StackFrame> frames;
  int stack_requests = 0;
  int process_requests = 0;

  pid_t tid() const override { return tid_value; }
  std::optional<std::string> read_string(std::uint64_t address, std::size_t max_bytes) override;
  std::optional<std::string> read_bytes(std::uint64_t address, std::size_t size) override;
  std::vector<StackFrame> stack(int max_frames) override;
  const tracer::ProcessInfo& process() override;
};

// One thing the fake tracer reports.
struct FakeEvent {
  enum class Kind { kProcessStart, kEntry, kExit, kThreadExit, kProcessExit, kNotice, kWorkloadStarted };
  Kind kind = Kind::kEntry;
  SyscallEvent event;   // kEntry, kExit
  pid_t pid = 0;        // kProcessStart, kThreadExit, kProcessExit
  int wait_status = 0;  // kThreadExit, kProcessExit
  std::string text;     // kNotice
  std::string executable = "/bin/fake";
};

FakeEvent entry(pid_t pid, const std::string& syscall, std::array<std::uint64_t, 6> args = {},
                Arch arch = Arch::kX86_64);
FakeEvent exit_of(const FakeEvent& entry, std::int64_t return_value);
FakeEvent process_start(pid_t pid);
FakeEvent thread_exit(pid_t tid, int wait_status);
FakeEvent process_exit(pid_t pid, int wait_status);
FakeEvent notice(const std::string& text);

class ScriptedRunner final : public session::WorkloadRunner {
 public:
  std::vector<FakeEvent> script;
  tracer::TraceSummary summary;
  // Set to fail the launch instead of playing the script.
  std::optional<std::pair<tracer::LaunchError, std::string>> failure;

  // What the session asked for and what the observer answered, for assertions.
  std::optional<tracer::LaunchOptions> launched;
  std::vector<tracer::SeccompDecision> decisions;
  FakeTracee tracee;

  Result<tracer::TraceSummary> launch(const tracer::LaunchOptions& options, tracer::TraceObserver& observer,
                                      tracer::LaunchError* error) override;
  // Plays the same script; `attached` records the pid.
  Result<tracer::TraceSummary> attach(pid_t pid, bool return_values, tracer::TraceObserver& observer,
                                      tracer::LaunchError* error) override;
  std::optional<pid_t> attached;

 private:
  Result<tracer::TraceSummary> play(tracer::TraceObserver& observer, tracer::LaunchError* error);
};

}  // namespace seccheck::testing
