#include "report/baseline.h"

#include "analysis/json_input.h"
#include "report/json_report.h"
#include "report/renderer.h"

namespace seccheck::report {

Result<std::set<std::string>> load_baseline_keys(const std::string& path) {
  auto text = analysis::read_input_file(path, analysis::kReportInput);
  if (!text) return make_error("baseline " + text.error().message);
  return parse_baseline_keys(*text, "baseline " + path);
}

Result<std::set<std::string>> parse_baseline_keys(const std::string& text, const std::string& origin) {
  auto json = parse_json_text(text, origin);
  if (!json) return json.error();
  const nlohmann::json& doc = *json;
  const std::string hint = "; pass a report written by `seccheck check --format json`";
  if (!doc.is_object() || !doc.contains("schema_version")) {
    return make_error(origin + ": not a seccheck JSON report (no \"schema_version\")" + hint);
  }
  const nlohmann::json& version = doc["schema_version"];
  if (!version.is_number_integer() || version.get<long long>() != kReportSchemaVersion) {
    return make_error(origin + ": report schema_version " + version.dump() + ", this seccheck reads " +
                      std::to_string(kReportSchemaVersion) + "; write the baseline again with this version");
  }
  auto findings = doc.find("findings");
  if (findings == doc.end() || !findings->is_array()) {
    return make_error(origin + ": \"findings\" is missing or not an array" + hint);
  }
  std::set<std::string> keys;
  for (std::size_t i = 0; i < findings->size(); ++i) {
    const nlohmann::json& finding = (*findings)[i];
    auto key = finding.is_object() ? finding.find("key") : finding.end();
    if (!finding.is_object() || key == finding.end() || !key->is_string() ||
        key->get_ref<const std::string&>().empty()) {
      return make_error(origin + ": findings[" + std::to_string(i) + "] has no \"key\" string" + hint);
    }
    keys.insert(key->get<std::string>());
  }
  return keys;
}

void apply_baseline(analysis::CheckReport& report, const std::set<std::string>& keys) {
  for (auto& finding : report.findings)
    finding.known = keys.count(finding.key) > 0;
}

}  // namespace seccheck::report
