#include "elf/debug_file.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>

namespace seccheck::elf {

namespace {

// CRC32 of a whole file (the .gnu_debuglink checksum is zlib's crc32), nullopt when unreadable.
std::optional<std::uint32_t> file_crc32(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  uLong crc = crc32(0L, Z_NULL, 0);
  char buffer[1 << 16];
  ssize_t got = 0;
  while ((got = ::read(fd, buffer, sizeof buffer)) > 0)
    crc = crc32(crc, reinterpret_cast<const Bytef*>(buffer), static_cast<uInt>(got));
  ::close(fd);
  if (got < 0) return std::nullopt;
  return static_cast<std::uint32_t>(crc);
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code error;
  return std::filesystem::equivalent(a, b, error);
}

}  // namespace

std::optional<ElfFile> find_debug_file(const ElfFile& file, const std::string& debug_root) {
  const std::string& id = file.build_id();
  if (id.size() > 2) {
    const std::string candidate =
        debug_root + "/.build-id/" + id.substr(0, 2) + "/" + id.substr(2) + ".debug";
    if (auto debug = ElfFile::open(candidate); debug && debug->build_id() == id) return std::move(*debug);
  }
  const auto link = file.debuglink();
  if (!link || link->file.find('/') != std::string::npos) return std::nullopt;
  const std::filesystem::path folder = std::filesystem::path(file.path()).parent_path();
  const std::string folder_text = folder.empty() ? "." : folder.string();
  std::string absolute =
      folder.empty() ? std::string() : std::filesystem::absolute(folder).lexically_normal().string();
  for (const std::string& candidate : {folder_text + "/" + link->file, folder_text + "/.debug/" + link->file,
                                       debug_root + absolute + "/" + link->file}) {
    if (same_file(candidate, file.path())) continue;
    auto debug = ElfFile::open(candidate);
    if (!debug) continue;
    const bool ids_match = !id.empty() && debug->build_id() == id;
    const bool ids_absent = id.empty() || debug->build_id().empty();
    if (ids_match || (ids_absent && file_crc32(candidate) == link->crc)) return std::move(*debug);
  }
  return std::nullopt;
}

}  // namespace seccheck::elf
