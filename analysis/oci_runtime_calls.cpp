#include "analysis/oci_runtime_calls.h"

#include <sstream>
#include <stdexcept>
#include <string_view>

namespace seccheck::embedded {
std::string_view oci_runtime_calls_csv();
}

namespace seccheck::analysis {
namespace {

OciRuntimeCalls load(const std::string& runtime) {
  OciRuntimeCalls out;
  out.runtime = runtime;
  std::istringstream lines{std::string(embedded::oci_runtime_calls_csv())};
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::stringstream parts(line);
    std::string field;
    while (std::getline(parts, field, ','))
      fields.push_back(field);
    // The file is part of the build and tested (tests/generate): a malformed row is a build bug.
    if (fields.size() != 5) throw std::logic_error("analysis/oci_runtime_calls.csv: bad row: " + line);
    if (fields[0] != runtime) continue;
    out.version = fields[1];
    out.calls.push_back({fields[2], std::stoi(fields[3]), std::stoi(fields[4])});
  }
  return out;
}

}  // namespace

const OciRuntimeCalls& oci_runtime_calls(OciRuntime runtime) {
  static const OciRuntimeCalls runc = load("runc");
  static const OciRuntimeCalls crun = load("crun");
  return runtime == OciRuntime::kCrun ? crun : runc;
}

}  // namespace seccheck::analysis
