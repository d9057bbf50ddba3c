// The one number formatter: every number seccheck prints in a report, record, trace line,
// profile comment or reason goes through one of these named forms, so a kind of value prints the
// same way everywhere and the choice of form is visible where it is made.
#pragma once

#include <cstdint>
#include <string>

namespace seccheck {

// "0x1f", "0x0": arguments, addresses and program counters in records, reports and comments.
std::string hex(std::uint64_t value);
// "0x1f", "0": C's %#x, as strace prints addresses, unknown flag bits and unassigned numbers.
std::string hex_or_zero(std::uint64_t value);
// Decimal below `hex_from`, else hex(): small values read better in decimal, flags and masks in
// hex. Callers name their cut-off (flag_value() below, or their own constant).
std::string decimal_or_hex(std::uint64_t value, std::uint64_t hex_from);
// decimal_or_hex(value, 4096): argument values in verdict reasons and `explain` (address
// families, personalities and errnos in decimal; clone flags and masks in hex).
std::string flag_value(std::uint64_t value);
// "0644", "000": a file mode as strace prints it.
std::string octal_mode(std::uint64_t value);

}  // namespace seccheck
