// The JSON report as data: what `--format json` writes (schemas/report.schema.json documents
// it, schema_version kReportSchemaVersion) and the way back, so a saved report can serve as a
// baseline or be read by tests and other tools. Keys keep a fixed order; 64-bit values that
// JSON numbers cannot carry exactly (syscall arguments, program counters) are hex strings.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/findings.h"
#include "core/result.h"

namespace seccheck::report {

inline constexpr const char* kToolName = "seccheck";

nlohmann::ordered_json report_to_json(const analysis::CheckReport& report);
// A reachable finding's call sites as the JSON report and SARIF's properties carry them.
nlohmann::ordered_json sites_to_json(const std::vector<analysis::ReachableSite>& sites);

// Parses JSON text; a syntax error becomes "ORIGIN: malformed JSON at line L, column C: ...".
Result<nlohmann::json> parse_json_text(const std::string& text, const std::string& origin);
// Reads a report written by report_to_json. Checks schema_version; errors name `origin`.
// Derived members ("summary", "blocked_by_any", verdict labels) are ignored.
Result<analysis::CheckReport> report_from_json(const nlohmann::json& json, const std::string& origin);

}  // namespace seccheck::report
