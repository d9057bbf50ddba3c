#include "core/text_escape.h"

#include <cstdio>

namespace seccheck {
namespace {

bool is_bidi_control(long cp) {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

// Visible form of one code point a terminal must not interpret, or "" to keep it.
std::string terminal_escape_for(long cp) {
  switch (cp) {
    case '\n': return "\\n";
    case '\t': return "\\t";
    case '\r': return "\\r";
    default: break;
  }
  if (cp < 0x20 || cp == 0x7F) return hex_escape(static_cast<unsigned char>(cp));
  if ((cp >= 0x80 && cp <= 0x9F) || is_bidi_control(cp)) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "\\u%04lx", cp);
    return buf;
  }
  return {};
}

}  // namespace

CodePoint decode_utf8(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char first = byte(pos);
  if (first < 0x80) return {first, 1};
  std::size_t length = 0;
  long value = 0;
  long minimum = 0;
  if (first >= 0xC2 && first <= 0xDF) {
    length = 2, value = first & 0x1F, minimum = 0x80;
  } else if (first >= 0xE0 && first <= 0xEF) {
    length = 3, value = first & 0x0F, minimum = 0x800;
  } else if (first >= 0xF0 && first <= 0xF4) {
    length = 4, value = first & 0x07, minimum = 0x10000;
  } else {
    return {-1, 1};
  }
  if (pos + length > text.size()) return {-1, 1};
  for (std::size_t i = 1; i < length; ++i) {
    unsigned char next = byte(pos + i);
    if ((next & 0xC0) != 0x80) return {-1, 1};
    value = (value << 6) | (next & 0x3F);
  }
  // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8.
  if (value < minimum || (value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF) return {-1, 1};
  return {value, length};
}

std::string hex_escape(unsigned char byte) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", byte);
  return buf;
}

std::string escape_terminal(std::string_view text) {
  return rewrite_utf8(text, [](long code_point, std::string_view bytes, std::string& out) {
    if (code_point < 0) {
      out += hex_escape(static_cast<unsigned char>(bytes[0]));
    } else if (std::string escaped = terminal_escape_for(code_point); !escaped.empty()) {
      out += escaped;
    } else {
      out += bytes;
    }
  });
}

}  // namespace seccheck
