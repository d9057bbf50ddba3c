// Careless or hostile input (issue 19, items 10 to 14): unbounded reads, NUL bytes and trailing
// garbage in profiles, absurdly large profiles, nonsense numbers and repeated keys in records, and
// terminal escapes in names that reach error messages and warnings.
#include <sys/resource.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_fixture.h"

namespace seccheck::testing {
namespace {

class Inputs : public SeccheckE2E {};

// Peak resident memory of the children this test process waited for, in MiB.
long children_peak_mib() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return usage.ru_maxrss / 1024;
}

TEST_F(Inputs, UnboundedReadsStopAtTheLimit) {
  // `diff /dev/zero` grew to 1.8 GB, `check --profile /dev/zero` to 1.1 GB.
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"diff", "/dev/zero"}, "seccheck: /dev/zero: larger than 64 MiB, seccheck's limit for a record"},
      {{"check", "--profile", "/dev/zero", "--", "/bin/true"},
       "seccheck: /dev/zero: larger than 4 MiB, seccheck's limit for a profile"},
      {{"explain", "clone", "--profile", "/dev/zero"}, "seccheck: /dev/zero: larger than 4 MiB"},
      {{"check", "--baseline", "/dev/zero", "--", "/bin/true"},
       "seccheck: baseline /dev/zero: larger than 64 MiB, seccheck's limit for a report"},
      {{"merge", "/dev/zero", "/dev/zero"},
       "seccheck: /dev/zero: larger than 64 MiB, seccheck's limit for a merge input"},
      {{"generate", "--from", "/dev/zero"}, "seccheck: /dev/zero: larger than 64 MiB"},
  };
  for (const Case& c : cases) {
    ProcessOutput result = seccheck(c.args, 60);
    EXPECT_EQ(result.exit_status, 2) << c.args[0] << ": " << result.err;
    EXPECT_EQ(result.err.rfind(c.message, 0), 0u) << result.err;
    EXPECT_EQ(line_count(result.err), 1u) << result.err;
  }
  EXPECT_LT(children_peak_mib(), 400) << "reading stopped only after the limit's worth";
}

TEST_F(Inputs, ProfileWithNulByteOrTrailingGarbageIsRefused) {
  const std::string valid = R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": []})";
  const std::string nul = write("nul.json", valid + std::string(1, '\0') + "garbage");
  ProcessOutput result = seccheck({"check", "--profile", nul, "--", "/bin/true"});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_EQ(result.err, "seccheck: " + nul + ":1:52: malformed JSON: a NUL byte (JSON text has none)\n");
  const std::string trailing = write("trailing.json", valid + "\n\n garbage");
  result = seccheck({"check", "--profile", trailing, "--", "/bin/true"});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_EQ(result.err.rfind("seccheck: " + trailing + ":3:2: malformed JSON: ", 0), 0u) << result.err;
}

TEST_F(Inputs, AbsurdlyLargeProfilesAreRefusedAtOnce) {
  // 200,000 copies of one rule (10 MB) kept libseccomp busy for more than 15 minutes; 4,097 (under
  // the size limit) still take seconds. Both are refused before libseccomp sees them.
  std::string rules;
  for (int i = 0; i < 200000; ++i)
    rules += std::string(i ? "," : "") + R"({"names":["keyctl"],"action":"SCMP_ACT_ERRNO"})";
  const std::string huge =
      write("huge.json", R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[)" + rules + "]}");
  const std::string many = write("many.json", R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[)" +
                                                  rules.substr(0, 46 + 4096 * 47) + "]}");
  const auto started = std::chrono::steady_clock::now();
  ProcessOutput refused_by_size = seccheck({"check", "--profile", huge, "--", "/bin/true"});
  ProcessOutput refused_by_names = seccheck({"check", "--profile", many, "--", "/bin/true"});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(refused_by_size.exit_status, 2);
  EXPECT_EQ(refused_by_size.err, "seccheck: " + huge +
                                     ": larger than 4 MiB, seccheck's limit for a profile (real ones are far "
                                     "smaller; see README, Limits)\n");
  EXPECT_EQ(refused_by_names.exit_status, 2);
  EXPECT_EQ(refused_by_names.err.rfind("seccheck: " + many +
                                           ": syscalls: the rules name more than 4096 syscalls in all (at "
                                           "syscalls[4096]), seccheck's limit",
                                       0),
            0u)
      << refused_by_names.err;
  EXPECT_LT(seconds, 30) << "refusing should not take libseccomp's time";
}

