// Making text from a workload safe to print. Anything a tracee controls (paths, argv, symbol
// names) may hold terminal escapes, invalid UTF-8 or bidi overrides; every printer goes through
// these functions so one set of rules decides what a terminal gets to see.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace seccheck {

// One decoded UTF-8 sequence: the code point, or -1 for an invalid byte (length 1). Overlong
// forms, surrogates and values past U+10FFFF are invalid.
struct CodePoint {
  long value;
  std::size_t length;
};
CodePoint decode_utf8(std::string_view text, std::size_t pos);

// Rebuilds `text` one UTF-8 sequence at a time: `rewrite(code_point, bytes, out)` appends what
// the sequence becomes (code_point -1: an invalid byte, `bytes` is that byte). The one loop behind
// every escaper, so they all agree on what a sequence is.
template <typename Rewrite> std::string rewrite_utf8(std::string_view text, Rewrite&& rewrite) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    const CodePoint cp = decode_utf8(text, pos);
    rewrite(cp.value, text.substr(pos, cp.length), out);
    pos += cp.length;
  }
  return out;
}

// "\x1b" for one byte.
std::string hex_escape(unsigned char byte);

// C0/C1 controls, DEL, Unicode bidi controls and bytes of invalid UTF-8 become visible escapes
// (\x1b, \n, \t, \u202e, \xff), so output cannot move the cursor, change colours or reorder
// text. Everything else passes through.
std::string escape_terminal(std::string_view text);

}  // namespace seccheck
