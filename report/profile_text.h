// Profiles as `seccheck profiles` prints them: the catalog table, one profile with its rules and
// conditions, and the two kinds of difference (analysis/profile_diff.h). Formatting only.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "analysis/explain.h"
#include "analysis/profile.h"
#include "analysis/profile_diff.h"
#include "core/arch.h"

namespace seccheck::report {

void print_catalog(std::ostream& out);
// Source or catalog provenance, default action, architectures, rules in file order.
void print_profile(std::ostream& out, const analysis::Profile& profile);
// The table of syscalls the two profiles treat differently on `arch` (or "no difference").
void print_treatment_differences(std::ostream& out, const std::vector<analysis::TreatmentDifference>& rows,
                                 const std::string& left_name, const std::string& right_name, Arch arch);
void print_raw_difference(std::ostream& out, const analysis::RawDifference& difference,
                          const analysis::Profile& left, const analysis::Profile& right);

// One profile's part of `seccheck explain`: verdict, reason, the rules naming the call.
void print_call_explanation(std::ostream& out, const analysis::CallExplanation& explanation,
                            const std::string& syscall);

}  // namespace seccheck::report
