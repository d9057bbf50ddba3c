// Reads seccomp profiles: the OCI / Docker JSON format (and the `spec` of a Security Profiles
// Operator SeccompProfile given as JSON). Malformed JSON is reported as "FILE:LINE:COLUMN: ...";
// a bad field as one line naming its path ("FILE: syscalls[12].args[0].op: unknown op ...").
// Unknown syscall names are warnings (runtimes skip them), listed once in Profile::warnings.
#pragma once

#include <string>
#include <string_view>

#include "analysis/profile.h"
#include "core/result.h"

namespace seccheck::analysis {

// `source` names the input in messages (a path, or "docker@29.4.3").
Result<Profile> parse_profile(std::string_view json_text, const std::string& source);
Result<Profile> load_profile_file(const std::string& path);
// The profile as OCI / Docker JSON (the inverse of parse_profile; stable key order).
std::string profile_to_json(const Profile& profile, int indent = 2);

}  // namespace seccheck::analysis
