// The English for verdicts: why a profile answers a call the way evaluate() decided, as reports
// and `seccheck explain` print it ("clone with CLONE_NEWUSER gets ERRNO(EPERM) from syscalls[3]
// [arg0 & 0x7e020000 == 0] if no CAP_SYS_ADMIN (docker@24.0)"). The only place verdict text is
// written; evaluation itself builds none.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "analysis/evaluate.h"
#include "analysis/profile.h"
#include "analysis/resolve.h"
#include "core/arch.h"

namespace seccheck::analysis {

// `verdict` is evaluate(profile, arch, nr, args). With `original` (the Profile `profile` was
// resolved from), rules the context dropped are named as hints, e.g. "needs CAP_SYS_ADMIN".
std::string explain(const Verdict& verdict, const ResolvedProfile& profile, const Profile* original,
                    Arch arch, int nr, const std::array<std::uint64_t, 6>& args);

}  // namespace seccheck::analysis
