#include <gtest/gtest.h>
#include <seccomp.h>

#include <algorithm>
#include <regex>
#include <string>

#include "tests/support/run_process.h"

namespace seccheck::testing {
namespace {

TEST(Version, PrintsVersionAndTheLibseccompItRunsWith) {
  const ProcessOutput result = run_process({seccheck_binary(), "--version"});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  EXPECT_EQ(result.err, "");
  std::smatch match;
  ASSERT_TRUE(std::regex_match(result.out, match,
                               std::regex(R"(seccheck (\d+\.\d+\.\d+) \(libseccomp (\d+\.\d+\.\d+)\)\n)")))
      << "unexpected --version output: " << result.out;
  EXPECT_EQ(match[1].str(), SECCHECK_PROJECT_VERSION);
  // The library loaded at run time (same shared object the binary resolves), not the headers.
  const scmp_version* lib = seccomp_version();
  EXPECT_EQ(match[2].str(),
            std::to_string(lib->major) + "." + std::to_string(lib->minor) + "." + std::to_string(lib->micro));
}

TEST(Version, UsageErrorsExitTwoWithOneLine) {
  ProcessOutput result = run_process({seccheck_binary()});
  EXPECT_EQ(result.exit_status, 2) << result.err;
  result = run_process({seccheck_binary(), "no-such-command"});
  EXPECT_EQ(result.exit_status, 2) << result.err;
  result = run_process({seccheck_binary(), "completion", "--no-such-option"});
  EXPECT_EQ(result.exit_status, 2) << result.err;
  EXPECT_NE(result.err.find("--no-such-option"), std::string::npos) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
}

}  // namespace
}  // namespace seccheck::testing
