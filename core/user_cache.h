// Where seccheck keeps what it can rebuild (compiled filters, source lines of code addresses):
// $XDG_CACHE_HOME/seccheck/<name>, else $HOME/.cache/seccheck/<name>. A cache that cannot be
// read or written costs time, never a result.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace seccheck {

// nullopt when neither variable is an absolute path (XDG: relative values are ignored).
std::optional<std::filesystem::path> user_cache_folder(const std::string& name);

}  // namespace seccheck
