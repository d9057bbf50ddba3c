// Parses JSON from outside (profiles, records, baselines) with errors users can act on:
// "FILE:LINE:COLUMN: message". The one place that turns nlohmann's byte offsets into lines.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.h"

namespace seccheck::analysis {

Result<nlohmann::json> parse_json_input(std::string_view text, const std::string& source);
// Reads the whole file; "PATH: cannot read: No such file or directory" on failure.
Result<std::string> read_input_file(const std::string& path);

}  // namespace seccheck::analysis
