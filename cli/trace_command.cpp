// `seccheck trace`: runs a command (or attaches to a process) under the tracer and prints its
// system calls strace-style, as JSON lines, or as a summary table.
//
// The --json fields, the stop costs of each mode and the exit statuses are documented in
// README.md ("seccheck trace"); keep the two in step.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <unordered_map>

#include "cli/commands.h"
#include "cli/help_example.h"
#include "core/decode.h"
#include "core/error.h"
#include "core/syscall_table.h"
#include "tracer/trace_filter.h"
#include "tracer/tracer.h"

namespace seccheck::cli {
namespace {

struct TraceOptions {
  std::vector<std::string> command;
  std::string output;
  bool json = false;
  bool summary = false;
  bool errors = false;
  bool entry_only = false;
  bool no_seccomp = false;
  bool pin_cpu = false;
  std::vector<std::string> expressions;
  int pid = 0;
  std::size_t string_limit = 64;
};

std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"')
      out += "\\\"";
    else if (c == '\\')
      out += "\\\\";
    else if (c < 0x20 || c == 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
    } else
      out += ch;
  }
  out += '"';
  return out;
}

// -e trace=NAME,... (also plain NAME,...). "all" keeps every call.
std::optional<std::vector<std::string>> parse_trace_set(const std::vector<std::string>& expressions) {
  if (expressions.empty()) return std::nullopt;
  std::vector<std::string> names;
  for (std::string expression : expressions) {
    if (expression.rfind("trace=", 0) == 0)
      expression = expression.substr(6);
    else if (expression.find('=') != std::string::npos)
      throw UserError(ExitCode::kTraceFailure, "-e " + expression + ": only trace=NAME,... is supported");
    size_t start = 0;
    while (start <= expression.size()) {
      size_t end = expression.find(',', start);
      if (end == std::string::npos) end = expression.size();
      std::string name = expression.substr(start, end - start);
      start = end + 1;
      if (name.empty()) continue;
      if (name == "all") return std::nullopt;
      if (!is_known_syscall(name))
        throw UserError(ExitCode::kTraceFailure,
                        "-e trace=" + name +
                            ": unknown syscall name (names as in `man 2 syscalls`, e.g. openat)");
      names.push_back(name);
    }
  }
  if (names.empty()) throw UserError(ExitCode::kTraceFailure, "-e trace=: name at least one syscall");
  return names;
}

struct CallStats {
  std::uint64_t count = 0;
  std::uint64_t errors = 0;
  std::map<std::string, std::uint64_t> values;  // decoded profile-relevant arguments, capped
  std::uint64_t other_values = 0;               // calls whose value did not fit under the cap
};
constexpr size_t kMaxDistinctValues = 16;

class TraceWriter final : public tracer::TraceObserver {
 public:
  TraceWriter(const TraceOptions& options, FILE* out, bool return_values)
      : options_(options), out_(out), return_values_(return_values) {}

  tracer::SeccompDecision on_syscall_entry(const SyscallEvent& event,
                                           tracer::StoppedTracee& tracee) override {
    if (options_.summary) {
      count(event, tracee);
      return tracer::SeccompDecision::proceed();
    }
    if (options_.json) remember_executable(event.pid, tracee);
    if (!return_values_) {
      write_call(event, tracee, std::nullopt);
    } else {
      // The line is written at the exit stop; strings are read now, before the call changes them.
      Pending pending{event, format_args(event, tracee)};
      pending_[event.tid] = std::move(pending);
    }
    return tracer::SeccompDecision::proceed();
  }

  void on_syscall_exit(const SyscallEvent& event, tracer::StoppedTracee& tracee) override {
    if (options_.summary) {
      if (event.return_value && *event.return_value < 0 && *event.return_value >= -4095) {
        auto it = stats_.find({event.arch, event.nr});
        if (it != stats_.end()) ++it->second.errors;
      }
      return;
    }
    auto it = pending_.find(event.tid);
    std::string text;
    if (it != pending_.end() && it->second.event.nr == event.nr && it->second.event.arch == event.arch) {
      text = std::move(it->second.text);
      pending_.erase(it);
    } else {
      text = format_args(event, tracee);
    }
    // execve from a non-leader thread: the thread now has the leader's id; drop its old entry.
    if (syscall_name(event.arch, event.nr).value_or("") == "execve") {
      for (auto p = pending_.begin(); p != pending_.end();) {
        if (p->second.event.pid == event.pid && p->second.event.nr == event.nr)
          p = pending_.erase(p);
        else
          ++p;
      }
    }
    if (options_.json) remember_executable(event.pid, tracee);
    write_line(event, text, event.return_value);
  }

