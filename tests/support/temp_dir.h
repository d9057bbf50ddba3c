// Scratch files for tests: one directory per test process, removed when the process exits, so
// ctest's parallel processes never share a file and a run leaves nothing in $TMPDIR.
#pragma once

#include <string>

namespace seccheck::testing {

// "<TempDir>/seccheck_test_XXXXXX/NAME": made on first use; the directory and all in it are
// removed at process exit.
std::string temp_path(const std::string& name);

}  // namespace seccheck::testing
