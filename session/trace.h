// `seccheck trace`: a workload (or a running process) traced strace-style. The session observes
// the tracer, decodes each call's arguments from the stopped tracee (strings are read at the
// entry stop, before the call changes them), pairs entries with their exit stops for return
// values, and hands complete calls to a report::TraceWriter.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "report/trace_writer.h"
#include "session/workload.h"
#include "tracer/tracer.h"

namespace seccheck::session {

struct TraceRequest {
  std::vector<std::string> command;  // or:
  pid_t attach_pid = 0;              // -p PID
  // -e trace=NAME,...: only these calls are shown (and, with a filter, only these stop the
  // workload). nullopt: every call.
  std::optional<std::vector<std::string>> only;
  bool return_values = true;  // stop at each call's exit too
  bool summary = false;       // -c: decode the values profiles condition on, for the table
  bool executables = false;   // read each process's executable (JSON lines print it)
  bool no_seccomp = false;    // step every call with PTRACE_SYSCALL
  bool pin_cpu = false;
  std::size_t string_limit = 64;
};

// -e expressions (`trace=NAME,...`, or plain NAME,...) as the names they select; nullopt for all.
// Unknown names and other qualifiers are errors naming the expression.
Result<std::optional<std::vector<std::string>>>
parse_trace_expressions(const std::vector<std::string>& expressions);

// Notices (no filter, fallbacks, the workload's own filter ...) go to `notice`. An error means
// the workload could not be started or attached (`launch_error` says why). Calls still waiting
// for their exit stop have been written either way; the caller finishes the writer.
Result<tracer::TraceSummary> run_trace(const TraceRequest& request, report::TraceWriter& writer,
                                       const std::function<void(std::string_view)>& notice,
                                       WorkloadRunner& runner, tracer::LaunchError* launch_error);

}  // namespace seccheck::session
