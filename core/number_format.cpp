#include "core/number_format.h"

#include <cstdio>

namespace seccheck {

std::string hex(std::uint64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(value));
  return buffer;
}

std::string hex_or_zero(std::uint64_t value) {
  return value == 0 ? std::string("0") : hex(value);
}

std::string decimal_or_hex(std::uint64_t value, std::uint64_t hex_from) {
  return value < hex_from ? std::to_string(value) : hex(value);
}

std::string flag_value(std::uint64_t value) {
  return decimal_or_hex(value, 4096);
}

std::string octal_mode(std::uint64_t value) {
  if (value == 0) return "000";
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0%llo", static_cast<unsigned long long>(value));
  return buffer;
}

}  // namespace seccheck
