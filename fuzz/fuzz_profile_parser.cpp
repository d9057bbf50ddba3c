// libFuzzer target: seccomp profile JSON (--profile FILE) through the parser, resolution and
// evaluation. Properties checked besides "no crash, no sanitizer report": an error is one
// non-empty line, and a parsed profile survives profile_to_json -> parse_profile unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "analysis/context.h"
#include "analysis/evaluate.h"
#include "analysis/profile_parser.h"
#include "analysis/resolve.h"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_profile_parser: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace seccheck;
  using namespace seccheck::analysis;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto profile = parse_profile(text, "fuzz.json");
  if (!profile) {
    const std::string& message = profile.error().message;
    if (message.empty()) fail("empty error message", message);
    if (message.find('\n') != std::string::npos) fail("error message is not one line", message);
    return 0;
  }
  const std::string json = profile_to_json(*profile);
  auto again = parse_profile(json, "fuzz.json");
  if (!again) fail("profile_to_json output does not parse again", again.error().message + "\n" + json);
  if (profile_to_json(*again) != json) fail("profile_to_json is not stable across a round trip", json);

  // Resolution and evaluation see every profile a user can load; run them on a few calls.
  static const Context context;
  const ResolvedProfile resolved = resolve(*profile, context);
  static constexpr int kCalls[] = {0, 56, 59, 101, 135, 272, 321, 435, 457};
  for (int nr : kCalls) {
    std::array<std::uint64_t, 6> args{};
    for (std::size_t i = 0; i < args.size() && i < size; ++i)
      args[i] = data[size - 1 - i] * 0x01010101ULL;
    (void)evaluate(resolved, Arch::kX86_64, nr, args);
    (void)evaluate(resolved, Arch::kX32, nr, args);
  }
  return 0;
}
