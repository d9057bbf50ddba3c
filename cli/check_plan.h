// The filters a `check` launches with, stored under a key made only of what built them: the
// seccheck binary, libseccomp's version, the --profile/--enforce values (with the bytes of any
// profile file), the context and the mode. A warm run finds them before parsing the catalog, so
// the workload starts at once and the profiles are resolved beside it. Same storage, same rules
// as the filter cache: damaged or missing entries are a miss, never a wrong filter.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/context.h"
#include "analysis/filter_cache.h"
#include "core/bpf_program.h"

namespace seccheck::cli {

// nullopt when the run cannot have a plan: seccheck's own binary cannot be identified, or a
// profile comes from a pipe.
std::optional<std::string> check_plan_key(const std::vector<std::string>& profile_specs,
                                          const std::string& enforce_spec, const analysis::Context& context,
                                          bool record_all);
std::optional<std::vector<BpfProgram>> find_check_plan(const analysis::FilterCache& cache,
                                                       const std::string& key);
void store_check_plan(const analysis::FilterCache& cache, const std::string& key,
                      const std::vector<BpfProgram>& filters);

}  // namespace seccheck::cli
