// The profiles and filters a recorded run starts from: profile selection with its warnings and
// -v notes, profiles compiled to trace filters (blocking actions -> SECCOMP_RET_TRACE) through
// the user's filter cache, and the filter that stops every call (full recording).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "analysis/resolve.h"
#include "analysis/selection.h"
#include "core/bpf_program.h"

namespace seccheck::session {

// Where a session's messages go; the CLI prints them as "seccheck: warning: ..." and, with -v,
// "seccheck: ...". Empty functions drop them.
struct Diagnostics {
  std::function<void(const std::string&)> warning;
  std::function<void(const std::string&)> verbose;  // set only with -v

  void warn(const std::string& text) const {
    if (warning) warning(text);
  }
  void note(const std::string& text) const {
    if (verbose) verbose(text);
  }
  bool is_verbose() const { return static_cast<bool>(verbose); }
};

// analysis::select_profiles, warnings and resolution notes reported; errors throw UserError(kUsage).
analysis::ProfileSelection select_profiles(const std::vector<std::string>& specs,
                                           const analysis::Context& context, const Diagnostics& diagnostics);
// One profile only (`option` names the value in the error).
analysis::ProfileSelection select_one_profile(const std::string& spec, const analysis::Context& context,
                                              const std::string& option, const Diagnostics& diagnostics);

// `profile` compiled with its blocking actions rewritten to TRACE(tag), through the filter
// cache; failures throw UserError(kToolFailure).
BpfProgram trace_filter_for(const analysis::ResolvedProfile& profile, std::uint16_t tag,
                            const Diagnostics& diagnostics);
// A filter that stops every call on every ABI: full recording.
BpfProgram record_everything_filter(const Diagnostics& diagnostics);

}  // namespace seccheck::session
