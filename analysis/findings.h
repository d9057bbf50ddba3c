// What `check` and `diff` report: the would-be-blocked calls of a run, one Finding per
// (syscall, arch, argument pattern), each with every checked profile's verdict.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/evaluate.h"
#include "analysis/impact.h"
#include "analysis/run_record.h"

namespace seccheck::analysis {

struct ProfileVerdict {
  std::string profile;  // ResolvedProfile::name
  Verdict verdict;
  std::string reason;  // explain(verdict, ...), written once when the report is made
};

struct Finding {
  RecordedCall call;  // the distinct call: ABI, number, first arguments, count, where first made
  // Stable across runs (no pids, addresses or times): "x86_64/clone/arg0=0x10000000"; what a
  // baseline matches on. call.key().
  std::string key;
  std::string syscall;                   // the call's name ("syscall_0x1c8" when unassigned)
  std::string pattern;                   // "clone(flags=CLONE_NEWUSER|SIGCHLD)", "socket(AF_VSOCK, ...)"
  std::vector<ProfileVerdict> verdicts;  // one per checked profile, in profile order
  bool known = false;                    // matched the --baseline: reported, does not fail the gate
  // check --impact: one per profile that blocks the call, in profile order; empty otherwise.
  std::vector<FindingImpact> impacts;

  bool blocked_by_any() const;
  // Whether the finding counts for the gate: blocked by a profile, and under GateMode::kBreaking
  // also breaking (or of unknown impact) under at least one profile that blocks it.
  bool fails_gate(GateMode mode) const;
};

struct CheckedProfile {
  std::string name;
  std::string default_action;  // "ERRNO(EPERM)"
};

struct CheckReport {
  std::string tool_version;
  std::vector<std::string> command;
  std::string context;  // "caps=default kernel=6.18 arch=x86_64 runtime=runc"
  std::vector<CheckedProfile> profiles;
  std::vector<Finding> findings;  // sorted by syscall, arch, key
  int workload_exit_status = 0;
  bool interrupted = false;
  std::uint64_t calls_stopped = 0;  // seccomp stops seen (fast path: flagged calls only)
  std::uint64_t processes = 0;
  std::vector<std::string> notices;  // workload's own seccomp filter, CLONE_UNTRACED, ...
  std::string started_at;            // ISO 8601 UTC
  double duration_seconds = 0;
  // --fail-on-workload-error: a non-zero workload exit status fails the gate too.
  bool fail_on_workload_error = false;
  GateMode gate = GateMode::kAny;       // --gate
  std::optional<ImpactSummary> impact;  // check --impact

  // New (not known) findings that fail the gate: blocked by at least one profile (and, with
  // --gate breaking, breaking the workload or of unknown impact).
  std::size_t new_blocking_findings() const;
  // What the exit status of `check` says: new blocking findings, or (when asked) the
  // workload's own failure. Reports print the same result the exit code gives.
  bool gate_failed() const;
};

}  // namespace seccheck::analysis
