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

// Absolute paths the build gives the tests.
std::string seccheck_binary();
std::string testprog(const std::string& name);
// ../shared next to the checkout, or "" when absent (tests then GTEST_SKIP with a message).
std::string shared_dir();
std::string read_file(const std::string& path);

}  // namespace seccheck::testing
