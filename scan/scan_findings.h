// The reachable calls of a scan, grouped into findings and evaluated against profiles through
// analysis/: exactly (analysis::evaluate) where every argument a profile's rules for the call
// look at was a constant at the call site, else by name: blocked when the profile blocks the
// call for every argument value, "may block" when it does for some.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "analysis/context.h"
#include "analysis/evaluate.h"
#include "analysis/profile.h"
#include "scan/scanner.h"

namespace seccheck::scan {

struct ScanVerdict {
  std::string profile;
  analysis::Verdict verdict;           // exact; or, when !exact, with unknown arguments 0 (see blocked)
  bool exact = true;                   // the arguments the rules look at were all known
  bool blocked = false;                // blocked whatever the unknown arguments are
  bool may_block = false;              // blocked for some values of the unknown arguments
  std::vector<unsigned> unknown_args;  // what the verdict depends on when !exact
};

struct ScanFinding {
  // "x86_64/socket/arg0=0x28", "x86_64/clone/arg0=?": the call and the arguments some profile
  // looks at ("?" where the call sites pass no constant).
  std::string key;
  std::string syscall;
  Arch arch = Arch::kX86_64;
  int nr = -1;
  std::array<std::optional<std::uint64_t>, 6> args;  // the key's constants
  std::vector<ReachableCall> sites;                  // every call site, in scan order
  std::vector<ScanVerdict> verdicts;                 // one per profile, in profile order

  bool blocked_by_any() const;
  bool may_be_blocked_by_any() const;
};

// One finding per key, sorted by syscall then key. Every reachable call is in some finding.
std::vector<ScanFinding> evaluate_scan(const std::vector<ReachableCall>& calls,
                                       const std::vector<analysis::Profile>& profiles,
                                       const analysis::Context& context);

}  // namespace seccheck::scan
