#include "core/version.h"

namespace seccheck {

std::string_view seccheck_version() {
  return SECCHECK_VERSION;
}

}  // namespace seccheck
