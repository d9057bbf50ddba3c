// Reads JSON from outside (profiles, records, baselines) with errors users can act on:
// "FILE:LINE:COLUMN: message". The one place that turns nlohmann's byte offsets into lines, and
// the one place that reads such files, each kind with a size limit so that `diff /dev/zero` or
// a runaway file is a one-line error instead of gigabytes of memory.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.h"

namespace seccheck::analysis {

// What an input is, for messages, and the most seccheck reads of it. The limits are far above
// any real input (README, "Limits"):
// * profiles: 4 MiB. The largest RuntimeDefault profile is 18 KB (containers-common, 40 rules);
//   a profile whose filter fits the kernel's 4096 BPF instructions is far smaller than 4 MiB.
// * records and reports: 64 MiB. A record holds each distinct call once (at most 256 argument
//   patterns per call), about 2.6 KB per call with 64-frame stacks: a record of every call
//   number on all three x86 ABIs with full stacks is under 25 MB; a report holds fewer calls.
struct InputKind {
  std::string_view what;  // "profile"
  std::size_t max_bytes;
};
inline constexpr InputKind kProfileInput{"profile", std::size_t{4} << 20};
inline constexpr InputKind kRecordInput{"record", std::size_t{64} << 20};
inline constexpr InputKind kReportInput{"report", std::size_t{64} << 20};

// A NUL byte or anything but whitespace after the JSON value is an error too (Docker and runc
// refuse such profiles), with its line and column.
Result<nlohmann::json> parse_json_input(std::string_view text, const std::string& source);
// Reads the whole file (or pipe) at `path`, stopping with an error naming the path and the
// limit once it holds more than kind.max_bytes: "PATH: cannot read the profile: No such file
// or directory", "PATH: larger than 4 MiB, seccheck's limit for a profile ...".
Result<std::string> read_input_file(const std::string& path, const InputKind& kind);
// The size check of read_input_file, for text read without knowing its kind first.
Result<void> check_input_size(std::size_t size, const std::string& path, const InputKind& kind);

}  // namespace seccheck::analysis
