#include "cli/value_kind.h"

#include <unordered_map>

namespace seccheck::cli {
namespace {

// Options live as long as the CLI11 tree, which lives for the whole run.
std::unordered_map<const CLI::Option*, ValueKind>& declared() {
  static std::unordered_map<const CLI::Option*, ValueKind> kinds;
  return kinds;
}

}  // namespace

CLI::Option* completes_as(CLI::Option* option, ValueKind kind) {
  declared()[option] = kind;
  return option;
}

std::optional<ValueKind> declared_value_kind(const CLI::Option* option) {
  auto it = declared().find(option);
  if (it == declared().end()) return std::nullopt;
  return it->second;
}

}  // namespace seccheck::cli
