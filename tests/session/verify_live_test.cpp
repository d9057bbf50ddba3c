// verify on a profile with TRAP and KILL_THREAD (issue 19, item 20), live: the workload's SIGSYS
// handler must see the kernel's siginfo and a KILL_THREAD must end one thread only. seccheck's
// verdict on the exit status must be what the real filter gives, measured here in a child that
// loads the compiled profile itself.
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "analysis/compile.h"
#include "analysis/profile_parser.h"
#include "analysis/resolve.h"
#include "session/check.h"
#include "tests/support/run_process.h"
#include "tracer/tracer.h"

namespace seccheck::session {
namespace {

constexpr const char* kTrapProfile = R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
  {"names": ["getcpu"], "action": "SCMP_ACT_TRAP"},
  {"names": ["sysinfo"], "action": "SCMP_ACT_KILL_THREAD"}]})";

// The program's exit status under `program`, loaded by this test in a forked child.
int status_under_real_filter(const BpfProgram& program, const std::string& path) {
  const pid_t pid = fork();
  if (pid == 0) {
    sock_fprog prog{};
    prog.len = static_cast<unsigned short>(program.instructions.size());
    prog.filter = const_cast<sock_filter*>(program.instructions.data());
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) _exit(120);
    freopen("/dev/null", "w", stdout);
    execl(path.c_str(), path.c_str(), static_cast<char*>(nullptr));
    _exit(121);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

TEST(VerifyLive, TrapAndKillThreadGiveTheRealFiltersExitStatus) {
  if (!tracer::seccomp_filters_available()) GTEST_SKIP() << "seccomp filters are not available here";
  char dir[] = "/tmp/seccheck-verify-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/trap.json";
  std::ofstream(path) << kTrapProfile;

  auto profile = analysis::parse_profile(kTrapProfile, "trap.json");
  ASSERT_TRUE(profile.ok());
  auto real =
      analysis::compile(analysis::resolve(*profile, analysis::Context{}), analysis::CompileMode::kAsIs);
  ASSERT_TRUE(real.ok());
  const std::string program = testing::testprog("verify_trap_kill_thread");
  const int expected = status_under_real_filter(*real, program);
  ASSERT_EQ(expected, 0) << "the testprog's handler saw the wrong siginfo, or the process died";

  VerifyRequest request;
  request.run.command = {program};
  request.run.stack_frames = 0;
  request.profile = path;
  PtraceRunner runner;
  const VerifyOutcome outcome = run_verify(request, runner);
  EXPECT_EQ(outcome.reference_exit_status, 0);
  EXPECT_EQ(outcome.profile_exit_status, expected);
  EXPECT_TRUE(outcome.under_real_filter);
  EXPECT_TRUE(outcome.exit_status_matched);
  // The traced run went on past the TRAP, so the KILL_THREAD call of the second thread is found.
  std::vector<std::string> found;
  for (const analysis::Finding& finding : outcome.check.report.findings)
    found.push_back(finding.syscall);
  EXPECT_EQ(found, (std::vector<std::string>{"getcpu", "sysinfo"}));
  std::remove(path.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace seccheck::session
