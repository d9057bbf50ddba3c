// From a run record to a check report. Each distinct call (syscall, ABI, argument pattern) is
// evaluated against every checked profile; the ones some profile would block become findings.
// One path for every source of records: a check run (only the calls the kernel flagged), a
// complete record re-checked offline (diff), a verify run, an audit log.
#pragma once

#include <string>
#include <vector>

#include "analysis/context.h"
#include "analysis/findings.h"
#include "analysis/resolve.h"
#include "analysis/run_record.h"

namespace seccheck::analysis {

// The report of `record` against `profiles` in `context`: the run's facts plus its findings.
CheckReport make_report(const RunRecord& record, const std::vector<ResolvedProfile>& profiles,
                        const Context& context);

std::vector<Finding> build_findings(const std::vector<RecordedCall>& calls,
                                    const std::vector<ResolvedProfile>& profiles);

// "clone(flags=CLONE_NEWUSER|SIGCHLD)", "socket(AF_VSOCK, ...)", "keyctl(...)": the call with the
// arguments that distinguish its finding decoded, the others elided.
std::string describe_call_pattern(const RecordedCall& call);

}  // namespace seccheck::analysis
