// What `check` and `diff` report: the would-be-blocked calls of a run, one Finding per
// (syscall, arch, argument pattern), each with every checked profile's verdict.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/evaluate.h"
#include "analysis/impact.h"
#include "analysis/run_record.h"

namespace seccheck::analysis {

struct ProfileVerdict {
  std::string profile;  // ResolvedProfile::name
  Verdict verdict;
  std::string reason;  // explain(verdict, ...), written once when the report is made
  // Reachable findings only: the arguments this profile's rules compare that no call site passes
  // as a constant. Non-empty: the verdict is by name; `verdict` is the one for 0 in each of them,
  // `blocked_for_all` / `blocked_for_some` say what the unknown values can get.
  std::vector<unsigned> unknown_args;
  bool blocked_for_all = false;
  bool blocked_for_some = false;

  bool exact() const { return unknown_args.empty(); }
  // Blocked whatever the unknown arguments are (exact: the verdict blocks).
  bool blocks() const { return exact() ? verdict.blocked() : blocked_for_all; }
  // Blocked for some values of the unknown arguments, not for all.
  bool may_block() const { return !exact() && !blocked_for_all && blocked_for_some; }
};

// Where a reachable finding was found in the binaries (scan): one call site.
struct ReachableSite {
  std::string module;    // path of the executable or library holding the site
  std::string function;  // the function holding it, "" when no symbol does
  std::uint64_t address = 0;
  std::string how;  // "imported", "syscall()", "direct"
  std::string via;  // the imported or called function, "" for a direct `syscall`
};

// A finding comes from the run (the call was made) or from a scan of the binaries (reachable,
// not exercised: some code can make it, the run did not).
enum class FindingSource { kRun, kReachable };

struct Finding {
  RecordedCall call;  // the distinct call: ABI, number, first arguments, count, where first made
  // Stable across runs (no pids, addresses or times): "x86_64/clone/arg0=0x10000000"; what a
  // baseline matches on. call.key().
  std::string key;
  std::string syscall;                   // the call's name ("syscall_0x1c8" when unassigned)
  std::string pattern;                   // "clone(flags=CLONE_NEWUSER|SIGCHLD)", "socket(AF_VSOCK, ...)"
  std::vector<ProfileVerdict> verdicts;  // one per checked profile, in profile order
  bool known = false;                    // matched the --baseline: reported, does not fail the gate
  FindingSource source = FindingSource::kRun;
  // kReachable: every call site found (call.count is their number; call.executable the
  // executable whose scan found them); empty for run findings.
  std::vector<ReachableSite> sites;
  // check --impact: one per profile that blocks the call, in profile order; empty otherwise.
  std::vector<FindingImpact> impacts;

  bool reachable() const { return source == FindingSource::kReachable; }
  bool blocked_by_any() const;  // some profile blocks it (for every unknown argument)
  bool may_be_blocked() const;  // not blocked_by_any, but some profile blocks some values
  // Whether the finding counts for the gate: blocked by a profile; a reachable one only under
  // GateMode::kReachable; under GateMode::kBreaking only when breaking (or of unknown impact)
  // under at least one profile that blocks it.
  bool fails_gate(GateMode mode) const;
};

// What a scan looked at (`seccheck scan`, `check --scan`).
struct ScanSummary {
  std::vector<std::string> executables;  // scanned, in order
  std::size_t modules = 0;               // executables and libraries read
  std::uint64_t code_bytes = 0;          // executable code disassembled
  double duration_seconds = 0;
  std::vector<std::string> errors;  // one line per executable that could not be scanned
};

// What a report's gate says. A run that did not finish (seccheck was interrupted, or the record
// it came from was) cannot pass: its findings cover only the calls made until then.
enum class Gate { kPass, kFail, kIncomplete };

struct CheckedProfile {
  std::string name;
  std::string default_action;  // "ERRNO(EPERM)"
};

enum class ReportInput { kRun, kScan, kAudit };
// "run", "scan", "audit": the JSON report's `input`.
std::string_view report_input_name(ReportInput input);
std::optional<ReportInput> parse_report_input(std::string_view name);

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
  // What the findings come from: a run (check, verify, diff), a scan without a run (`seccheck
  // scan`: command lists the scanned paths) or kernel seccomp records (`seccheck audit`: command
  // names the inputs read; no workload, stacks or argument values).
  ReportInput input = ReportInput::kRun;
  // Scanned binaries (`scan`, `check --scan`); absent when nothing was scanned.
  std::optional<ScanSummary> scan;
  // audit: why records are missing from the input (rate limit, serial gaps, ...), one line each.
  // They fail the gate unless allowed (--allow-lost): a quiet log is not a clean one.
  std::vector<std::string> records_lost;
  bool allow_lost = false;
  GateMode gate_mode = GateMode::kAny;  // --gate
  std::optional<ImpactSummary> impact;  // check --impact

  // New (not known) findings that fail the gate (Finding::fails_gate).
  std::size_t new_blocking_findings() const;
  // New blocking findings, or (when asked) the workload's own failure, or (audit) records lost.
  bool gate_failed() const;
  // What the exit status of `check` says: kIncomplete for an interrupted run (not an audit's
  // --follow, which ends that way) whatever it found,
  // else kFail when gate_failed(). Reports print the same result the exit code gives.
  Gate gate() const;
};

}  // namespace seccheck::analysis
