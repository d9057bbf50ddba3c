// Classifies what waitpid(2) reported for a tracee into the stops the event loop handles.
// Pure functions of the status word, so they are tested without a kernel.
#pragma once

namespace seccheck::tracer {

enum class StopKind {
  kExited,     // WIFEXITED
  kKilled,     // WIFSIGNALED
  kSeccomp,    // PTRACE_EVENT_SECCOMP: a filter answered SECCOMP_RET_TRACE
  kSyscall,    // SIGTRAP|0x80 (PTRACE_O_TRACESYSGOOD): syscall entry or exit stop
  kFork,       // PTRACE_EVENT_FORK
  kVfork,      // PTRACE_EVENT_VFORK
  kClone,      // PTRACE_EVENT_CLONE
  kExec,       // PTRACE_EVENT_EXEC
  kVforkDone,  // PTRACE_EVENT_VFORK_DONE
  kExitEvent,  // PTRACE_EVENT_EXIT
  kGroupStop,  // PTRACE_EVENT_STOP with a stopping signal: resume with PTRACE_LISTEN
  kTrapStop,   // PTRACE_EVENT_STOP with SIGTRAP: a new tracee's first stop, PTRACE_INTERRUPT, listen wake-up
  kSignal,     // signal-delivery stop: re-inject the signal
  kUnknown,
};

StopKind classify_wait_status(int status);
// For kSignal and kGroupStop: the signal; 0 otherwise.
int stop_signal(int status);
// Shell-style exit status: the code, or 128+N for signal N. -1 when the process did not end.
int shell_exit_status(int status);
// "exited 3", "killed by SIGKILL", "stopped (seccomp)"... for diagnostics and tests.
const char* stop_kind_name(StopKind kind);

}  // namespace seccheck::tracer
