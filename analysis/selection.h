// Choosing the profiles a command checks against: `--profile` values (catalog names or files;
// none means runtime-default) loaded and resolved for the context, and which syscall arguments a
// record must keep so that any of them (or any catalog profile) can be evaluated later.
#pragma once

#include <string>
#include <vector>

#include "analysis/context.h"
#include "analysis/profile.h"
#include "analysis/resolve.h"
#include "analysis/run_record.h"
#include "core/result.h"

namespace seccheck::analysis {

struct ProfileSelection {
  std::vector<Profile> profiles;
  std::vector<ResolvedProfile> resolved;  // one per profile, same order
  std::vector<std::string> warnings;      // from the files (unknown syscall names, ...), once each
};

// Unknown names and malformed files are errors naming the input.
Result<ProfileSelection> select_profiles(const std::vector<std::string>& specs, const Context& context);
// The same for a value that must name exactly one profile (`option` names it in the error:
// "--enforce runtime-default: names 3 profiles; name exactly one (e.g. docker)").
Result<ProfileSelection> select_one_profile(const std::string& spec, const Context& context,
                                            const std::string& option);

// The catalog's profiles plus `selected`: which arguments a record must keep.
ArgRelevance argument_relevance(const std::vector<Profile>& selected);

}  // namespace seccheck::analysis
