#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "analysis/json_input.h"

namespace seccheck::analysis {
namespace {

TEST(JsonInput, SyntaxErrorsNameLineAndColumn) {
  auto parsed = parse_json_input("{\n  \"a\": [1,\n  }", "in.json");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message.rfind("in.json:3:3: malformed JSON: ", 0), 0u) << parsed.error().message;
}

// Found by fuzz_run_record and fuzz_baseline: nlohmann throws out_of_range, not parse_error,
// for a number too large for a double; it must be an error, not an uncaught exception.
TEST(JsonInput, NumberOverflowIsAnErrorNotACrash) {
  auto parsed = parse_json_input("{\"n\": 1666666666666666666666666E666666666666}", "big.json");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("big.json: malformed JSON: number overflow"), std::string::npos)
      << parsed.error().message;
}

// nlohmann's lexer stops at a NUL byte, so `{...}\0garbage` parsed; Docker and runc refuse it.
TEST(JsonInput, NulByteIsAnErrorWithItsPosition) {
  const std::string text = std::string("{\"a\": 1}\n") + '\0' + "garbage";
  auto parsed = parse_json_input(text, "p.json");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message, "p.json:2:1: malformed JSON: a NUL byte (JSON text has none)");
  auto inside = parse_json_input(std::string("{\"a\": \"x") + '\0' + "\"}", "q.json");
  ASSERT_FALSE(inside.ok());
  EXPECT_EQ(inside.error().message.rfind("q.json:1:9: ", 0), 0u) << inside.error().message;
}

TEST(JsonInput, TrailingGarbageIsAnErrorWithItsPosition) {
  auto parsed = parse_json_input("{\"a\": 1}\n\n  x", "p.json");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message.rfind("p.json:3:3: malformed JSON: ", 0), 0u) << parsed.error().message;
  EXPECT_TRUE(parse_json_input("{\"a\": 1}\n \t\r\n", "p.json").ok()) << "trailing whitespace is fine";
}

// `diff /dev/zero` grew to 1.8 GB: reads stop one buffer past the limit of the input's kind.
TEST(JsonInput, ReadsStopAtTheLimitOfTheirKind) {
  auto zero = read_input_file("/dev/zero", kProfileInput);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().message,
            "/dev/zero: larger than 4 MiB, seccheck's limit for a profile (real ones are far smaller; see "
            "README, Limits)");
  auto record = read_input_file("/dev/zero", kRecordInput);
  ASSERT_FALSE(record.ok());
  EXPECT_NE(record.error().message.find("larger than 64 MiB, seccheck's limit for a record"),
            std::string::npos);

  // A regular file over the limit is refused by its size, before it is read (a sparse file:
  // nothing is written to the disk).
  char path[] = "/tmp/seccheck-json-input-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, (4 << 20) + 1), 0);
  close(fd);
  auto big = read_input_file(path, kProfileInput);
  std::remove(path);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("larger than 4 MiB"), std::string::npos) << big.error().message;

  constexpr InputKind kTiny{"report", 8};
  EXPECT_TRUE(read_input_file("/dev/null", kTiny).ok());
  auto directory = read_input_file("/tmp", kTiny);
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.error().message, "/tmp: cannot read the report: Is a directory");
  auto missing = read_input_file("/nonexistent/r.json", kTiny);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "/nonexistent/r.json: cannot read the report: No such file or directory");
}

TEST(JsonInput, LimitsAreFarAboveRealInputs) {
  // The largest RuntimeDefault profile is 18 KB; README's Limits section says why these sizes.
  EXPECT_GE(kProfileInput.max_bytes, 200u * 18 * 1024);
  EXPECT_GE(kRecordInput.max_bytes, kReportInput.max_bytes);
}

}  // namespace
}  // namespace seccheck::analysis
