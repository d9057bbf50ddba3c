// --baseline: findings accepted earlier, read from a previous JSON report by their stable
// keys. Matching findings are marked known: still reported, but they do not fail the gate.
#pragma once

#include <set>
#include <string>

#include "analysis/findings.h"
#include "core/result.h"

namespace seccheck::report {

// The keys of every finding in the JSON report at `path`. Errors are one line naming the
// path: unreadable file, malformed JSON (with line and column), not a report, or a
// schema_version this seccheck does not read.
Result<std::set<std::string>> load_baseline_keys(const std::string& path);
// Parses report text; `origin` names it in errors. load_baseline_keys reads a file and calls this.
Result<std::set<std::string>> parse_baseline_keys(const std::string& text, const std::string& origin);

// Marks each finding whose key is in `keys` as known (and the others as new).
void apply_baseline(analysis::CheckReport& report, const std::set<std::string>& keys);

}  // namespace seccheck::report
