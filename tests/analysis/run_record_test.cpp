// Reading saved run records: numbers that make no sense are errors naming their field, and a key
// recorded twice is one call, never two findings.
#include <gtest/gtest.h>

#include <string>

#include "analysis/merge.h"
#include "analysis/run_record.h"

namespace seccheck::analysis {
namespace {

std::string record_with(const std::string& calls) {
  return R"({"seccheck_record": 1, "command": ["app"], "exit_status": 0, "complete": true, "calls": [)" +
         calls + "]}";
}

std::string keyctl(const std::string& count) {
  return R"({"arch": "x86_64", "nr": 250, "args": ["0x0","0x0","0x0","0x0","0x0","0x0"], "count": )" + count +
         "}";
}

std::string parse_error(const std::string& text) {
  auto record = parse_run_record(text, "rec.json");
  EXPECT_FALSE(record.ok()) << "accepted: " << text;
  return record.ok() ? "" : record.error().message;
}

// A count of -5 was accepted and printed as 18446744073709551611.
TEST(RunRecord, NegativeAndOverflowingNumbersAreErrorsNamingTheField) {
  EXPECT_EQ(parse_error(record_with(keyctl("-5"))),
            "rec.json: calls[0].count: must not be negative (got -5)");
  EXPECT_EQ(parse_error(record_with(keyctl("\"-5\""))),
            "rec.json: calls[0].count: must not be negative (got \"-5\")");
  EXPECT_EQ(parse_error(record_with(keyctl("\"0x1ffffffffffffffff\""))),
            "rec.json: calls[0].count: \"0x1ffffffffffffffff\" is too large (at most 18446744073709551615)");
  EXPECT_EQ(parse_error(record_with(keyctl("18446744073709551616"))),
            "rec.json: calls[0].count: expected a whole number from 0 to 18446744073709551615 (got "
            "1.8446744073709552e+19)");
  EXPECT_EQ(parse_error(record_with(keyctl("1.5"))),
            "rec.json: calls[0].count: expected a whole number from 0 to 18446744073709551615 (got 1.5)");
  EXPECT_EQ(parse_error(
                R"({"seccheck_record": 1, "command": [], "exit_status": -1, "complete": true, "calls": []})"),
            "rec.json: exit_status: must not be negative (got -1)");
  EXPECT_EQ(
      parse_error(
          R"({"seccheck_record": 1, "command": [], "exit_status": 256, "complete": true, "calls": []})"),
      "rec.json: exit_status: 256 is too large (at most 255)");
  EXPECT_EQ(parse_error(R"({"seccheck_record": 1, "command": [], "exit_status": 0, "complete": true,
                            "processes": -2, "calls": []})"),
            "rec.json: processes: must not be negative (got -2)");
  EXPECT_EQ(parse_error(R"({"seccheck_record": 1, "command": [], "exit_status": 0, "complete": true,
                            "duration_seconds": -1.5, "calls": []})"),
            "rec.json: duration_seconds: must not be negative (got -1.5)");
  EXPECT_EQ(parse_error(record_with(
                R"({"arch": "x86_64", "nr": 250, "args": ["0x0","0x0","0x0","0x0","0x0","0x0"], "count": 1,
                    "first_pid": 4294967296})")),
            "rec.json: calls[0].first_pid: 4294967296 is too large (at most 2147483647)");
  EXPECT_EQ(
      parse_error(record_with(
          R"({"arch": "x86_64", "nr": 250, "args": ["0x0","-0x1","0x0","0x0","0x0","0x0"], "count": 1})")),
      "rec.json: calls[0].args[1]: must not be negative (got \"-0x1\")");
}

TEST(RunRecord, ANegativeSyscallNumberIsWhatTheWorkloadCalled) {
  // syscall(-1) reaches the filter as nr -1; a record keeps it and reads it back.
  auto record = parse_run_record(
      record_with(
          R"({"arch": "x86_64", "nr": -1, "args": ["0x0","0x0","0x0","0x0","0x0","0x0"], "count": 1})"),
      "rec.json");
  ASSERT_TRUE(record.ok()) << record.error().message;
  ASSERT_EQ(record->calls.size(), 1u);
  EXPECT_EQ(record->calls[0].nr, -1);
  auto again = parse_run_record(run_record_to_json(*record), "rec.json");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->calls[0].nr, -1);
}

// Two entries with one key gave two findings for one key.
TEST(RunRecord, EntriesWithOneKeyAreMergedWithTheirCountsSummed) {
  auto record = parse_run_record(
      record_with(keyctl("2") + "," +
                  R"({"arch": "x86_64", "nr": 272, "args": ["0x10000000","0x0","0x0","0x0","0x0","0x0"],
                                                 "kept_args": [0], "count": 1},)" +
                  keyctl("\"0x3\"")),
      "rec.json");
  ASSERT_TRUE(record.ok()) << record.error().message;
  ASSERT_EQ(record->calls.size(), 2u);
  EXPECT_EQ(record->calls[0].key(), "x86_64/keyctl");
  EXPECT_EQ(record->calls[0].count, 5u);
  EXPECT_EQ(record->calls[1].key(), "x86_64/unshare/arg0=0x10000000");
  EXPECT_EQ(record->calls[1].count, 1u);

  EXPECT_EQ(parse_error(record_with(keyctl("18446744073709551615") + "," + keyctl("1"))),
            "rec.json: calls: x86_64/keyctl: the counts of its entries add up past 18446744073709551615");
}

TEST(RunRecord, MergedRecordsRefuseCountsPastTheLimit) {
  auto a = parse_run_record(record_with(keyctl("18446744073709551615")), "a.json");
  auto b = parse_run_record(record_with(keyctl("1")), "b.json");
  ASSERT_TRUE(a.ok() && b.ok());
  auto merged = merge_records({*a, *b});
  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.error().message,
            "merge: x86_64/keyctl: the counts of its entries add up past 18446744073709551615");
}

}  // namespace
}  // namespace seccheck::analysis
