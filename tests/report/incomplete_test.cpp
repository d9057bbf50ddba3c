// An interrupted run cannot pass a gate (issue 19, item 4): every format says "incomplete", and
// the machine formats still validate against their schemas.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report/format.h"
#include "report/renderer.h"
#include "tests/report/sample_report.h"
#include "tests/support/run_process.h"

namespace seccheck::report {
namespace {

using testing::render;

// No findings at all, or only known ones: still not a pass once the run was cut short.
analysis::CheckReport interrupted_without_findings() {
  analysis::CheckReport report = testing::empty_report();
  report.interrupted = true;
  report.workload_exit_status = 137;
  return report;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(Incomplete, GateIsIncompleteWhateverTheFindings) {
  analysis::CheckReport report = interrupted_without_findings();
  EXPECT_FALSE(report.gate_failed());
  EXPECT_EQ(report.gate(), analysis::Gate::kIncomplete);
  analysis::CheckReport with_findings = testing::sample_report();
  with_findings.interrupted = true;
  EXPECT_EQ(with_findings.gate(), analysis::Gate::kIncomplete);
  EXPECT_EQ(testing::empty_report().gate(), analysis::Gate::kPass);
  EXPECT_EQ(testing::sample_report().gate(), analysis::Gate::kFail);
  EXPECT_EQ(gate_name(analysis::Gate::kIncomplete), "incomplete");
  EXPECT_EQ(gate_text(report, summarize(report)),
            "INCOMPLETE: the run was interrupted before the workload ended, so it cannot pass; nothing new "
            "would be blocked so far");
  EXPECT_EQ(
      gate_text(with_findings, summarize(with_findings)),
      "INCOMPLETE: the run was interrupted before the workload ended, so it cannot pass; 3 new findings "
      "would be blocked so far (1 known from the baseline)");
}

TEST(Incomplete, TextSaysSo) {
  const std::string out = render(interrupted_without_findings(), Format::kText);
  EXPECT_TRUE(contains(out, "workload: interrupted, exit status 137")) << out;
  EXPECT_TRUE(contains(out, "\ngate: INCOMPLETE: the run was interrupted")) << out;
  EXPECT_FALSE(contains(out, "gate: pass")) << out;
}

TEST(Incomplete, JsonSaysSo) {
  const nlohmann::json json = nlohmann::json::parse(render(interrupted_without_findings(), Format::kJson));
  EXPECT_EQ(json["incomplete"], true);
  EXPECT_EQ(json["interrupted"], true);
  EXPECT_EQ(json["summary"]["gate"], "incomplete");
  EXPECT_EQ(nlohmann::json::parse(render(testing::empty_report(), Format::kJson))["incomplete"], false);
  const std::string schema = std::string(SECCHECK_SOURCE_DIR) + "/schemas/report.schema.json";
  testing::Validation v = testing::validate_json_schema(schema, json.dump(), true);
  if (!v.ran) GTEST_SKIP() << "python3-jsonschema is not installed";
  EXPECT_TRUE(v.valid) << v.output;
}

TEST(Incomplete, SarifSaysSo) {
  const std::string text = render(interrupted_without_findings(), Format::kSarif);
  const nlohmann::json log = nlohmann::json::parse(text);
  const auto& run = log["runs"][0];
  EXPECT_EQ(run["invocations"][0]["executionSuccessful"], false);
  EXPECT_EQ(run["invocations"][0]["toolExecutionNotifications"][0]["level"], "error");
  EXPECT_TRUE(
      contains(run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"], "INCOMPLETE"));
  EXPECT_EQ(run["properties"]["gate"], "incomplete");
  EXPECT_EQ(run["properties"]["incomplete"], true);
  if (testing::shared_dir().empty())
    GTEST_SKIP() << "../shared is absent: no SARIF schema to validate against";
  testing::Validation v =
      testing::validate_json_schema(testing::shared_dir() + "/schemas/sarif-schema-2.1.0.json", text, false);
  if (!v.ran) GTEST_SKIP() << "python3-jsonschema is not installed";
  EXPECT_TRUE(v.valid) << v.output;
}

TEST(Incomplete, JunitSaysSoWithAnErroredCase) {
  const std::string xml = render(interrupted_without_findings(), Format::kJunit);
  EXPECT_TRUE(contains(xml, "errors=\"1\"")) << xml;
  EXPECT_TRUE(contains(xml, "<testcase name=\"the run finished\"")) << xml;
  EXPECT_TRUE(contains(xml, "<error message=\"INCOMPLETE: the run was interrupted")) << xml;
  EXPECT_TRUE(contains(xml, "type=\"incomplete\"")) << xml;
  EXPECT_TRUE(contains(xml, "<property name=\"incomplete\" value=\"true\"/>")) << xml;
  EXPECT_FALSE(contains(render(testing::empty_report(), Format::kJunit), "errors=\"1\""));
  if (testing::shared_dir().empty()) GTEST_SKIP() << "../shared is absent: no JUnit XSD to validate against";
  testing::Validation v = testing::validate_xml_schema(testing::shared_dir() + "/schemas/junit.xsd", xml);
  if (!v.ran) GTEST_SKIP() << "xmllint is not installed";
  EXPECT_TRUE(v.valid) << v.output << "\n" << xml;
}

TEST(Incomplete, MarkdownSaysSo) {
  const std::string out = render(interrupted_without_findings(), Format::kMarkdown);
  EXPECT_EQ(out.rfind("## seccheck: incomplete\n\n⚠️ **INCOMPLETE: the run was interrupted", 0), 0u)
      << out;
}

}  // namespace
}  // namespace seccheck::report