  void on_thread_exit(pid_t tid, int /*status*/) override {
    auto it = pending_.find(tid);
    if (it == pending_.end()) return;
    write_line(it->second.event, it->second.text, std::nullopt);
    pending_.erase(it);
  }

  void on_process_start(pid_t) override { ++processes_seen_; }

  void on_process_exit(pid_t pid, int status) override {
    exe_.erase(pid);
    if (options_.summary || options_.json) return;
    std::string prefix = multi() ? "[pid " + std::to_string(pid) + "] " : "";
    if (WIFEXITED(status))
      std::fprintf(out_, "%s+++ exited with %d +++\n", prefix.c_str(), WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
      std::fprintf(out_, "%s+++ killed by %s%s +++\n", prefix.c_str(),
                   signal_string(WTERMSIG(status)).c_str(), WCOREDUMP(status) ? " (core dumped)" : "");
  }

  void on_notice(std::string_view message) override {
    std::fprintf(stderr, "seccheck: %.*s\n", static_cast<int>(message.size()), message.data());
  }

  void finish() {
    for (auto& [tid, pending] : pending_)
      write_line(pending.event, pending.text, std::nullopt);
    pending_.clear();
    if (options_.summary) write_summary();
    std::fflush(out_);
  }

 private:
  struct Pending {
    SyscallEvent event;
    std::string text;
  };
  struct Key {
    Arch arch;
    int nr;
    bool operator<(const Key& other) const { return arch != other.arch ? arch < other.arch : nr < other.nr; }
  };

  bool multi() const { return processes_seen_ > 1 || threads_seen_ > 1; }

  // A line may be written after its process is gone (at the exit of a pending call), so the
  // executable is kept per pid while the process runs.
  void remember_executable(pid_t pid, tracer::StoppedTracee& tracee) {
    const std::string& current = tracee.process().executable;
    std::string& kept = exe_[pid];
    if (kept != current) kept = current;
  }

  std::string format_args(const SyscallEvent& event, tracer::StoppedTracee& tracee) {
    if (seen_tids_.size() < 2) seen_tids_.emplace(event.tid, true);
    threads_seen_ = seen_tids_.size();
    MemoryReader reader = [&tracee](std::uint64_t address, std::size_t max_bytes) {
      return tracee.read_string(address, max_bytes);
    };
    return format_arguments(event.arch, event.nr, event.args, &reader, options_.string_limit);
  }

  void write_call(const SyscallEvent& event, tracer::StoppedTracee& tracee, std::optional<std::int64_t> ret) {
    write_line(event, format_args(event, tracee), ret);
  }

  void write_line(const SyscallEvent& event, const std::string& text, std::optional<std::int64_t> ret) {
    const std::string name = syscall_display_name(event.arch, event.nr);
    if (options_.json) {
      std::string line = "{\"pid\":" + std::to_string(event.pid) + ",\"tid\":" + std::to_string(event.tid) +
                         ",\"arch\":\"" + std::string(arch_name(event.arch)) +
                         "\",\"nr\":" + std::to_string(event.nr) + ",\"name\":" + json_escape(name) +
                         ",\"args\":[";
      for (size_t i = 0; i < 6; ++i)
        line += (i ? "," : "") + std::to_string(event.args[i]);
      line += "],\"text\":" + json_escape(text);
      if (ret) {
        line += ",\"ret\":" + std::to_string(*ret);
        if (*ret < 0 && *ret >= -4095)
          line += ",\"errno\":" + json_escape(errno_name(static_cast<std::uint32_t>(-*ret)));
      }
      line += ",\"timestamp_ns\":" + std::to_string(event.timestamp_ns);
      auto exe = exe_.find(event.pid);
      line += ",\"exe\":" + json_escape(exe != exe_.end() ? exe->second : "") + "}\n";
      std::fputs(line.c_str(), out_);
      return;
    }
    std::string line;
    if (multi()) line = "[pid " + std::to_string(event.tid) + "] ";
    if (event.arch != Arch::kX86_64) line += "[" + std::string(arch_name(event.arch)) + "] ";
    line += name + "(" + text +
            ") = " + (ret ? format_return(event.arch, event.nr, *ret) : std::string("?")) + "\n";
    std::fputs(line.c_str(), out_);
  }

  void count(const SyscallEvent& event, tracer::StoppedTracee& tracee) {
    CallStats& stats = stats_[{event.arch, event.nr}];
    ++stats.count;
    std::optional<std::string> value = profile_argument(event.arch, event.nr, event.args);
    if (!value && syscall_name(event.arch, event.nr).value_or("") == "clone3" && event.args[0] != 0) {
      if (auto flags = tracee.read_bytes(event.args[0], 8)) {
        std::uint64_t raw = 0;
        std::memcpy(&raw, flags->data(), 8);
        value = clone_flags_string(raw);
      }
    }
    if (!value) return;
    auto it = stats.values.find(*value);
    if (it != stats.values.end())
      ++it->second;
    else if (stats.values.size() < kMaxDistinctValues)
      stats.values.emplace(*value, 1);
    else
      ++stats.other_values;
  }

  void write_summary() {
    std::vector<std::pair<Key, const CallStats*>> rows;
    for (const auto& [key, stats] : stats_)
      rows.emplace_back(key, &stats);
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
      if (a.second->count != b.second->count) return a.second->count > b.second->count;
      return syscall_display_name(a.first.arch, a.first.nr) < syscall_display_name(b.first.arch, b.first.nr);
    });
    const bool errors = return_values_;
    std::fprintf(out_, "%10s %8s %-7s %-24s %s\n", "calls", errors ? "errors" : "", "arch", "syscall",
                 "argument values");
    std::fprintf(out_, "%.10s %.8s %.7s %.24s %.15s\n", "------------------------",
                 "------------------------", "------------------------", "------------------------",
                 "------------------------");
    std::uint64_t total = 0, total_errors = 0;
    for (const auto& [key, stats] : rows) {
      total += stats->count;
      total_errors += stats->errors;
      std::string values;
      for (const auto& [value, n] : stats->values) {
        if (!values.empty()) values += "; ";
        values += value + " x" + std::to_string(n);
      }
      if (stats->other_values) values += "; (other values) x" + std::to_string(stats->other_values);
      std::string error_text = errors ? std::to_string(stats->errors) : "";
      std::fprintf(out_, "%10llu %8s %-7s %-24s %s\n", static_cast<unsigned long long>(stats->count),
                   error_text.c_str(), std::string(arch_name(key.arch)).c_str(),
                   syscall_display_name(key.arch, key.nr).c_str(), values.c_str());
    }
    std::fprintf(out_, "%.10s %.8s\n", "------------------------", "------------------------");
    std::fprintf(out_, "%10llu %8s %s\n", static_cast<unsigned long long>(total),
                 errors ? std::to_string(total_errors).c_str() : "", "total");
  }

  const TraceOptions& options_;
  FILE* out_;
  bool return_values_;
  std::unordered_map<pid_t, Pending> pending_;
  std::unordered_map<pid_t, std::string> exe_;
  std::unordered_map<pid_t, bool> seen_tids_;
  size_t threads_seen_ = 0;
  std::uint64_t processes_seen_ = 0;
  std::map<Key, CallStats> stats_;
};

