// --baseline: keys from a previous JSON report, known marking, and one-line errors.
#include <gtest/gtest.h>

#include "report/baseline.h"
#include "report/renderer.h"
#include "tests/report/sample_report.h"

namespace seccheck::report {
namespace {

using testing::render;
using testing::sample_report;
using testing::write_temp_file;

TEST(Baseline, LoadsKeysOfAPreviousReport) {
  std::string path = write_temp_file("baseline.json", render(sample_report(), Format::kJson));
  auto keys = load_baseline_keys(path);
  ASSERT_TRUE(keys) << keys.error().message;
  std::set<std::string> expected = {"x86_64/acct", "x86_64/clone/arg0=0x10000011", "x86_64/clone3",
                                    "i386/read"};
  EXPECT_EQ(*keys, expected);
}

TEST(Baseline, ApplyMarksKnownAndPassesTheGate) {
  analysis::CheckReport report = sample_report();
  ASSERT_TRUE(report.gate_failed());
  apply_baseline(report, {"x86_64/acct", "x86_64/clone/arg0=0x10000011", "i386/read"});
  for (const auto& f : report.findings)
    EXPECT_EQ(f.known, f.key != "x86_64/clone3") << f.key;
  EXPECT_TRUE(report.gate_failed());  // clone3 is new now
  apply_baseline(report, {"x86_64/acct", "x86_64/clone/arg0=0x10000011", "i386/read", "x86_64/clone3"});
  EXPECT_FALSE(report.gate_failed());
  // a baseline from a run of the same workload survives the re-run: keys hold no pids or addresses
  analysis::CheckReport rerun = sample_report();
  for (auto& f : rerun.findings) {
    f.call.first_pid += 1000;
    for (auto& frame : f.call.stack)
      frame.pc += 0x1000;
  }
  auto keys = parse_baseline_keys(render(sample_report(), Format::kJson), "baseline");
  ASSERT_TRUE(keys);
  apply_baseline(rerun, *keys);
  EXPECT_EQ(rerun.new_blocking_findings(), 0u);
}

void expect_one_line_error(const Result<std::set<std::string>>& r, const std::string& expected_part) {
  ASSERT_FALSE(r) << "expected an error containing: " << expected_part;
  EXPECT_NE(r.error().message.find(expected_part), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
}

TEST(Baseline, MalformedJsonNamesPathLineAndColumn) {
  std::string path = write_temp_file(
      "broken.json", "{\n  \"schema_version\": 1,\n  \"findings\": [\n    {\"key\": }\n  ]\n}\n");
  expect_one_line_error(load_baseline_keys(path), "baseline " + path + ":4:13: malformed JSON: ");
}

TEST(Baseline, WrongVersionAndWrongShape) {
  expect_one_line_error(parse_baseline_keys(R"({"schema_version": 2, "findings": []})", "baseline b.json"),
                        "baseline b.json: report schema_version 2, this seccheck reads 1");
  expect_one_line_error(parse_baseline_keys(R"({"schema_version": "1", "findings": []})", "baseline b.json"),
                        "report schema_version \"1\"");
  expect_one_line_error(parse_baseline_keys("[1, 2]", "baseline b.json"),
                        "baseline b.json: not a seccheck JSON report (no \"schema_version\")");
  expect_one_line_error(parse_baseline_keys(R"({"schema_version": 1})", "baseline b.json"),
                        "\"findings\" is missing or not an array");
  expect_one_line_error(
      parse_baseline_keys(R"({"schema_version": 1, "findings": [{"key": "a"}, {"nokey": 1}]})",
                          "baseline b.json"),
      "baseline b.json: findings[1] has no \"key\" string");
  expect_one_line_error(parse_baseline_keys("", "baseline empty.json"),
                        "baseline empty.json:1:1: malformed JSON");
}

TEST(Baseline, MissingFile) {
  expect_one_line_error(
      load_baseline_keys("/nonexistent/seccheck-baseline.json"),
      "cannot read baseline /nonexistent/seccheck-baseline.json: No such file or directory");
}

TEST(Baseline, EmptyReportGivesNoKeys) {
  auto keys = parse_baseline_keys(render(testing::empty_report(), Format::kJson), "baseline");
  ASSERT_TRUE(keys) << keys.error().message;
  EXPECT_TRUE(keys->empty());
}

}  // namespace
}  // namespace seccheck::report
