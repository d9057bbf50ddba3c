// Each machine format against its published schema, run by the validators CI tools use:
// JSON against schemas/report.schema.json, SARIF against OASIS SARIF 2.1.0 (python3-jsonschema),
// JUnit against the strict Ant XSD (xmllint). Skips with a message when a validator or
// ../shared is missing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report/json_report.h"
#include "report/renderer.h"
#include "tests/report/sample_report.h"
#include "tests/support/run_process.h"

namespace seccheck::report {
namespace {

using testing::empty_report;
using testing::render;
using testing::sample_report;
using testing::Validation;

std::string report_schema() {
  return std::string(SECCHECK_SOURCE_DIR) + "/schemas/report.schema.json";
}

#define SKIP_UNLESS_RAN(v)                                                                                   \
  if (!(v).ran)                                                                                              \
  GTEST_SKIP() << "validator not available (needs /usr/bin/python3 with "                                    \
                  "python3-jsonschema, or /usr/bin/xmllint from libxml2-utils)"

#define REQUIRE_SHARED()                                                                                     \
  if (seccheck::testing::shared_dir().empty())                                                               \
  GTEST_SKIP() << "../shared (schemas/) is not next to the checkout; SARIF/JUnit schema tests skipped"

TEST(ReportSchema, SampleAndEmptyReportsValidateStrictly) {
  analysis::CheckReport scan_only = testing::reachable_report();
  scan_only.input = analysis::ReportInput::kScan;
  scan_only.gate_mode = analysis::GateMode::kReachable;
  for (const auto& report : {sample_report(), empty_report(), testing::reachable_report(), scan_only}) {
    Validation v = testing::validate_json_schema(report_schema(), render(report, Format::kJson), true);
    SKIP_UNLESS_RAN(v);
    EXPECT_TRUE(v.valid) << v.output;
  }
}

TEST(ReportSchema, RejectsBrokenReports) {
  nlohmann::json j = nlohmann::json::parse(render(sample_report(), Format::kJson));
  nlohmann::json missing_key = j;
  missing_key["findings"][0].erase("key");
  nlohmann::json decimal_arg = j;
  decimal_arg["findings"][0]["args"][0] = 16;
  nlohmann::json undocumented = j;
  undocumented["findings"][0]["extra"] = 1;
  nlohmann::json wrong_version = j;
  wrong_version["schema_version"] = 2;
  for (const auto& doc : {missing_key, decimal_arg, wrong_version}) {
    Validation v = testing::validate_json_schema(report_schema(), doc.dump(), false);
    SKIP_UNLESS_RAN(v);
    EXPECT_FALSE(v.valid) << doc.dump().substr(0, 200);
  }
  // Undocumented members are allowed for readers (forward compatible) but not for the writer.
  EXPECT_TRUE(testing::validate_json_schema(report_schema(), undocumented.dump(), false).valid);
  EXPECT_FALSE(testing::validate_json_schema(report_schema(), undocumented.dump(), true).valid);
}

TEST(Sarif, ValidatesAgainstSarif210) {
  REQUIRE_SHARED();
  std::string schema = testing::shared_dir() + "/schemas/sarif-schema-2.1.0.json";
  for (const auto& report : {sample_report(), empty_report(), testing::reachable_report()}) {
    Validation v = testing::validate_json_schema(schema, render(report, Format::kSarif), false);
    SKIP_UNLESS_RAN(v);
    EXPECT_TRUE(v.valid) << v.output;
  }
}

TEST(Sarif, OneResultPerFindingRulePerSyscall) {
  analysis::CheckReport report = sample_report();
  report.findings.push_back(report.findings[1]);  // a second clone pattern shares the rule
  report.findings.back().key = "x86_64/clone/arg0=0x20000000";
  nlohmann::json log = nlohmann::json::parse(render(report, Format::kSarif));
  EXPECT_EQ(log["version"], "2.1.0");
  const auto& run = log["runs"][0];
  const auto& rules = run["tool"]["driver"]["rules"];
  ASSERT_EQ(rules.size(), 4u);  // acct, clone, clone3, read
  const auto& results = run["results"];
  ASSERT_EQ(results.size(), report.findings.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& f = report.findings[i];
    const auto& r = results[i];
    EXPECT_EQ(r["ruleId"], f.syscall);
    EXPECT_EQ(rules[r["ruleIndex"].get<std::size_t>()]["id"], f.syscall);
    EXPECT_EQ(r["level"], f.known ? "note" : "error");
    EXPECT_EQ(r["baselineState"], f.known ? "unchanged" : "new");
    EXPECT_EQ(r["partialFingerprints"]["seccheckFindingKey/v1"], f.key);
    EXPECT_EQ(r["properties"]["verdicts"].size(), 3u);
  }
  const auto& clone = results[1];
  std::string message = clone["message"]["text"];
  EXPECT_NE(message.find("would be blocked by docker@29.4.3 (ERRNO(EPERM)), containerd@2.3.4 (ERRNO(EPERM)), "
                         "crio@main (ERRNO(EPERM))"),
            std::string::npos)
      << message;
  EXPECT_EQ(clone["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "file:///usr/bin/unshare");
  EXPECT_EQ(clone["locations"][0]["logicalLocations"][0]["name"], "clone");
  EXPECT_EQ(clone["locations"][0]["logicalLocations"][1]["fullyQualifiedName"],
            "/usr/bin/unshare!main+0x1b0");
  EXPECT_EQ(clone["stacks"][0]["frames"].size(), 3u);
  // the hostile path is percent-encoded into a valid URI
  std::string uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
  EXPECT_EQ(uri, "file:///tmp/%1B%5B31mevil%1B%5D0%3Bpwned%07%7C%60x%60%3C%26%22%27%3E%FF%FE");
}

TEST(Junit, ValidatesAgainstStrictXsd) {
  REQUIRE_SHARED();
  std::string xsd = testing::shared_dir() + "/schemas/junit.xsd";
  analysis::CheckReport no_profiles = empty_report();
  no_profiles.profiles.clear();
  analysis::CheckReport no_time = sample_report();
  no_time.started_at.clear();
  for (const auto& report :
       {sample_report(), empty_report(), no_profiles, no_time, testing::reachable_report()}) {
    std::string xml = render(report, Format::kJunit);
    Validation v = testing::validate_xml_schema(xsd, xml);
    SKIP_UNLESS_RAN(v);
    EXPECT_TRUE(v.valid) << v.output << "\n" << xml;
  }
}

TEST(Junit, SuitePerProfileFailurePerBlockedFinding) {
  std::string xml = render(sample_report(), Format::kJunit);
  auto count = [&](const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t pos = xml.find(needle); pos != std::string::npos; pos = xml.find(needle, pos + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count("<testsuite "), 3u);
  EXPECT_EQ(count("<testcase "), 12u);  // 4 findings x 3 profiles
  // docker blocks clone, clone3 (known: skipped), read; containerd clone, clone3; crio all four.
  EXPECT_NE(xml.find("name=\"docker@29.4.3\" timestamp=\"2026-11-25T06:19:15\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("tests=\"4\" failures=\"2\" errors=\"0\" skipped=\"1\" time=\"0.250\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("tests=\"4\" failures=\"3\" errors=\"0\" skipped=\"1\""), std::string::npos) << xml;
  EXPECT_EQ(count("<failure "), 6u);
  EXPECT_EQ(count("<skipped "), 3u);
  EXPECT_NE(xml.find("<failure message=\"would be blocked: ERRNO(EPERM)\" type=\"ERRNO(EPERM)\">"),
            std::string::npos);
  EXPECT_EQ(xml.find('\x1b'), std::string::npos);
  EXPECT_NE(xml.find("/tmp/\\x1b[31mevil\\x1b]0;pwned\\x07|`x`&lt;&amp;&quot;&apos;&gt;\\xff\\xfe"),
            std::string::npos)
      << xml;

  std::string empty = render(empty_report(), Format::kJunit);
  EXPECT_NE(
      empty.find(
          "<testcase name=\"no call of the workload would be blocked\" classname=\"seccheck.docker@29.4.3\" "
          "time=\"0\"/>"),
      std::string::npos)
      << empty;
}

}  // namespace
}  // namespace seccheck::report

namespace seccheck::report {
namespace {

// sample_report() as `check --impact` leaves it: the clone finding breaks under Docker, every
// other blocked (profile, finding) recovers; the gate counts only what breaks.
analysis::CheckReport impact_report() {
  analysis::CheckReport report = sample_report();
  report.gate_mode = analysis::GateMode::kBreaking;
  report.impact = analysis::ImpactSummary{5, 4, 1.5, "exit status 0", true, 30, false};
  for (analysis::Finding& finding : report.findings) {
    for (const analysis::ProfileVerdict& pv : finding.verdicts) {
      if (!pv.verdict.blocked()) continue;
      analysis::FindingImpact impact;
      impact.profile = pv.profile;
      impact.answer = "ERRNO(EPERM)";
      if (finding.syscall == "clone" && pv.profile == "docker@29.4.3") {
        impact.kind = analysis::ImpactKind::kBreaks;
        impact.outcome = "exit status 1";
        impact.fix = analysis::ImpactFix::kEnosys;
        impact.fix_outcome = "exit status 0";
      } else {
        impact.fell_back_to = {"clone"};
        impact.together = 2;
      }
      finding.impacts.push_back(impact);
    }
  }
  return report;
}

TEST(ImpactReport, JsonValidatesAndReadsBack) {
  const analysis::CheckReport report = impact_report();
  const std::string text = render(report, Format::kJson);
  Validation v = testing::validate_json_schema(report_schema(), text, true);
  if (v.ran) {
    EXPECT_TRUE(v.valid) << v.output;
  }
  auto parsed = parse_json_text(text, "impact.json");
  ASSERT_TRUE(parsed.ok());
  auto back = report_from_json(*parsed, "impact.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->gate_mode, analysis::GateMode::kBreaking);
  ASSERT_TRUE(back->impact);
  EXPECT_EQ(back->impact->runs, 5u);
  ASSERT_EQ(back->findings.size(), report.findings.size());
  for (std::size_t i = 0; i < report.findings.size(); ++i) {
    ASSERT_EQ(back->findings[i].impacts.size(), report.findings[i].impacts.size());
    for (std::size_t j = 0; j < report.findings[i].impacts.size(); ++j) {
      EXPECT_EQ(back->findings[i].impacts[j].kind, report.findings[i].impacts[j].kind);
      EXPECT_EQ(back->findings[i].impacts[j].fix, report.findings[i].impacts[j].fix);
      EXPECT_EQ(back->findings[i].impacts[j].fell_back_to, report.findings[i].impacts[j].fell_back_to);
    }
  }
  EXPECT_EQ(back->new_blocking_findings(), report.new_blocking_findings());
}

TEST(ImpactReport, SarifAndJunitStillValidate) {
  REQUIRE_SHARED();
  const analysis::CheckReport report = impact_report();
  Validation sarif = testing::validate_json_schema(testing::shared_dir() + "/schemas/sarif-schema-2.1.0.json",
                                                   render(report, Format::kSarif), false);
  SKIP_UNLESS_RAN(sarif);
  EXPECT_TRUE(sarif.valid) << sarif.output;
  const std::string xml = render(report, Format::kJunit);
  Validation junit = testing::validate_xml_schema(testing::shared_dir() + "/schemas/junit.xsd", xml);
  SKIP_UNLESS_RAN(junit);
  EXPECT_TRUE(junit.valid) << junit.output << "\n" << xml;
}

TEST(ImpactReport, OnlyBreakingFindingsFailTheGateInEveryFormat) {
  const analysis::CheckReport report = impact_report();
  EXPECT_EQ(report.new_blocking_findings(), 1u);  // clone
  EXPECT_TRUE(report.gate_failed());
  const std::string text = render(report, Format::kText);
  EXPECT_NE(text.find("impact: docker@29.4.3 ERRNO(EPERM): breaks: exit status 1; fix: answer ENOSYS"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("FAIL: 1 new finding would be blocked and break the workload"), std::string::npos)
      << text;
  const std::string markdown = render(report, Format::kMarkdown);
  EXPECT_NE(markdown.find("**breaks**"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("· recovers"), std::string::npos) << markdown;
  const std::string sarif = render(report, Format::kSarif);
  EXPECT_NE(sarif.find("\"impact\": \"breaks\""), std::string::npos) << sarif;
  const std::string xml = render(report, Format::kJunit);
  EXPECT_NE(xml.find("blocked, the workload recovers"), std::string::npos) << xml;
  // Docker: clone fails, clone3 is known, read recovers.
  EXPECT_NE(xml.find("tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"2\""), std::string::npos) << xml;
}

}  // namespace
}  // namespace seccheck::report
