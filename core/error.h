// Exit codes and the one exception type for unrecoverable user or setup errors. It is thrown
// outside the trace loop only and caught in main, which prints its message as one line.
#pragma once

#include <stdexcept>
#include <string>

namespace seccheck {

// Documented in README ("Exit codes"). `check`, `diff`, `verify` are gates (0/1/2/3/4);
// `trace` passes the workload's status through and uses 125-127 for its own failures,
// as env(1) and `docker run` do.
enum class ExitCode : int {
  kOk = 0,
  kWouldBlock = 1,       // check/diff/verify: a profile would block (or denied) a call
  kUsage = 2,            // usage or input error (bad option, malformed profile, missing file)
  kToolFailure = 3,      // seccheck itself failed (ptrace not permitted, internal error, a failed write)
  kIncomplete = 4,       // check/diff/verify/generate: the run did not finish (interrupted), so no verdict
  kTraceFailure = 125,   // trace: seccheck failed before or while running the workload
  kNotExecutable = 126,  // trace: the command exists but cannot be executed
  kNotFound = 127,       // trace: the command was not found
};

class UserError : public std::runtime_error {
 public:
  UserError(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

}  // namespace seccheck
