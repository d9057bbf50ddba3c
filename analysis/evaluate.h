// Exact evaluation with the kernel's semantics, as the filter libseccomp compiles from the
// resolved rules would decide: rules for one syscall are ORed, conditions in one rule ANDed,
// 64-bit comparisons (32-bit ABIs see the low 32 bits), libseccomp's merge of rules that
// overlap or conflict, action precedence as the kernel orders it.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "analysis/resolve.h"
#include "core/arch.h"

namespace seccheck::analysis {

struct Verdict {
  Action action;        // errno filled in for kErrno
  int rule_index = -1;  // index in ResolvedProfile::rules; -1: default action or bad arch
  bool bad_arch = false;  // the ABI is not in the profile's architectures (process killed)
  std::string reason;   // "clone with CLONE_NEWUSER needs CAP_SYS_ADMIN (docker@24.0)"

  bool blocked() const { return action.blocks(); }
};

Verdict evaluate(const ResolvedProfile& profile, Arch arch, int nr, const std::array<std::uint64_t, 6>& args);

}  // namespace seccheck::analysis
