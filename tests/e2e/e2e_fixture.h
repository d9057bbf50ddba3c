// What the end-to-end tests of seccheck's inputs, outputs and interrupted runs share: a fresh
// temporary folder per test, files written into it, and `seccheck ARGS` run and captured.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/run_process.h"

namespace seccheck::testing {

class SeccheckE2E : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // dir_/name holding `content`; returns the path.
  std::string write(const std::string& name, const std::string& content) const;
  bool exists(const std::string& path) const;
  // `seccheck ARGS`, stdin from /dev/null, stdout and stderr captured.
  ProcessOutput seccheck(const std::vector<std::string>& args, int timeout_seconds = 120) const;
  // `sh -c SCRIPT` with $SECCHECK, $TESTPROGS and $DIR set.
  ProcessOutput shell(const std::string& script, int timeout_seconds = 120) const;

  std::string dir_;
};

// The number of lines of `text`.
std::size_t line_count(const std::string& text);

}  // namespace seccheck::testing
