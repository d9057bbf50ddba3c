#include "core/user_cache.h"

#include <cstdlib>

namespace seccheck {

std::optional<std::filesystem::path> user_cache_folder(const std::string& name) {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::filesystem::path(xdg) / "seccheck" / name;
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/') return std::filesystem::path(home) / ".cache" / "seccheck" / name;
  return std::nullopt;
}

}  // namespace seccheck