ExitCode exit_code_for(tracer::LaunchError kind) {
  switch (kind) {
    case tracer::LaunchError::kNotFound: return ExitCode::kNotFound;
    case tracer::LaunchError::kNotExecutable: return ExitCode::kNotExecutable;
    default: return ExitCode::kTraceFailure;
  }
}

int run_trace(const TraceOptions& options) {
  if (options.pid != 0 && !options.command.empty())
    throw UserError(ExitCode::kTraceFailure, "give either -p PID or a command after --, not both");
  if (options.pid == 0 && options.command.empty())
    throw UserError(ExitCode::kTraceFailure,
                    "no command: use `seccheck trace [options] -- CMD ARGS...` or -p PID");
  if (options.pid < 0)
    throw UserError(ExitCode::kTraceFailure, "-p " + std::to_string(options.pid) + ": not a pid");
  if (options.errors && !options.summary)
    throw UserError(ExitCode::kTraceFailure,
                    "--errors goes with -c (text and --json output show return values)");
  const auto trace_set = parse_trace_set(options.expressions);

  FILE* out = stderr;
  std::unique_ptr<FILE, int (*)(FILE*)> file(nullptr, std::fclose);
  if (!options.output.empty()) {
    file.reset(std::fopen(options.output.c_str(), "we"));
    if (!file)
      throw UserError(ExitCode::kTraceFailure,
                      "-o " + options.output + ": cannot open for writing: " + std::strerror(errno));
    out = file.get();
    std::setvbuf(out, nullptr, _IOFBF, 1 << 16);  // full buffering; flushed at the end
  } else {
    std::setvbuf(stderr, nullptr, _IOLBF, 1 << 14);  // whole lines, interleaved with the workload's
  }

  const bool return_values = options.summary ? options.errors : !options.entry_only;
  TraceWriter writer(options, out, return_values);
  tracer::LaunchError kind = tracer::LaunchError::kNone;
  Result<tracer::TraceSummary> result = make_error("not run");
  if (options.pid != 0) {
    result = tracer::attach_process(options.pid, return_values, writer, &kind);
  } else {
    tracer::LaunchOptions launch;
    launch.argv = options.command;
    launch.return_values = return_values;
    launch.pin_to_one_cpu = options.pin_cpu;
    if (options.no_seccomp || !tracer::seccomp_filters_available()) {
      if (!options.no_seccomp)
        writer.on_notice(
            "warning: seccomp filters are unavailable on this kernel; falling back to PTRACE_SYSCALL");
      if (trace_set)
        writer.on_notice(
            "warning: without a seccomp filter every call stops; -e trace= only filters the output");
    } else {
      auto filter = trace_set ? tracer::build_trace_set_filter(*trace_set) : tracer::build_trace_all_filter();
      if (!filter) throw UserError(ExitCode::kTraceFailure, filter.error().message);
      launch.filters = std::move(*filter);
    }
    result = tracer::run_command(launch, writer, &kind);
  }
  writer.finish();
  if (!result) throw UserError(exit_code_for(kind), result.error().message);
  if (result->interrupted) return 128 + (result->interrupt_signal != 0 ? result->interrupt_signal : SIGINT);
  return result->exit_status;
}

}  // namespace

