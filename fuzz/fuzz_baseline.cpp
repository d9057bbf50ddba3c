// libFuzzer target: --baseline FILE (a previous JSON report). Besides "no crash": errors are
// one non-empty line.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "report/baseline.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto keys = seccheck::report::parse_baseline_keys(text, "fuzz-baseline.json");
  if (!keys) {
    const std::string& message = keys.error().message;
    if (message.empty() || message.find('\n') != std::string::npos) {
      std::fprintf(stderr, "fuzz_baseline: error message is not one non-empty line:\n%s\n", message.c_str());
      std::abort();
    }
  }
  return 0;
}
