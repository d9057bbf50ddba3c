// Hand-built check reports for the renderer tests, and helpers to run the schema validators.
#pragma once

#include <string>

#include "analysis/findings.h"
#include "report/renderer.h"

namespace seccheck::testing {

// Three profiles; findings: a new clone with namespace flags (EPERM everywhere), a known clone3
// (ENOSYS), an i386 call outside every profile's arches (KILL_PROCESS, bad arch), and an acct
// call from a hostile process (ESC sequences, invalid UTF-8, <&"'>, |, backticks) blocked by
// one profile only.
analysis::CheckReport sample_report();
// No findings, same profiles.
analysis::CheckReport empty_report();
// sample_report() after `check --scan`: plus a scan summary and two reachable findings, an
// unshare blocked everywhere (imported, in a hostile module path) and a clone whose flags no
// site fixes (blocked by name in one profile, "may block" in another, allowed in the third).
analysis::CheckReport reachable_report();
// The hostile executable path used by sample_report().
extern const char* const kHostileExe;

std::string render(const analysis::CheckReport& report, report::Format format,
                   report::RenderOptions options = {});

// A fresh path in the test's temp dir holding `content`.
std::string write_temp_file(const std::string& name, const std::string& content);

// Result of an external validator: ran = false when the tool is missing (the test skips).
struct Validation {
  bool ran = false;
  bool valid = false;
  std::string output;
};
// /usr/bin/python3 + jsonschema: the validator the schema's $schema names; with `strict`,
// every object schema without additionalProperties gets additionalProperties: false, so a
// member the renderer writes but the schema does not document fails.
Validation validate_json_schema(const std::string& schema_path, const std::string& document, bool strict);
// xmllint --schema.
Validation validate_xml_schema(const std::string& xsd_path, const std::string& document);

}  // namespace seccheck::testing
