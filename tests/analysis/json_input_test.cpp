#include <gtest/gtest.h>

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

}  // namespace
}  // namespace seccheck::analysis
