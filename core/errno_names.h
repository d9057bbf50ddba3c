// errno names and numbers (EPERM <-> 1), as containers-common's `errno` fields and seccheck's
// messages write them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace seccheck {

std::optional<std::uint32_t> errno_number(std::string_view name);
// "EPERM", or the number as text when it has no name.
std::string errno_name(std::uint32_t number);

}  // namespace seccheck
