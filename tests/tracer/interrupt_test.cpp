// Which signals interrupt a run, and how the handlers count them. Handlers are process-wide, so
// each case that installs them runs in a forked child and reports by its exit code.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <set>

#include "tracer/interrupt.h"

namespace seccheck::tracer {
namespace {

TEST(InterruptSignals, ClassicTableCoversEachSignalOnceInOrder) {
  const auto rows = classic_signal_roles();
  ASSERT_EQ(rows.size(), 31u);
  for (std::size_t i = 0; i < rows.size(); ++i)
    EXPECT_EQ(rows[i].signal, static_cast<int>(i) + 1) << "row " << i;
}

TEST(InterruptSignals, Roles) {
  for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGXCPU, SIGVTALRM, SIGPROF})
    EXPECT_EQ(signal_role(sig), SignalRole::kInterrupt) << sig;
  EXPECT_EQ(signal_role(SIGPIPE), SignalRole::kWriteError);
  EXPECT_EQ(signal_role(SIGXFSZ), SignalRole::kWriteError);
  EXPECT_EQ(signal_role(SIGKILL), SignalRole::kFixed);
  EXPECT_EQ(signal_role(SIGSTOP), SignalRole::kFixed);
  EXPECT_EQ(signal_role(SIGSEGV), SignalRole::kFault);
  EXPECT_EQ(signal_role(SIGCHLD), SignalRole::kHarmless);
  EXPECT_EQ(signal_role(SIGRTMIN), SignalRole::kInterrupt);
  EXPECT_EQ(signal_role(SIGRTMAX), SignalRole::kInterrupt);
  EXPECT_EQ(signal_role(32), SignalRole::kLibc);
}

// Runs `body` in a child; its exit code, or 200 + the signal that killed it.
template <typename Body> int in_child(Body body) {
  pid_t child = fork();
  if (child == 0) _exit(body());
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

TEST(InterruptHandlers, CountsAndTheThirdEndsTheProcess) {
  const int code = in_child([] {
    InterruptHandlers handlers;
    raise(SIGHUP);
    if (interrupt_count() != 1 || first_interrupt_signal() != SIGHUP) return 1;
    raise(SIGTERM);
    if (interrupt_count() != 2 || first_interrupt_signal() != SIGHUP) return 2;
    raise(SIGINT);  // the third: exit 128 + the first signal
    return 3;
  });
  EXPECT_EQ(code, 128 + SIGHUP);
}

TEST(InterruptHandlers, AfterAnInterruptTheHandlersStay) {
  const int code = in_child([] {
    {
      InterruptHandlers handlers;
      raise(SIGUSR1);
    }
    // seccheck is writing its report now: a signal counts, it does not kill.
    raise(SIGUSR1);
    if (interrupt_count() != 2) return 1;
    struct sigaction now {};
    sigaction(SIGUSR1, nullptr, &now);
    return (now.sa_flags & SA_RESTART) ? 0 : 2;
  });
  EXPECT_EQ(code, 0);
}

TEST(InterruptHandlers, WithoutAnInterruptTheOldDispositionsComeBack) {
  const int code = in_child([] {
    { InterruptHandlers handlers; }
    struct sigaction now {};
    sigaction(SIGINT, nullptr, &now);
    if (now.sa_handler != SIG_DFL) return 1;
    raise(SIGINT);
    return 2;
  });
  EXPECT_EQ(code, 200 + SIGINT);
}

TEST(InterruptHandlers, IgnoredSignalsStayIgnored) {
  const int code = in_child([] {
    signal(SIGHUP, SIG_IGN);  // as under nohup: the workload must inherit SIG_IGN too
    InterruptHandlers handlers;
    raise(SIGHUP);
    if (interrupt_count() != 0) return 1;
    struct sigaction now {};
    sigaction(SIGHUP, nullptr, &now);
    return now.sa_handler == SIG_IGN ? 0 : 2;
  });
  EXPECT_EQ(code, 0);
}

TEST(InterruptHandlers, AClosedPipeIsAWriteErrorNotADeath) {
  const int code = in_child([] {
    { InterruptHandlers handlers; }  // the write-error handlers stay for the report
    int fds[2];
    if (pipe(fds) != 0) return 1;
    close(fds[0]);
    errno = 0;
    if (write(fds[1], "x", 1) != -1 || errno != EPIPE) return 2;
    return interrupt_count() == 0 ? 0 : 3;
  });
  EXPECT_EQ(code, 0);
}

}  // namespace
}  // namespace seccheck::tracer
