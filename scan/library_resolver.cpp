#include "scan/library_resolver.h"

#include <elf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "elf/elf_file.h"

namespace seccheck::scan {

namespace {

std::uint32_t u32_at(std::string_view bytes, std::size_t at) {
  std::uint32_t value = 0;
  std::memcpy(&value, bytes.data() + at, 4);  // the cache is in the host's byte order
  return value;
}

std::string parent_folder(std::string_view path) {
  const auto slash = path.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string expand_tokens(std::string text, const std::string& origin) {
  const std::pair<const char*, std::string> tokens[] = {{"${ORIGIN}", origin},
                                                        {"$ORIGIN", origin},
                                                        {"${LIB}", "lib/x86_64-linux-gnu"},
                                                        {"$LIB", "lib/x86_64-linux-gnu"},
                                                        {"${PLATFORM}", "x86_64"},
                                                        {"$PLATFORM", "x86_64"}};
  for (const auto& [token, value] : tokens)
    for (std::size_t at; (at = text.find(token)) != std::string::npos;)
      text.replace(at, std::strlen(token), value);
  return text;
}

}  // namespace

Result<std::map<std::string, std::string>> parse_ld_so_cache(std::string_view bytes) {
  constexpr std::string_view kOld = "ld.so-1.7.0";
  constexpr std::string_view kNew = "glibc-ld.so.cache1.1";
  constexpr std::size_t kNewHeader = 48, kNewEntry = 24, kOldHeader = 16, kOldEntry = 12;
  std::size_t start = 0;
  if (bytes.substr(0, kOld.size()) == kOld) {
    if (bytes.size() < kOldHeader) return make_error("ld.so.cache: truncated old-format header");
    const std::uint64_t old_count = u32_at(bytes, 12);
    if (old_count > (bytes.size() - kOldHeader) / kOldEntry)
      return make_error("ld.so.cache: truncated old-format table");
    start = (kOldHeader + old_count * kOldEntry + 7) & ~std::size_t{7};
  }
  if (start > bytes.size() || bytes.substr(start, kNew.size()) != kNew)
    return make_error("ld.so.cache: not a glibc-ld.so.cache1.1 file");
  const std::string_view cache = bytes.substr(start);
  if (cache.size() < kNewHeader) return make_error("ld.so.cache: truncated header");
  const std::uint64_t count = u32_at(cache, 20);
  if (count > (cache.size() - kNewHeader) / kNewEntry)
    return make_error("ld.so.cache: truncated entry table");
  const auto string_at = [&](std::uint32_t offset) -> std::optional<std::string_view> {
    if (offset >= cache.size()) return std::nullopt;
    const std::string_view rest = cache.substr(offset);
    const auto end = rest.find('\0');
    if (end == std::string_view::npos) return std::nullopt;
    return rest.substr(0, end);
  };
  std::map<std::string, std::string> out;
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::size_t at = kNewHeader + i * kNewEntry;
    const std::uint32_t flags = u32_at(cache, at);
    constexpr std::uint32_t kElfLibc6 = 0x0003, kX8664Lib64 = 0x0300;
    if ((flags & 0xff) != kElfLibc6 || (flags & 0xff00) != kX8664Lib64) continue;
    const auto key = string_at(u32_at(cache, at + 4));
    const auto value = string_at(u32_at(cache, at + 8));
    if (!key || !value)
      return make_error("ld.so.cache: entry " + std::to_string(i) + " points outside the file");
    out.emplace(std::string(*key), std::string(*value));
  }
  return out;
}

const std::vector<std::string>& default_library_folders() {
  static const std::vector<std::string> folders = {
      "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"};
  return folders;
}

LibraryResolver::LibraryResolver(std::string root) : root_(std::move(root)) {
  while (!root_.empty() && root_.back() == '/')
    root_.pop_back();
}

std::optional<std::string> LibraryResolver::host_path(std::string_view path) const {
  if (path.empty() || path[0] != '/') return std::nullopt;
  // Walk the components, following symlinks with the root as "/" (at most 40, as the kernel).
  std::vector<std::string> pending;
  std::string_view rest = path;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    if (!part.empty()) pending.emplace_back(part);
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  std::reverse(pending.begin(), pending.end());
  std::vector<std::string> done;
  int links = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.back());
    pending.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    std::string host = root_;
    for (const auto& d : done)
      host += "/" + d;
    host += "/" + part;
    struct stat st {};
    if (::lstat(host.c_str(), &st) != 0) return std::nullopt;
    if (S_ISLNK(st.st_mode)) {
      if (++links > 40) return std::nullopt;
      std::error_code error;
      const std::string target = std::filesystem::read_symlink(host, error).string();
      if (error || target.empty()) return std::nullopt;
      if (target[0] == '/') done.clear();
      std::vector<std::string> parts;
      std::istringstream words(target);
      for (std::string p; std::getline(words, p, '/');)
        if (!p.empty()) parts.push_back(p);
      for (auto it = parts.rbegin(); it != parts.rend(); ++it)
        pending.push_back(*it);
      continue;
    }
    done.push_back(std::move(part));
  }
  std::string host = root_.empty() ? "" : root_;
  for (const auto& d : done)
    host += "/" + d;
  return host.empty() ? std::string("/") : host;
}

bool LibraryResolver::acceptable(const std::string& path_in_root) {
  auto it = acceptable_.find(path_in_root);
  if (it != acceptable_.end()) return it->second;
  bool ok = false;
  if (auto host = host_path(path_in_root)) {
    struct stat st {};
    if (::stat(host->c_str(), &st) == 0 && S_ISREG(st.st_mode))
      if (auto file = elf::ElfFile::open(*host)) ok = file->is_64bit() && file->machine() == EM_X86_64;
  }
  acceptable_.emplace(path_in_root, ok);
  return ok;
}

std::optional<std::string> LibraryResolver::try_folder(std::string folder, const std::string& name,
                                                       const Requester& requester) {
  folder = expand_tokens(std::move(folder), parent_folder(requester.path));
  if (folder.empty() || folder[0] != '/') return std::nullopt;  // relative: the loader uses its cwd
  const std::string candidate = std::filesystem::path(folder + "/" + name).lexically_normal().string();
  if (acceptable(candidate)) return candidate;
  return std::nullopt;
}

std::optional<std::string> LibraryResolver::find(const std::string& name, const Requester& requester) {
  if (name.find('/') != std::string::npos) {
    const std::string path = name[0] == '/' ? name : parent_folder(requester.path) + "/" + name;
    return acceptable(path) ? std::optional<std::string>(path) : std::nullopt;
  }
  if (!requester.has_runpath)
    for (const auto& folder : requester.rpath)
      if (auto found = try_folder(folder, name, requester)) return found;
  for (const auto& folder : requester.runpath)
    if (auto found = try_folder(folder, name, requester)) return found;
  if (requester.no_default_lib) return std::nullopt;
  if (!cache_loaded_) {
    cache_loaded_ = true;
    if (auto cache_file = host_path("/etc/ld.so.cache")) {
      std::ifstream in(*cache_file, std::ios::binary);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      auto parsed = parse_ld_so_cache(bytes.str());
      if (parsed)
        cache_ = std::move(*parsed);
      else
        cache_problem_ = parsed.error().message;
    }
  }
  if (auto it = cache_.find(name); it != cache_.end() && acceptable(it->second)) return it->second;
  for (const auto& folder : default_library_folders())
    if (auto found = try_folder(folder, name, requester)) return found;
  return std::nullopt;
}

}  // namespace seccheck::scan
