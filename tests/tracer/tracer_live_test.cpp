// The tracer library against the real kernel: run_command on testprogs with a recording
// observer. Skips when ptrace or seccomp filters are unavailable.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>

#include "core/syscall_table.h"
#include "tests/support/run_process.h"
#include "tracer/trace_filter.h"
#include "tracer/tracer.h"

namespace seccheck::tracer {
namespace {

using seccheck::testing::testprog;

class Recorder : public TraceObserver {
 public:
  SeccompDecision on_syscall_entry(const SyscallEvent& event, StoppedTracee& tracee) override {
    const std::string name = syscall_display_name(event.arch, event.nr);
    ++entries[name];
    tids.insert(event.tid);
    if (name == "execve") execve_entries.emplace_back(event.pid, event.tid);
    if (name == fail_name) return SeccompDecision::fail(fail_errno);
    if (name == kill_name) return SeccompDecision::kill();
    if (name == stack_name && stack.empty()) stack = tracee.stack(16);
    if (name == "openat" && !path_read) path_read = tracee.read_string(event.args[1], 4096);
    if (name == executable_name || record_all_executables) {
      const std::string& path = tracee.process().executable;
      executables.push_back(name + " " + path.substr(path.rfind('/') + 1));
    }
    return SeccompDecision::proceed();
  }
  void on_syscall_exit(const SyscallEvent& event, StoppedTracee&) override {
    const std::string name = syscall_display_name(event.arch, event.nr);
    ++exits[name];
    if (event.return_value) last_return[name] = *event.return_value;
    if (name == "execve") execve_exits.emplace_back(event.pid, event.tid);
  }
  void on_notice(std::string_view message) override { notices.emplace_back(message); }

  std::map<std::string, int> entries, exits;
  std::map<std::string, std::int64_t> last_return;
  std::set<pid_t> tids;
  std::vector<std::pair<pid_t, pid_t>> execve_entries, execve_exits;  // (pid, tid)
  std::vector<std::string> executables, notices;
  std::string fail_name, kill_name, stack_name, executable_name;
  bool record_all_executables = false;
  int fail_errno = 0;
  std::vector<StackFrame> stack;
  std::optional<std::string> path_read;
};

LaunchOptions launch(std::vector<std::string> argv, const std::vector<std::string>& names,
                     bool return_values) {
  LaunchOptions options;
  options.argv = std::move(argv);
  auto filter = names.empty() ? build_trace_all_filter() : build_trace_set_filter(names);
  EXPECT_TRUE(filter.ok());
  if (filter.ok()) options.filters = *filter;
  options.return_values = return_values;
  return options;
}

// Notices that contain `text`.
std::vector<std::string> notices_with(const Recorder& recorder, const std::string& text) {
  std::vector<std::string> found;
  for (const std::string& notice : recorder.notices)
    if (notice.find(text) != std::string::npos) found.push_back(notice);
  return found;
}

class TracerLive : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!seccomp_filters_available()) GTEST_SKIP() << "seccomp filters unavailable on this kernel";
  }
};

TEST_F(TracerLive, ThreadsGiveExactCountsWithOneStopPerCall) {
  Recorder recorder;
  auto summary = run_command(launch({testprog("trace_threads"), "4", "250"}, {"getppid"}, false), recorder);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->exit_status, 0);
  EXPECT_EQ(recorder.entries["getppid"], 1000);
  EXPECT_EQ(recorder.exits.size(), 0u) << "no exit stops when return values are not asked for";
  EXPECT_EQ(summary->syscall_stops, 1000u) << "only the asked-for call stops";
  EXPECT_EQ(recorder.tids.size(), 4u);
  EXPECT_EQ(summary->threads, 5u);
  EXPECT_EQ(summary->processes, 1u);
}

TEST_F(TracerLive, ReturnValuesAddExitStops) {
  Recorder recorder;
  recorder.executable_name = "getpid";
  auto summary = run_command(launch({testprog("trace_exit_code"), "7"}, {"getpid"}, true), recorder);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->exit_status, 7);
  EXPECT_EQ(recorder.entries["getpid"], 1);
  EXPECT_EQ(recorder.exits["getpid"], 1);
  EXPECT_EQ(recorder.last_return["getpid"], summary->root_pid);
  EXPECT_EQ(recorder.executables, std::vector<std::string>{"getpid trace_exit_code"});
}

