// The tracer: runs a command (or attaches to a process) under ptrace, follows every process
// and thread it creates, and reports syscall stops to an observer.
//
// Promises: a launched workload runs under the given stacked seccomp filters, loaded in the
// child before execve, so only calls a filter answers with SECCOMP_RET_TRACE stop it; new
// threads and processes inherit the filters and are resumed with PTRACE_CONT, never stepped.
// Signals pass through, the workload's exit status passes through (128+N for a signal), and
// SIGINT, SIGTERM, SIGHUP and the other terminating signals to seccheck end the run cleanly with
// what was recorded: every task traced or seen created is killed (a launched workload) or
// detached (-p), and the run returns within about a second even if some task does not go; a
// second signal ends the wait at once, a third ends seccheck (tracer/interrupt.h). Every task
// stays traced: a clone with CLONE_UNTRACED has the flag cleared. Nothing throws out of the wait
// loop; a tracee that vanished (ESRCH) is an event, not an error.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bpf_program.h"
#include "core/result.h"
#include "core/stack_frame.h"
#include "core/syscall_event.h"

namespace seccheck::tracer {

struct ProcessInfo {
  pid_t pid = 0;
  std::string executable;         // /proc/PID/exe
  std::vector<std::string> argv;  // /proc/PID/cmdline
};

// A tracee in a syscall stop; valid only during the observer callback.
class StoppedTracee {
 public:
  virtual ~StoppedTracee() = default;
  virtual pid_t tid() const = 0;
  // NUL-terminated string at `address`, at most `max_bytes`, read with process_vm_readv.
  virtual std::optional<std::string> read_string(std::uint64_t address, std::size_t max_bytes) = 0;
  virtual std::optional<std::string> read_bytes(std::uint64_t address, std::size_t size) = 0;
  // Call-site stack from the stopped thread, innermost first (libunwind-ptrace).
  virtual std::vector<StackFrame> stack(int max_frames) = 0;
  // The stopped thread's process: read from /proc on the first request after each execve, so a
  // process that is never asked about costs nothing.
  virtual const ProcessInfo& process() = 0;
};

// What to do with a call that stopped at its seccomp (entry) stop.
struct SeccompDecision {
  enum class Kind { kContinue, kFailWithErrno, kKillProcess };
  Kind kind = Kind::kContinue;
  int error_number = 0;  // for kFailWithErrno: the call returns -error_number, not run
  int kill_signal = 31;  // for kKillProcess: SIGSYS, as SCMP_ACT_KILL_PROCESS does

  static SeccompDecision proceed() { return {}; }
  static SeccompDecision fail(int error_number) { return {Kind::kFailWithErrno, error_number, 31}; }
  static SeccompDecision kill() { return {Kind::kKillProcess, 0, 31}; }
};

class TraceObserver {
 public:
  virtual ~TraceObserver() = default;
  // Syscall entry (a seccomp stop, or a syscall-entry stop in PTRACE_SYSCALL mode).
  virtual SeccompDecision on_syscall_entry(const SyscallEvent& event, StoppedTracee& tracee) = 0;
  // Syscall exit, only when LaunchOptions::return_values; event.return_value is set. The event is
  // the entry's: for an execve from a non-leader thread event.tid is the thread that made the
  // call, while tracee.tid() is the leader's id, which that thread has taken over.
  virtual void on_syscall_exit(const SyscallEvent& /*event*/, StoppedTracee& /*tracee*/) {}
  virtual void on_process_start(pid_t /*pid*/) {}
  // The launched command's execve succeeded: it runs in its own memory from here on.
  virtual void on_workload_started() {}
  virtual void on_process_exit(pid_t /*pid*/, int /*wait_status*/) {}
  // A thread (including a process's last one) ended; a call that stopped at entry and never
  // reached its exit stop (exit, execve from another thread, SIGKILL) ends with it.
  virtual void on_thread_exit(pid_t /*tid*/, int /*wait_status*/) {}
  // Things the user must hear about, once per process each: the workload installed its own
  // seccomp filter, asked for strict mode, cloned with CLONE_UNTRACED, cannot use ptrace; the
  // tracer set no_new_privs, fell back to PTRACE_SYSCALL, ...
  virtual void on_notice(std::string_view /*message*/) {}
};

struct LaunchOptions {
  // argv[0] is looked up in PATH; a file the kernel cannot execute (ENOEXEC: a script without
  // "#!") is run by /bin/sh, as execvp and the shells do.
  std::vector<std::string> argv;
  // Stacked filters loaded before execve. Empty: no filter, every call is stepped with
  // PTRACE_SYSCALL (the fallback when seccomp is unavailable).
  std::vector<BpfProgram> filters;
  bool return_values = false;  // also stop at the exit of calls that stopped at entry
  bool pin_to_one_cpu = false;
  // Load the tracer's notice filter (kNoticeTraceTag) below the given filters so a workload's
  // own seccomp filter, strict mode and ptrace are reported through on_notice, and a clone with
  // CLONE_UNTRACED is kept traced.
  bool watch_notices = true;
};

// SECCOMP_RET_DATA the tracer reserves for its own filter, which stops seccomp(2),
// prctl(PR_SET_SECCOMP), clone(2) with CLONE_UNTRACED, clone3(2) and ptrace(2)'s attach requests.
// Stops that carry this tag (and no other filter's TRACE) are not passed to the observer.
inline constexpr std::uint16_t kNoticeTraceTag = 0xffff;

// Why run_command/attach_process failed, so the CLI can pick an exit code.
enum class LaunchError {
  kNone,
  kNotFound,       // argv[0] not found in PATH (exit 127)
  kNotExecutable,  // found but not executable (exit 126)
  kPtrace,         // ptrace not permitted: CAP_SYS_PTRACE, Yama ptrace_scope, already traced
  kOther,          // anything else seccheck could not do
};

struct TraceSummary {
  int exit_status = 0;       // shell-style: the code, or 128+N when killed by signal N
  bool interrupted = false;  // seccheck got a terminating signal (tracer/interrupt.h) and ended early
  int interrupt_signal = 0;  // the first such signal (SIGINT, SIGTERM, SIGHUP, ...) when interrupted
  // Tasks still traced when the tracer stopped waiting after the interrupt (1 s, or a second
  // signal): killed when seccheck exits (PTRACE_O_EXITKILL), or detached by the kernel for -p.
  std::size_t tasks_left = 0;
  std::uint64_t syscall_stops = 0;
  std::uint64_t processes = 0;
  std::uint64_t threads = 0;
  pid_t root_pid = 0;
};

// Runs `options.argv` under ptrace. Errors (command not found, ptrace not permitted, ...) are
// one-line messages; the caller maps them to exit codes via LaunchError.
// `error_kind`, when given, receives the kind of a failure (kNone on success).
Result<TraceSummary> run_command(const LaunchOptions& options, TraceObserver& observer,
                                 LaunchError* error_kind = nullptr);
// Attaches to a running process and all its threads; steps with PTRACE_SYSCALL because no
// filter can be added to a running process. Detaches on SIGINT/SIGTERM.
Result<TraceSummary> attach_process(pid_t pid, bool return_values, TraceObserver& observer,
                                    LaunchError* error_kind = nullptr);

// True when this kernel accepts seccomp filters (prctl(PR_GET_SECCOMP) succeeds). When false,
// callers pass no filters and the tracer steps every call with PTRACE_SYSCALL.
bool seccomp_filters_available();

}  // namespace seccheck::tracer
