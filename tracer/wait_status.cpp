#include "tracer/wait_status.h"

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

namespace seccheck::tracer {

StopKind classify_wait_status(int status) {
  if (WIFEXITED(status)) return StopKind::kExited;
  if (WIFSIGNALED(status)) return StopKind::kKilled;
  if (!WIFSTOPPED(status)) return StopKind::kUnknown;
  const int sig = WSTOPSIG(status);
  const int event = (status >> 16) & 0xff;
  if (sig == (SIGTRAP | 0x80)) return StopKind::kSyscall;
  switch (event) {
    case 0: return StopKind::kSignal;
    case PTRACE_EVENT_SECCOMP: return StopKind::kSeccomp;
    case PTRACE_EVENT_FORK: return StopKind::kFork;
    case PTRACE_EVENT_VFORK: return StopKind::kVfork;
    case PTRACE_EVENT_CLONE: return StopKind::kClone;
    case PTRACE_EVENT_EXEC: return StopKind::kExec;
    case PTRACE_EVENT_VFORK_DONE: return StopKind::kVforkDone;
    case PTRACE_EVENT_EXIT: return StopKind::kExitEvent;
    case PTRACE_EVENT_STOP:
      // A group stop reports the stopping signal; every other PTRACE_EVENT_STOP reports SIGTRAP.
      if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) return StopKind::kGroupStop;
      return StopKind::kTrapStop;
    default: return StopKind::kUnknown;
  }
}

int stop_signal(int status) {
  StopKind kind = classify_wait_status(status);
  if (kind == StopKind::kSignal || kind == StopKind::kGroupStop) return WSTOPSIG(status);
  return 0;
}

int shell_exit_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

const char* stop_kind_name(StopKind kind) {
  switch (kind) {
    case StopKind::kExited: return "exited";
    case StopKind::kKilled: return "killed";
    case StopKind::kSeccomp: return "seccomp";
    case StopKind::kSyscall: return "syscall";
    case StopKind::kFork: return "fork";
    case StopKind::kVfork: return "vfork";
    case StopKind::kClone: return "clone";
    case StopKind::kExec: return "exec";
    case StopKind::kVforkDone: return "vfork-done";
    case StopKind::kExitEvent: return "exit-event";
    case StopKind::kGroupStop: return "group-stop";
    case StopKind::kTrapStop: return "trap-stop";
    case StopKind::kSignal: return "signal";
    case StopKind::kUnknown: return "unknown";
  }
  return "unknown";
}

}  // namespace seccheck::tracer
