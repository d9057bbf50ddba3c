// libFuzzer target: saved run records (`check --record FILE`, read back by `diff FILE`).
// Besides "no crash": errors are one non-empty line, and an accepted record round-trips
// through run_record_to_json unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "analysis/run_record.h"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_run_record: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace seccheck::analysis;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto record = parse_run_record(text, "fuzz.record.json");
  if (!record) {
    const std::string& message = record.error().message;
    if (message.empty()) fail("empty error message", message);
    if (message.find('\n') != std::string::npos) fail("error message is not one line", message);
    return 0;
  }
  const std::string json = run_record_to_json(*record);
  auto again = parse_run_record(json, "fuzz.record.json");
  if (!again) fail("run_record_to_json output does not parse again", again.error().message + "\n" + json);
  if (run_record_to_json(*again) != json) fail("run_record_to_json is not stable across a round trip", json);
  for (const RecordedCall& call : again->calls)
    (void)call.key();
  return 0;
}
