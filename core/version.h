// seccheck's own version, as `seccheck --version` and every report print it.
#pragma once

#include <string_view>

namespace seccheck {

std::string_view seccheck_version();

}  // namespace seccheck