std::string record_with_calls(const std::string& calls) {
  return R"({"seccheck_record": 1, "command": ["app"], "exit_status": 0, "complete": true, "calls": [)" +
         calls + "]}";
}
std::string keyctl_with_count(const std::string& count) {
  return R"({"arch": "x86_64", "nr": 250, "args": ["0x0","0x0","0x0","0x0","0x0","0x0"], "count": )" + count +
         "}";
}

TEST_F(Inputs, RecordNumbersThatMakeNoSenseAreRefused) {
  const std::string negative = write("negative.json", record_with_calls(keyctl_with_count("-5")));
  ProcessOutput result = seccheck({"diff", negative, "--profile", "docker"});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_EQ(result.err, "seccheck: " + negative + ": calls[0].count: must not be negative (got -5)\n");
  EXPECT_EQ(result.out.find("18446744073709551611"), std::string::npos);
}

TEST_F(Inputs, RepeatedKeysInARecordAreOneFinding) {
  const std::string record =
      write("repeated.json", record_with_calls(keyctl_with_count("2") + "," + keyctl_with_count("3")));
  ProcessOutput result = seccheck({"diff", record, "--profile", "docker", "--format", "json"});
  EXPECT_EQ(result.exit_status, 1) << result.err;
  const nlohmann::json report = nlohmann::json::parse(result.out);
  ASSERT_EQ(report["findings"].size(), 1u) << result.out;
  EXPECT_EQ(report["findings"][0]["key"], "x86_64/keyctl");
  EXPECT_EQ(report["findings"][0]["count"], 5);
}

bool has_raw_control(const std::string& text) {
  for (unsigned char c : text)
    if ((c < 0x20 && c != '\n') || c == 0x7f) return true;
  return false;
}

TEST_F(Inputs, EscapesInNamesNeverReachTheTerminal) {
  const std::string esc = "\x1b[31m\x1b]0;pwned\x07";
  // A file name in an error, a syscall name from a profile in a warning, an option in a parse error.
  const std::string profile = write("p" + esc + ".json", R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["nope)" + std::string("\\u001b[2J") + R"("], "action": "SCMP_ACT_ERRNO"}]})");
  const std::vector<std::vector<std::string>> cases = {
      {"check", "--profile", dir_ + "/missing" + esc + ".json", "--", "/bin/true"},
      {"diff", dir_ + "/missing" + esc + ".json"},
      {"check", "-q", "--profile", profile, "-o", "/dev/null", "--", "/bin/true"},
      {"check", "--bogus" + esc, "--", "/bin/true"},
      {"check", "-o", dir_ + "/missing" + esc + "/r.txt", "--", "/bin/true"},
  };
  for (const auto& args : cases) {
    ProcessOutput result = seccheck(args);
    EXPECT_FALSE(has_raw_control(result.err)) << result.err;
    EXPECT_NE(result.err.find("\\x1b"), std::string::npos) << result.err;
  }
  ProcessOutput warned =
      seccheck({"check", "-q", "--profile", profile, "-o", "/dev/null", "--", "/bin/true"});
  EXPECT_NE(warned.err.find("seccheck: warning: unknown syscall \"nope\\x1b[2J\""), std::string::npos)
      << warned.err;
}

}  // namespace
}  // namespace seccheck::testing