Command register_trace_command(CLI::App& app) {
  auto options = std::make_shared<TraceOptions>();
  CLI::App* sub = app.add_subcommand(
      "trace",
      "Run a command under ptrace and print its system calls strace-style (-f is implied).\n"
      "A seccomp filter installed before execve stops only the calls asked for with -e trace=, so other "
      "calls run at "
      "native speed. With -p PID no filter can be added to the running process: every call is stepped with "
      "PTRACE_SYSCALL (two stops per call). Exit status: the workload's; 125 seccheck failed, 126 not "
      "executable, "
      "127 not found. SIGINT/SIGTERM kill a launched workload (detach from -p) and exit 130/143.");
  sub->add_option("-o,--output", options->output, "Write the trace to FILE instead of stderr");
  sub->add_flag("--json", options->json, "One JSON object per call (fields documented in README)");
  sub->add_flag(
      "-c,--summary", options->summary,
      "Count calls per (arch, syscall) with the argument values profiles care about; one stop per call");
  sub->add_flag("--errors", options->errors, "With -c: also stop at syscall exit to count errors");
  sub->add_flag("--entry-only", options->entry_only,
                "Text/JSON: one stop per call, no return values (lines end in `= ?`)");
  sub->add_option("-e,--expr", options->expressions,
                  "trace=NAME,...: only these calls stop the workload (default: all)");
  sub->add_option("-p,--pid", options->pid,
                  "Attach to a running process and all its threads (PTRACE_SYSCALL stepping)");
  sub->add_flag("--pin-cpu", options->pin_cpu, "Pin seccheck and the workload to one CPU (steadier timings)");
  sub->add_option("-s,--string-limit", options->string_limit,
                  "Print at most N bytes of each string (default 64)")
      ->check(CLI::Range(1, 1 << 20));
  sub->add_flag(
      "--no-seccomp", options->no_seccomp,
      "Install no seccomp filter; step every call with PTRACE_SYSCALL (as strace without --seccomp-bpf)");
  sub->add_option("command", options->command, "The command and its arguments, after --");
  set_example(sub, "seccheck trace -c -- ls -l /");
  return {sub, [options]() -> int { return run_trace(*options); }};
}

}  // namespace seccheck::cli
