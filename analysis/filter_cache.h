// A directory of seccomp programs libseccomp exported, each stored with the complete input it was
// built from (library version, actions, every rule in order) and found again only for exactly that
// input. Building a RuntimeDefault filter costs libseccomp about 10 ms per profile; a repeated
// `seccheck check` reuses the program instead. Damaged or foreign files are ignored and rebuilt;
// a cache that cannot be written costs time, never a result.
#pragma once

#include <linux/filter.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace seccheck::analysis {

class FilterCache {
 public:
  explicit FilterCache(std::filesystem::path directory);
  // user_cache_folder("filters") (core/user_cache.h); nullopt when the user has none.
  static std::optional<FilterCache> for_user();

  std::optional<std::vector<sock_filter>> find(const std::string& input) const;
  void store(const std::string& input, const std::vector<sock_filter>& program) const;
  const std::filesystem::path& directory() const { return directory_; }

 private:
  std::filesystem::path entry_path(const std::string& input) const;
  std::filesystem::path directory_;
};

}  // namespace seccheck::analysis
