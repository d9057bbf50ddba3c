#include "tests/session/fake_tracer.h"

#include "core/syscall_table.h"

namespace seccheck::testing {

std::optional<std::string> FakeTracee::read_string(std::uint64_t address, std::size_t max_bytes) {
  auto it = memory.find(address);
  if (it == memory.end()) return std::nullopt;
  std::string text = it->second.substr(0, it->second.find('\0'));
  return text.substr(0, max_bytes);
}

std::optional<std::string> FakeTracee::read_bytes(std::uint64_t address, std::size_t size) {
  auto it = memory.find(address);
  if (it == memory.end() || it->second.size() < size) return std::nullopt;
  return it->second.substr(0, size);
}

std::vector<StackFrame> FakeTracee::stack(int max_frames) {
  ++stack_requests;
  std::vector<StackFrame> out = frames;
  if (out.size() > static_cast<std::size_t>(max_frames)) out.resize(static_cast<std::size_t>(max_frames));
  return out;
}

const tracer::ProcessInfo& FakeTracee::process() {
  ++process_requests;
  return info;
}

FakeEvent entry(pid_t pid, const std::string& syscall, std::array<std::uint64_t, 6> args, Arch arch) {
  FakeEvent e;
  e.kind = FakeEvent::Kind::kEntry;
  e.event.pid = pid;
  e.event.tid = pid;
  e.event.arch = arch;
  e.event.nr = syscall_number(arch, syscall).value_or(-1);
  e.event.args = args;
  return e;
}

FakeEvent exit_of(const FakeEvent& entry, std::int64_t return_value) {
  FakeEvent e = entry;
  e.kind = FakeEvent::Kind::kExit;
  e.event.return_value = return_value;
  return e;
}

namespace {

FakeEvent of_kind(FakeEvent::Kind kind, pid_t pid, int wait_status) {
  FakeEvent e;
  e.kind = kind;
  e.pid = pid;
  e.wait_status = wait_status;
  return e;
}

}  // namespace

FakeEvent process_start(pid_t pid) {
  return of_kind(FakeEvent::Kind::kProcessStart, pid, 0);
}

FakeEvent thread_exit(pid_t tid, int wait_status) {
  return of_kind(FakeEvent::Kind::kThreadExit, tid, wait_status);
}

FakeEvent process_exit(pid_t pid, int wait_status) {
  return of_kind(FakeEvent::Kind::kProcessExit, pid, wait_status);
}

FakeEvent notice(const std::string& text) {
  FakeEvent e = of_kind(FakeEvent::Kind::kNotice, 0, 0);
  e.text = text;
  return e;
}

Result<tracer::TraceSummary> ScriptedRunner::launch(const tracer::LaunchOptions& options,
                                                    tracer::TraceObserver& observer,
                                                    tracer::LaunchError* error) {
  launched = options;
  return play(observer, error);
}

Result<tracer::TraceSummary> ScriptedRunner::attach(pid_t pid, bool, tracer::TraceObserver& observer,
                                                    tracer::LaunchError* error) {
  attached = pid;
  return play(observer, error);
}

Result<tracer::TraceSummary> ScriptedRunner::play(tracer::TraceObserver& observer,
                                                  tracer::LaunchError* error) {
  if (failure) {
    if (error) *error = failure->first;
    return make_error(failure->second);
  }
  if (error) *error = tracer::LaunchError::kNone;
  for (const FakeEvent& step : script) {
    tracee.tid_value = step.event.tid;
    tracee.info.pid = step.event.pid;
    tracee.info.executable = step.executable;
    tracee.info.argv = {step.executable};
    switch (step.kind) {
      case FakeEvent::Kind::kProcessStart: observer.on_process_start(step.pid); break;
      case FakeEvent::Kind::kWorkloadStarted: observer.on_workload_started(); break;
      case FakeEvent::Kind::kEntry: decisions.push_back(observer.on_syscall_entry(step.event, tracee)); break;
      case FakeEvent::Kind::kExit: observer.on_syscall_exit(step.event, tracee); break;
      case FakeEvent::Kind::kThreadExit: observer.on_thread_exit(step.pid, step.wait_status); break;
      case FakeEvent::Kind::kProcessExit: observer.on_process_exit(step.pid, step.wait_status); break;
      case FakeEvent::Kind::kNotice: observer.on_notice(step.text); break;
    }
  }
  return summary;
}

}  // namespace seccheck::testing
