// Wait-status classification without a kernel: status words built as the kernel builds them.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ptrace.h>

#include "tracer/wait_status.h"

namespace seccheck::tracer {
namespace {

int exited(int code) {
  return (code & 0xff) << 8;
}
int killed(int sig, bool core = false) {
  return sig | (core ? 0x80 : 0);
}
int stopped(int sig, int event = 0) {
  return 0x7f | (sig << 8) | (event << 16);
}

TEST(WaitStatus, ExitAndSignalDeaths) {
  EXPECT_EQ(classify_wait_status(exited(0)), StopKind::kExited);
  EXPECT_EQ(shell_exit_status(exited(7)), 7);
  EXPECT_EQ(classify_wait_status(killed(SIGKILL)), StopKind::kKilled);
  EXPECT_EQ(shell_exit_status(killed(SIGKILL)), 137);
  EXPECT_EQ(shell_exit_status(killed(SIGSEGV, true)), 139);
  EXPECT_EQ(shell_exit_status(stopped(SIGSTOP)), -1);
}

TEST(WaitStatus, PtraceEvents) {
  EXPECT_EQ(classify_wait_status(stopped(SIGTRAP, PTRACE_EVENT_SECCOMP)), StopKind::kSeccomp);
  EXPECT_EQ(classify_wait_status(stopped(SIGTRAP | 0x80)), StopKind::kSyscall);
  EXPECT_EQ(classify_wait_status(stopped(SIGTRAP, PTRACE_EVENT_FORK)), StopKind::kFork);
  EXPECT_EQ(classify_wait_status(stopped(SIGTRAP, PTRACE_EVENT_VFORK)), StopKind::kVfork);
  EXPECT_EQ(classify_wait_status(stopped(SIGTRAP, PTRACE_EVENT_CLONE)), StopKind::kClone);
  EXPECT_EQ(classify_wait_status(stopped(SIGTRAP, PTRACE_EVENT_EXEC)), StopKind::kExec);
  EXPECT_EQ(classify_wait_status(stopped(SIGTRAP, PTRACE_EVENT_VFORK_DONE)), StopKind::kVforkDone);
  EXPECT_EQ(classify_wait_status(stopped(SIGTRAP, PTRACE_EVENT_EXIT)), StopKind::kExitEvent);
}

TEST(WaitStatus, GroupStopsAreToldFromTrapStops) {
  for (int sig : {SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU}) {
    EXPECT_EQ(classify_wait_status(stopped(sig, PTRACE_EVENT_STOP)), StopKind::kGroupStop) << sig;
    EXPECT_EQ(stop_signal(stopped(sig, PTRACE_EVENT_STOP)), sig);
  }
  // A new tracee's first stop and PTRACE_INTERRUPT report SIGTRAP.
  EXPECT_EQ(classify_wait_status(stopped(SIGTRAP, PTRACE_EVENT_STOP)), StopKind::kTrapStop);
}

TEST(WaitStatus, SignalDeliveryStopsCarryTheSignal) {
  EXPECT_EQ(classify_wait_status(stopped(SIGUSR1)), StopKind::kSignal);
  EXPECT_EQ(stop_signal(stopped(SIGUSR1)), SIGUSR1);
  // A plain SIGTRAP (int3, kill -TRAP) is a signal, not a syscall stop.
  EXPECT_EQ(classify_wait_status(stopped(SIGTRAP)), StopKind::kSignal);
  EXPECT_EQ(classify_wait_status(stopped(SIGSTOP)), StopKind::kSignal);
  EXPECT_EQ(stop_signal(stopped(SIGTRAP, PTRACE_EVENT_SECCOMP)), 0);
}

}  // namespace
}  // namespace seccheck::tracer