TEST_F(TracerLive, ProcessInfoIsReadAgainAfterExecFromAThread) {
  Recorder recorder;
  recorder.record_all_executables = true;
  auto summary = run_command(launch({testprog("trace_exec_thread")}, {"execve", "getpid"}, false), recorder);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->exit_status, 3);
  // The launcher's own execve comes first (still the test binary), then the workload's.
  ASSERT_EQ(recorder.executables.size(), 3u);
  EXPECT_EQ(recorder.executables[1], "execve trace_exec_thread");
  EXPECT_EQ(recorder.executables[2], "getpid trace_exit_code");
}

TEST_F(TracerLive, FailWithErrnoSkipsTheCall) {
  Recorder recorder;
  recorder.fail_name = "getppid";
  recorder.fail_errno = EACCES;
  auto summary = run_command(launch({testprog("trace_errno_probe")}, {"getppid"}, true), recorder);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->exit_status, EACCES);
  EXPECT_EQ(recorder.last_return["getppid"], -EACCES);
}

TEST_F(TracerLive, KillProcessEndsItBySigsys) {
  Recorder recorder;
  recorder.kill_name = "getppid";
  auto summary = run_command(launch({testprog("trace_errno_probe")}, {"getppid"}, false), recorder);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->exit_status, 128 + SIGSYS);
}

TEST_F(TracerLive, StackAndStringsFromTheStoppedTracee) {
  Recorder recorder;
  recorder.stack_name = "getppid";
  auto summary = run_command(launch({testprog("trace_errno_probe")}, {"getppid", "openat"}, false), recorder);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  ASSERT_FALSE(recorder.stack.empty());
  bool main_found = false;
  for (const StackFrame& frame : recorder.stack) {
    if (frame.function == "main") {
      main_found = true;
      EXPECT_NE(frame.binary.find("trace_errno_probe"), std::string::npos) << frame.binary;
    }
  }
  EXPECT_TRUE(main_found) << "innermost: " << recorder.stack[0].function << " in "
                          << recorder.stack[0].binary;
  ASSERT_TRUE(recorder.path_read.has_value());
  EXPECT_EQ(*recorder.path_read, "/etc/ld.so.cache");
}

TEST_F(TracerLive, OwnSeccompFilterIsNoticedThoughNotAsked) {
  Recorder recorder;
  auto summary = run_command(launch({testprog("trace_notices")}, {"getppid"}, false), recorder);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->exit_status, 0);
  EXPECT_EQ(recorder.entries.count("prctl"), 0u) << "prctl was not asked for";
  EXPECT_EQ(recorder.entries["getppid"], 1);
  bool noticed = false;
  for (const std::string& notice : recorder.notices)
    if (notice.find("own seccomp filter") != std::string::npos) noticed = true;
  EXPECT_TRUE(noticed);
}

TEST_F(TracerLive, LaunchErrorsHaveKinds) {
  Recorder recorder;
  LaunchError kind = LaunchError::kNone;
  auto missing = run_command(launch({"seccheck-no-such-command"}, {"getppid"}, false), recorder, &kind);
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(kind, LaunchError::kNotFound);
  auto directory = run_command(launch({"/tmp"}, {"getppid"}, false), recorder, &kind);
  EXPECT_FALSE(directory.ok());
  EXPECT_EQ(kind, LaunchError::kNotExecutable);
}

TEST_F(TracerLive, SteppingWithoutFilterSeesEveryCall) {
  Recorder recorder;
  LaunchOptions options;
  options.argv = {testprog("trace_exit_code"), "0"};
  auto summary = run_command(options, recorder);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(recorder.entries["getpid"], 1);
  EXPECT_EQ(recorder.entries["exit_group"], 1);
  EXPECT_EQ(recorder.entries["execve"], 1);
}

// Issue 19, item 1: children cloned with CLONE_UNTRACED (clone, clone3, a thread) stay traced:
// their calls are recorded and run (untraced, seccheck's filter failed them with ENOSYS).
TEST_F(TracerLive, CloneUntracedChildrenStayTraced) {
  Recorder recorder;
  auto summary =
      run_command(launch({testprog("trace_clone_untraced")}, {"getppid", "unshare"}, true), recorder);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->exit_status, 0)
      << "a child's getppid or unshare failed, or clone3's flags came back changed";
  EXPECT_EQ(recorder.entries["getppid"], 3);
  EXPECT_EQ(recorder.entries["unshare"], 3);
  EXPECT_EQ(recorder.last_return["unshare"], 0);
  const auto notices = notices_with(recorder, "CLONE_UNTRACED");
  ASSERT_EQ(notices.size(), 1u) << "one notice for the process";
  EXPECT_NE(notices[0].find("(trace_clone_untraced)"), std::string::npos) << notices[0];
}

