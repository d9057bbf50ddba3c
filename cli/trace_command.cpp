// `seccheck trace`: runs a command (or attaches to a process) under the tracer and prints its
// system calls strace-style, as JSON lines, or as a summary table (session/trace.h,
// report/trace_writer.h). Exit status: the workload's; 125-127 for seccheck's own failures.
#include <signal.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "cli/commands.h"
#include "cli/help_example.h"
#include "cli/value_kind.h"
#include "core/error.h"
#include "session/trace.h"

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
  auto only = session::parse_trace_expressions(options.expressions);
  if (!only) throw UserError(ExitCode::kTraceFailure, only.error().message);

  session::TraceRequest request;
  request.command = options.command;
  request.attach_pid = options.pid;
  request.only = *only;
  request.return_values = options.summary ? options.errors : !options.entry_only;
  request.summary = options.summary;
  request.executables = options.json && !options.summary;
  request.no_seccomp = options.no_seccomp;
  request.pin_cpu = options.pin_cpu;
  request.string_limit = options.string_limit;

  std::FILE* out = stderr;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, std::fclose);
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
  const report::TraceFormat format = options.summary ? report::TraceFormat::kSummary
                                     : options.json  ? report::TraceFormat::kJsonLines
                                                     : report::TraceFormat::kText;
  std::unique_ptr<report::TraceWriter> writer = report::make_trace_writer(format, out, request.return_values);
  auto notice = [](std::string_view message) {
    std::fprintf(stderr, "seccheck: %.*s\n", static_cast<int>(message.size()), message.data());
  };
  tracer::LaunchError launch_error = tracer::LaunchError::kNone;
  session::PtraceRunner runner;
  Result<tracer::TraceSummary> summary = session::run_trace(request, *writer, notice, runner, &launch_error);
  Result<void> written = writer->finish();
  if (!summary) throw UserError(exit_code_for(launch_error), summary.error().message);
  if (!written) throw UserError(ExitCode::kTraceFailure, written.error().message);
  if (summary->interrupted)
    return 128 + (summary->interrupt_signal != 0 ? summary->interrupt_signal : SIGINT);
  return summary->exit_status;
}

}  // namespace

Command register_trace_command(CLI::App& app) {
  auto options = std::make_shared<TraceOptions>();
  CLI::App* sub = app.add_subcommand(
      "trace", "Run a command under ptrace and print its system calls strace-style (-f is implied).\n"
               "A seccomp filter installed before execve stops only the calls asked for with -e trace=, so "
               "other calls run "
               "at native speed. With -p PID no filter can be added to the running process: every call is "
               "stepped with "
               "PTRACE_SYSCALL (two stops per call). Exit status: the workload's; 125 seccheck failed, 126 "
               "not executable, "
               "127 not found. SIGINT/SIGTERM kill a launched workload (detach from -p) and exit 130/143.");
  completes_as(sub->add_option("-o,--output", options->output, "Write the trace to FILE instead of stderr"),
               ValueKind::kFile);
  sub->add_flag("--json", options->json, "One JSON object per call (fields documented in README)");
  sub->add_flag(
      "-c,--summary", options->summary,
      "Count calls per (arch, syscall) with the argument values profiles care about; one stop per call");
  sub->add_flag("--errors", options->errors, "With -c: also stop at syscall exit to count errors");
  sub->add_flag("--entry-only", options->entry_only,
                "Text/JSON: one stop per call, no return values (lines end in `= ?`)");
  completes_as(sub->add_option("-e,--expr", options->expressions,
                               "trace=NAME,...: only these calls stop the workload (default: all)"),
               ValueKind::kNone);
  completes_as(sub->add_option("-p,--pid", options->pid,
                               "Attach to a running process and all its threads (PTRACE_SYSCALL stepping)"),
               ValueKind::kNone);
  sub->add_flag("--pin-cpu", options->pin_cpu, "Pin seccheck and the workload to one CPU (steadier timings)");
  completes_as(sub->add_option("-s,--string-limit", options->string_limit,
                               "Print at most N bytes of each string (default 64)"),
               ValueKind::kNone)
      ->check(CLI::Range(1, 1 << 20));
  sub->add_flag(
      "--no-seccomp", options->no_seccomp,
      "Install no seccomp filter; step every call with PTRACE_SYSCALL (as strace without --seccomp-bpf)");
  completes_as(sub->add_option("command", options->command, "The command and its arguments, after --"),
               ValueKind::kCommand);
  set_example(sub, "seccheck trace -c -- ls -l /");
  return {sub, [options]() -> int { return run_trace(*options); }};
}

}  // namespace seccheck::cli
