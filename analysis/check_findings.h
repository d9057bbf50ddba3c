// Turns recorded calls into findings: each distinct call (syscall, ABI, argument pattern) is
// evaluated against every checked profile; the ones some profile would block become findings.
// The same function serves the fast path (calls the kernel flagged) and offline diffs of full
// records, so both give identical findings for the same calls.
#pragma once

#include <string>
#include <vector>

#include "analysis/findings.h"
#include "analysis/resolve.h"
#include "analysis/run_record.h"

namespace seccheck::analysis {

std::vector<Finding> build_findings(const std::vector<RecordedCall>& calls,
                                    const std::vector<ResolvedProfile>& profiles);

// "clone(flags=CLONE_NEWUSER|SIGCHLD)", "socket(AF_VSOCK, ...)", "keyctl(...)": the call with the
// arguments that distinguish its finding decoded, the others elided.
std::string describe_call_pattern(const RecordedCall& call);

}  // namespace seccheck::analysis
