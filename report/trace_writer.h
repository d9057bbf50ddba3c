// What `seccheck trace` writes: one line per call strace-style, one JSON object per call (JSON
// lines), or the -c table of counts per (ABI, syscall) with the argument values profiles care
// about. Writers only format what the trace session hands them (it decodes the arguments from the
// stopped tracee). Every write is checked: a full disk or a closed pipe is an error from
// finish(), never a silently truncated trace.
//
// The JSON fields are documented in README.md ("seccheck trace"); keep the two in step.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "core/syscall_event.h"

namespace seccheck::report {

struct TracedCall {
  SyscallEvent event;      // return_value set when the call's exit was seen
  std::string arguments;   // decoded: `AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC`
  std::string executable;  // the calling process's executable (JSON lines)
  // -c: the decoded value a profile conditions on (clone flags, socket family, ...), if any.
  std::optional<std::string> profile_value;
  bool show_pid = false;  // text: more than one task was traced, so lines say which
};

class TraceWriter {
 public:
  virtual ~TraceWriter() = default;
  virtual void call(const TracedCall& call) = 0;
  virtual void process_exit(pid_t /*pid*/, int /*wait_status*/, bool /*show_pid*/) {}
  // Writes what is left (the -c table) and flushes; a failed write names its error.
  virtual Result<void> finish() = 0;
};

enum class TraceFormat { kText, kJsonLines, kSummary };

// `out` stays open; `count_errors` adds the -c table's errors column (return values were asked for).
std::unique_ptr<TraceWriter> make_trace_writer(TraceFormat format, std::FILE* out, bool count_errors);

}  // namespace seccheck::report
