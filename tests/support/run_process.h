// Runs a program for an end-to-end test and captures what it printed.
#pragma once

#include <string>
#include <vector>

namespace seccheck::testing {

struct ProcessOutput {
  int exit_status = -1;  // shell-style: code, or 128+N for a signal
  std::string out;
  std::string err;
};

// Runs argv (argv[0] a path) with stdin from /dev/null; kills it after `timeout_seconds`.
ProcessOutput run_process(const std::vector<std::string>& argv, int timeout_seconds = 60);

// For stress tests: run_process, plus a signal sent to the child alone (not its group) once
// its stdout contains `signal_after_output` (at once when empty), `signal_delay_ms` later,
// plus which processes of the child's process group outlived it. The calling process becomes
// a child subreaper (PR_SET_CHILD_SUBREAPER), so orphans it finds are its own to reap.
struct RunOptions {
  int timeout_seconds = 60;
  int signal = 0;  // 0: none
  std::string signal_after_output;
  int signal_delay_ms = 0;
  int grace_ms = 2000;  // how long processes of the group may take to go once the child exited
};
struct ProcessRun {
  ProcessOutput output;
  int pgid = 0;
  double seconds = 0;  // from start until the child exited
  bool timed_out = false;
  bool signal_sent = false;
  double signal_seconds = -1;  // from start until the signal was sent
  // "PID STATE COMM" of each process of the group still there the moment the child was
  // reaped, and of those still there (alive, stopped or zombie) after grace_ms.
  std::vector<std::string> at_exit;
  std::vector<std::string> left_behind;
};
ProcessRun run_process_with(const std::vector<std::string>& argv, const RunOptions& options);
// Starts argv (argv[0] a path) with stdin from /dev/null and stdout and stderr on the given fds,
// in a process group of its own when `own_group`; returns its pid. The caller waits for it.
int start_process(const std::vector<std::string>& argv, int out_fd, int err_fd, bool own_group);
// "PID STATE COMM" for every process whose process group is `pgid`, from /proc.
std::vector<std::string> processes_in_group(int pgid);

// Absolute paths the build gives the tests.
std::string seccheck_binary();
// seccheck-static, or "" when the build made none (SECCHECK_STATIC_BINARY=OFF, sanitizers).
std::string seccheck_static_binary();
std::string testprog(const std::string& name);
// ../shared next to the checkout, or "" when absent (tests then GTEST_SKIP with a message, and
// no count of an always-run test may depend on it). A ../shared that is some other folder (no
// reference-profiles/index.json, no schemas/) counts as absent.
std::string shared_dir();
std::string read_file(const std::string& path);

}  // namespace seccheck::testing
