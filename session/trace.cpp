#include "session/trace.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/decode.h"
#include "core/syscall_table.h"
#include "tracer/trace_filter.h"

namespace seccheck::session {
namespace {

class TraceSession final : public tracer::TraceObserver {
 public:
  TraceSession(const TraceRequest& request, report::TraceWriter& writer,
               const std::function<void(std::string_view)>& notice)
      : request_(request), writer_(writer), notice_(notice) {
    if (request.only)
      for (const std::string& name : *request.only)
        shown_.insert(name);
  }

  tracer::SeccompDecision on_syscall_entry(const SyscallEvent& event,
                                           tracer::StoppedTracee& tracee) override {
    if (!shown(event)) return tracer::SeccompDecision::proceed();
    if (tids_.size() < 2) tids_.insert(event.tid);
    report::TracedCall call;
    call.event = event;
    if (request_.executables) call.executable = remember_executable(event.pid, tracee);
    if (request_.summary) {
      call.profile_value = profile_value(event, tracee);
    } else {
      MemoryReader reader = [&tracee](std::uint64_t address, std::size_t max_bytes) {
        return tracee.read_string(address, max_bytes);
      };
      call.arguments = format_arguments(event.arch, event.nr, event.args, &reader, request_.string_limit);
    }
    if (!request_.return_values) {
      write(call);
    } else {
      pending_[event.tid] = std::move(call);
    }
    return tracer::SeccompDecision::proceed();
  }

  void on_syscall_exit(const SyscallEvent& event, tracer::StoppedTracee& tracee) override {
    if (!shown(event)) return;
    auto it = pending_.find(event.tid);
    report::TracedCall call;
    if (it != pending_.end() && it->second.event.nr == event.nr && it->second.event.arch == event.arch) {
      call = std::move(it->second);
      pending_.erase(it);
    } else {
      call.event = event;
      MemoryReader reader = [&tracee](std::uint64_t address, std::size_t max_bytes) {
        return tracee.read_string(address, max_bytes);
      };
      if (!request_.summary)
        call.arguments = format_arguments(event.arch, event.nr, event.args, &reader, request_.string_limit);
    }
    call.event.return_value = event.return_value;
    // execve from a non-leader thread: the thread now has the leader's id; drop its old entry.
    if (syscall_name(event.arch, event.nr).value_or("") == "execve") {
      for (auto p = pending_.begin(); p != pending_.end();) {
        if (p->second.event.pid == event.pid && p->second.event.nr == event.nr)
          p = pending_.erase(p);
        else
          ++p;
      }
    }
    if (request_.executables) call.executable = remember_executable(event.pid, tracee);
    write(call);
  }

  void on_thread_exit(pid_t tid, int /*status*/) override {
    auto it = pending_.find(tid);
    if (it == pending_.end()) return;
    write(it->second);
    pending_.erase(it);
  }

  void on_process_start(pid_t) override { ++processes_; }

  void on_process_exit(pid_t pid, int status) override {
    executables_.erase(pid);
    writer_.process_exit(pid, status, multi());
  }

  void on_notice(std::string_view message) override {
    if (notice_) notice_(message);
  }

  // Calls still waiting for their exit stop are written without a return value.
  void flush_pending() {
    for (auto& [tid, call] : pending_)
      write(call);
    pending_.clear();
  }

 private:
  bool multi() const { return processes_ > 1 || tids_.size() > 1; }

  bool shown(const SyscallEvent& event) const {
    if (shown_.empty()) return true;
    const auto name = syscall_name(event.arch, event.nr);
    return name && shown_.count(std::string(*name)) > 0;
  }

  void write(report::TracedCall& call) {
    call.show_pid = multi();
    writer_.call(call);
  }

  // A line may be written after its process is gone (at the exit of a pending call), so the
  // executable is kept per pid while the process runs. Only JSON lines print it.
  const std::string& remember_executable(pid_t pid, tracer::StoppedTracee& tracee) {
    std::string& kept = executables_[pid];
    kept = tracee.process().executable;
    return kept;
  }

  // The value a profile conditions on; clone3's flags are read from its argument struct.
  static std::optional<std::string> profile_value(const SyscallEvent& event, tracer::StoppedTracee& tracee) {
    std::optional<std::string> value = profile_argument(event.arch, event.nr, event.args);
    if (!value && syscall_name(event.arch, event.nr).value_or("") == "clone3" && event.args[0] != 0) {
      if (auto flags = tracee.read_bytes(event.args[0], 8)) {
        std::uint64_t raw = 0;
        std::memcpy(&raw, flags->data(), 8);
        value = clone_flags_string(raw);
      }
    }
    return value;
  }

  const TraceRequest& request_;
  report::TraceWriter& writer_;
  const std::function<void(std::string_view)>& notice_;
  std::set<std::string> shown_;
  std::unordered_map<pid_t, report::TracedCall> pending_;
  std::unordered_map<pid_t, std::string> executables_;
  std::unordered_set<pid_t> tids_;
  std::uint64_t processes_ = 0;
};

}  // namespace

Result<std::optional<std::vector<std::string>>>
parse_trace_expressions(const std::vector<std::string>& expressions) {
  if (expressions.empty()) return std::optional<std::vector<std::string>>();
  std::vector<std::string> names;
  for (std::string expression : expressions) {
    if (expression.rfind("trace=", 0) == 0)
      expression = expression.substr(6);
    else if (expression.find('=') != std::string::npos)
      return make_error("-e " + expression + ": only trace=NAME,... is supported");
    std::size_t start = 0;
    while (start <= expression.size()) {
      std::size_t end = expression.find(',', start);
      if (end == std::string::npos) end = expression.size();
      std::string name = expression.substr(start, end - start);
      start = end + 1;
      if (name.empty()) continue;
      if (name == "all") return std::optional<std::vector<std::string>>();
      if (!is_known_syscall(name))
        return make_error("-e trace=" + name +
                          ": unknown syscall name (names as in `man 2 syscalls`, e.g. openat)");
      names.push_back(name);
    }
  }
  if (names.empty()) return make_error("-e trace=: name at least one syscall");
  return std::optional<std::vector<std::string>>(std::move(names));
}

Result<tracer::TraceSummary> run_trace(const TraceRequest& request, report::TraceWriter& writer,
                                       const std::function<void(std::string_view)>& notice,
                                       WorkloadRunner& runner, tracer::LaunchError* launch_error) {
  TraceSession session(request, writer, notice);
  Result<tracer::TraceSummary> summary = make_error("not run");
  if (request.attach_pid != 0) {
    summary = runner.attach(request.attach_pid, request.return_values, session, launch_error);
  } else {
    tracer::LaunchOptions launch;
    launch.argv = request.command;
    launch.return_values = request.return_values;
    launch.pin_to_one_cpu = request.pin_cpu;
    if (request.no_seccomp || !tracer::seccomp_filters_available()) {
      if (!request.no_seccomp)
        session.on_notice(
            "warning: seccomp filters are unavailable on this kernel; falling back to PTRACE_SYSCALL");
      if (request.only)
        session.on_notice(
            "warning: without a seccomp filter every call stops; -e trace= only filters the output");
    } else {
      auto filter =
          request.only ? tracer::build_trace_set_filter(*request.only) : tracer::build_trace_all_filter();
      if (!filter) return filter.error();
      launch.filters = std::move(*filter);
    }
    summary = runner.launch(launch, session, launch_error);
  }
  session.flush_pending();
  return summary;
}

}  // namespace seccheck::session
