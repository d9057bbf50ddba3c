// What `check --impact` found out, as plain data: for each finding and each profile that blocks
// it, whether the workload still ends as it did when the call was answered as that profile
// answers it (recovers, breaks, unstable), what it did instead ("fell back to clone"), and for a
// breaking finding the smallest change that was tried and made it run. Reports render it,
// generate reads it; session/impact.h makes it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seccheck::analysis {

enum class ImpactKind {
  kRecovers,  // the workload ended as in the discovery run with the call answered
  kBreaks,    // it ended differently, was killed, or did not end within the timeout
  kUnstable,  // two plain runs already ended differently: no verdict
};

// The smallest change that lets a breaking finding's workload run.
enum class ImpactFix {
  kNone,    // the finding does not break
  kEnosys,  // answer ENOSYS instead of the profile's errno (errnoRet 38): tried, recovers
  kAllow,   // allow the call (the narrow rule generate adds)
};

struct FindingImpact {
  std::string profile;  // ResolvedProfile::name
  std::string answer;   // how the profile answers: "ERRNO(EPERM)", "KILL_PROCESS"
  ImpactKind kind = ImpactKind::kRecovers;
  // recovers: calls the workload made in the answered run and not in the discovery run ("clone"): what
  // it did instead. Exact when `together` is 1; otherwise made by some finding of the group.
  std::vector<std::string> fell_back_to;
  std::size_t together = 1;  // findings answered together in the run that decided this one
  std::string outcome;       // the decisive run's outcome: "exit status 1", "killed by SIGSYS", ...
  ImpactFix fix = ImpactFix::kNone;
  std::string fix_outcome;  // what the ENOSYS trial gave, when one was made

  bool breaks_or_unknown() const { return kind != ImpactKind::kRecovers; }
};

// The gate (--gate): every new blocked finding of the run fails it (kAny), only those that break
// the workload or whose impact is unknown (kBreaking, with --impact), or every blocked one of the
// run and of the scan's reachable calls (kReachable, `scan` and `check --scan`).
enum class GateMode { kAny, kBreaking, kReachable };

struct ImpactSummary {
  std::size_t runs = 0;          // workload runs made after the discovery run
  std::size_t group_runs = 0;    // of those, the group-testing runs
  double seconds = 0;            // their wall time
  std::string reference;         // the discovery run's outcome: "exit status 0"
  bool compared_output = false;  // --impact-output: stdout digests compared too
  double timeout_seconds = 0;
  bool unstable = false;  // two plain runs differed
};

std::string_view impact_kind_name(ImpactKind kind);  // "recovers", "breaks", "unstable"
std::optional<ImpactKind> parse_impact_kind(std::string_view name);
std::string_view impact_fix_name(ImpactFix fix);  // "none", "errno_enosys", "allow"
std::optional<ImpactFix> parse_impact_fix(std::string_view name);
std::string_view gate_mode_name(GateMode mode);  // "any", "breaking", "reachable"
std::optional<GateMode> parse_gate_mode(std::string_view name);

// One line of English: "recovers (fell back to clone)", "breaks: exit status 1; fix: errnoRet
// 38 (ENOSYS) recovers", "unstable: two plain runs ended differently".
std::string describe_impact(const FindingImpact& impact);

}  // namespace seccheck::analysis
