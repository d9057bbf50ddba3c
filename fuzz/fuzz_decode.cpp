// libFuzzer target: decoding a call whose arguments and memory come from a hostile tracee.
// The input gives the ABI, the syscall number, six arguments, a return value and the bytes
// every string read returns. The output must stay safe on a terminal and in JSON, whatever the
// tracee's memory holds: no control byte (ESC, CR, NUL...), no C1 control (U+009B is CSI to
// some terminals), no bidi control and no invalid UTF-8.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "core/decode.h"

namespace {

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    std::uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
    for (std::size_t k = 1; k < n; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    // C1 controls (U+0080..U+009F): some terminals act on U+009B as CSI, like ESC [.
    if (cp >= 0x80 && cp <= 0x9f) return false;
    // Bidi controls reorder what the terminal shows (the report's escape_terminal escapes them too).
    if (cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
        (cp >= 0x2066 && cp <= 0x2069))
      return false;
    i += n;
  }
  return true;
}

void check_safe(const char* what, const std::string& out) {
  for (unsigned char c : out) {
    if (c < 0x20 || c == 0x7f) {
      std::fprintf(stderr, "fuzz_decode: %s output holds control byte 0x%02x: %s\n", what, c, out.c_str());
      std::abort();
    }
  }
  if (!valid_utf8(out)) {
    std::fprintf(stderr, "fuzz_decode: %s output is not valid UTF-8\n", what);
    std::abort();
  }
}

template <typename T> T take(const std::uint8_t*& data, std::size_t& size) {
  T value{};
  const std::size_t n = size < sizeof(T) ? size : sizeof(T);
  std::memcpy(&value, data, n);
  data += n;
  size -= n;
  return value;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace seccheck;
  const auto selector = take<std::uint8_t>(data, size);
  const Arch arch = selector % 3 == 0 ? Arch::kX86_64 : selector % 3 == 1 ? Arch::kI386 : Arch::kX32;
  const int nr = take<std::uint16_t>(data, size) % 1024;
  std::array<std::uint64_t, 6> args{};
  for (auto& arg : args) {
    // Small values hit the flag tables; full 64-bit values the hex and unknown-bit paths.
    const auto raw = take<std::uint32_t>(data, size);
    arg = (raw & 0x80000000u) ? (std::uint64_t{raw} << 32 | raw) : raw;
  }
  const auto ret = static_cast<std::int64_t>(take<std::int32_t>(data, size));
  const std::string memory(reinterpret_cast<const char*>(data), size);  // what the tracee's memory holds
  const std::size_t max_string = 1 + selector % 80;
  MemoryReader reader = [&memory, &args](std::uint64_t address,
                                         std::size_t max_bytes) -> std::optional<std::string> {
    if (address == args[5]) return std::nullopt;  // an unreadable pointer
    std::string s = memory.substr(0, memory.find('\0'));
    if (s.size() > max_bytes) s.resize(max_bytes);
    return s;
  };
  check_safe("format_arguments", format_arguments(arch, nr, args, &reader, max_string));
  check_safe("format_call", format_call(arch, nr, args, &reader, max_string));
  check_safe("format_return", format_return(arch, nr, ret));
  check_safe("describe_call", describe_call(arch, nr, args));
  if (auto value = profile_argument(arch, nr, args)) check_safe("profile_argument", *value);
  check_safe("escape_string", escape_string(memory, selector & 1));
  return 0;
}
