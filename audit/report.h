// From audit findings to a check report, through the same make_report() as `check` and `diff`,
// so the formats, baselines and gate are the same. Each finding becomes a recorded call of its
// host (x86_64, i386 and x32 calls come from an x86_64 node; aarch64 and arm calls from an arm64
// one) and is evaluated against the profiles resolved for that host.
//
// A record carries no arguments. Where a profile decides a call by its arguments, the call is
// judged at the first argument class (containment.h) that some checked profile blocks: the
// kernel logged the call, so the profile behind the log (or its log-only copy) blocked it with
// the real arguments. A notice names each such call and what the verdict depends on. Lost records
// (audit/loss.h) and unreadable lines go into CheckReport::records_lost and fail the gate unless
// allowed.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analysis/findings.h"
#include "analysis/profile.h"
#include "analysis/resolve.h"
#include "audit/findings.h"
#include "audit/loss.h"
#include "audit/parser.h"
#include "audit/source.h"
#include "core/result.h"

namespace seccheck::audit {

// The profiles checked, resolved for one host.
struct HostProfiles {
  analysis::Context context;  // context.host_arch: the host
  std::vector<analysis::Profile> profiles;
  std::vector<analysis::ResolvedProfile> resolved;
};

// What was read.
struct AuditOutcome {
  std::vector<std::string> inputs;  // as given; "/dev/kmsg" for the kernel log
  std::vector<AuditFinding> findings;
  LossSummary loss;
  ParseStats stats;
  bool interrupted = false;  // --follow ended by a signal
};

// Reads every input (with sources.follow, until `keep_going` returns false) and groups its
// records; container names are looked up while the processes may still run. `on_new_finding`
// sees each finding when its first record arrives (--follow prints it then).
using FindingCallback = std::function<void(const AuditFinding& finding)>;
Result<AuditOutcome> read_audit(const SourceOptions& sources, const FindingCallback& on_new_finding = {},
                                const std::function<bool()>& keep_going = {});

// The hosts whose ABIs the findings hold (x86_64, aarch64), x86_64 when none is known.
std::vector<Arch> hosts_of(const std::vector<AuditFinding>& findings);

analysis::CheckReport make_audit_report(const AuditOutcome& outcome, const std::vector<HostProfiles>& hosts,
                                        bool allow_lost);

// The recorded calls of the findings one host made (what make_report evaluates; also what
// `generate --from-audit` adds to a base): one per finding, arguments chosen as described above.
std::vector<analysis::RecordedCall> recorded_calls(const std::vector<AuditFinding>& findings,
                                                   const HostProfiles& host);

// What `generate --from-audit` starts from: the findings' calls as one host's run record (an error
// when the logs hold records of both x86 and arm nodes: each needs its own profile), with that
// host, the base resolved for it.
struct GenerateInput {
  analysis::RunRecord record;
  Arch host = Arch::kX86_64;
};
Result<GenerateInput> generate_input(const AuditOutcome& outcome, const std::vector<analysis::Profile>& base,
                                     const analysis::Context& context);

// One line for a finding as --follow sees it appear: "2023-11-14T22:13:20.123Z x86_64/keyctl
// /usr/bin/app [docker 0123456789ab]: LOG; docker@29.4.3: ERRNO(EPERM)".
std::string finding_line(const AuditFinding& finding, const HostProfiles* host);

}  // namespace seccheck::audit
