#include "tests/e2e/e2e_fixture.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace seccheck::testing {

void SeccheckE2E::SetUp() {
  char pattern[] = "/tmp/seccheck-e2e-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  dir_ = pattern;
}

void SeccheckE2E::TearDown() {
  std::system(("rm -rf '" + dir_ + "'").c_str());
}

std::string SeccheckE2E::write(const std::string& name, const std::string& content) const {
  std::string path = dir_ + "/" + name;
  std::ofstream out(path, std::ios::binary);
  out << content;
  EXPECT_TRUE(out.good()) << path;
  return path;
}

bool SeccheckE2E::exists(const std::string& path) const {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0;
}

ProcessOutput SeccheckE2E::seccheck(const std::vector<std::string>& args, int timeout_seconds) const {
  std::vector<std::string> argv = {seccheck_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, timeout_seconds);
}

ProcessOutput SeccheckE2E::shell(const std::string& script, int timeout_seconds) const {
  return run_process({"/usr/bin/env", "SECCHECK=" + seccheck_binary(), "TESTPROGS=" + testprog(""),
                      "DIR=" + dir_, "/bin/bash", "-c", script},
                     timeout_seconds);
}

std::size_t line_count(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace seccheck::testing
