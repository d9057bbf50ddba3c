#include "core/errno_names.h"

#include <string.h>

namespace seccheck {

// glibc (2.32+) knows the names; errno values stay below 4096 (MAX_ERRNO).
std::optional<std::uint32_t> errno_number(std::string_view name) {
  for (int e = 1; e < 4096; ++e) {
    const char* known = strerrorname_np(e);
    if (known != nullptr && name == known) return static_cast<std::uint32_t>(e);
  }
  return std::nullopt;
}

std::string errno_name(std::uint32_t number) {
  if (number < 4096) {
    if (const char* known = strerrorname_np(static_cast<int>(number))) return known;
  }
  return std::to_string(number);
}

}  // namespace seccheck