// Issue 19, item 15: the exit of an execve from a non-leader thread carries the tid that made the
// call (its entry's), not the leader's id the thread has taken over.
TEST_F(TracerLive, ExecFromANonLeaderThreadExitsWithTheCallersTid) {
  Recorder recorder;
  auto summary = run_command(launch({testprog("trace_exec_thread")}, {"execve"}, true), recorder);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->exit_status, 3);
  ASSERT_EQ(recorder.execve_entries.size(), 2u) << "the launcher's and the thread's";
  ASSERT_EQ(recorder.execve_exits.size(), 2u);
  const auto [pid, thread] = recorder.execve_entries[1];
  EXPECT_NE(thread, pid) << "made by a non-leader thread";
  EXPECT_EQ(recorder.execve_exits[1].first, pid);
  EXPECT_EQ(recorder.execve_exits[1].second, thread) << "the exit is the thread's call, not the leader's";
}

// Issue 19, item 19: failed seccomp()/prctl(PR_SET_SECCOMP) probes install nothing and are no
// notice; real installs are one notice per process.
TEST_F(TracerLive, OnlyInstalledSeccompFiltersAreNoticedOncePerProcess) {
  Recorder probes;
  auto summary = run_command(launch({testprog("trace_seccomp_probes"), "300"}, {"getppid"}, false), probes);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->exit_status, 0);
  EXPECT_EQ(notices_with(probes, "own seccomp filter").size(), 0u);

  Recorder installs;
  summary =
      run_command(launch({testprog("trace_seccomp_probes"), "300", "install"}, {"getppid"}, false), installs);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->exit_status, 0);
  EXPECT_EQ(notices_with(installs, "own seccomp filter").size(), 2u)
      << "the parent installed twice, the child once";
}

// Issue 19, item 3: the kernel refuses strict mode once a filter is installed; that is said,
// naming the process. Without a filter (stepping) strict mode works.
TEST_F(TracerLive, StrictModeRefusedUnderAFilterIsNoticed) {
  Recorder recorder;
  auto summary = run_command(launch({testprog("trace_seccomp_strict")}, {"getppid"}, false), recorder);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->exit_status, 3);
  const auto notices = notices_with(recorder, "SECCOMP_MODE_STRICT");
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].find("(trace_seccomp_strict)"), std::string::npos) << notices[0];

  Recorder stepped;
  LaunchOptions options;
  options.argv = {testprog("trace_seccomp_strict")};
  summary = run_command(options, stepped);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->exit_status, 0) << "strict mode works without a filter";
  EXPECT_EQ(notices_with(stepped, "SECCOMP_MODE_STRICT").size(), 0u);
}

// Issue 19, item 21: a workload's own ptrace fails under seccheck (as under strace -f); one
// notice per process that tried, naming it.
TEST_F(TracerLive, PtraceInTheWorkloadIsNoticed) {
  Recorder recorder;
  auto summary = run_command(launch({testprog("trace_ptrace_self")}, {"getppid"}, false), recorder);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->exit_status, 1);
  const auto traceme = notices_with(recorder, "PTRACE_TRACEME fails with EPERM");
  const auto seize = notices_with(recorder, "PTRACE_SEIZE fails with EPERM");
  ASSERT_EQ(traceme.size(), 1u);
  ASSERT_EQ(seize.size(), 1u);
  EXPECT_NE(traceme[0].find("(trace_ptrace_self)"), std::string::npos) << traceme[0];
  EXPECT_EQ(recorder.notices.size(), 2u);
}

// Issue 19, item 22: as execvp, a file the kernel cannot execute runs with /bin/sh; a missing
// interpreter is named.
TEST_F(TracerLive, ScriptsWithoutShebangRunWithShAndBadInterpretersAreNamed) {
  const std::string dir = "/tmp/seccheck-live-" + std::to_string(getpid());
  mkdir(dir.c_str(), 0755);
  const std::string plain = dir + "/no-shebang", bad = dir + "/bad-interpreter";
  std::ofstream(plain) << "exit 4\n";
  std::ofstream(bad) << "#!/nonexistent/seccheck-interp -x\nexit 0\n";
  chmod(plain.c_str(), 0755);
  chmod(bad.c_str(), 0755);
  Recorder recorder;
  auto summary = run_command(launch({plain}, {"getppid"}, false), recorder);
  LaunchError kind = LaunchError::kNone;
  auto failed = run_command(launch({bad}, {"getppid"}, false), recorder, &kind);
  unlink(plain.c_str());
  unlink(bad.c_str());
  rmdir(dir.c_str());
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->exit_status, 4);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(kind, LaunchError::kNotFound);
  EXPECT_NE(failed.error().message.find("/nonexistent/seccheck-interp"), std::string::npos)
      << failed.error().message;
}

}  // namespace
}  // namespace seccheck::tracer
