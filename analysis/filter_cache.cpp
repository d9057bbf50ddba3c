#include "analysis/filter_cache.h"

#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <system_error>

#include "core/user_cache.h"

namespace seccheck::analysis {
namespace {

constexpr std::string_view kMagic = "seccheck filter cache 1\n";

std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

void append_u64(std::string& out, std::uint64_t value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

bool read_u64(std::string_view& in, std::uint64_t& value) {
  if (in.size() < sizeof value) return false;
  std::memcpy(&value, in.data(), sizeof value);
  in.remove_prefix(sizeof value);
  return true;
}

// magic, input size, input, instruction count, instructions, FNV-1a of everything before it.
std::string encode(const std::string& input, const std::vector<sock_filter>& program) {
  std::string out(kMagic);
  append_u64(out, input.size());
  out += input;
  append_u64(out, program.size());
  out.append(reinterpret_cast<const char*>(program.data()), program.size() * sizeof(sock_filter));
  append_u64(out, fnv1a(out));
  return out;
}

std::optional<std::vector<sock_filter>> decode(std::string_view file, const std::string& input) {
  if (file.size() < kMagic.size() + 3 * sizeof(std::uint64_t) || !file.starts_with(kMagic))
    return std::nullopt;
  std::uint64_t checksum = 0;
  std::string_view tail = file.substr(file.size() - sizeof checksum);
  if (!read_u64(tail, checksum) || checksum != fnv1a(file.substr(0, file.size() - sizeof checksum)))
    return std::nullopt;
  std::string_view in = file.substr(kMagic.size(), file.size() - kMagic.size() - sizeof checksum);
  std::uint64_t input_size = 0;
  if (!read_u64(in, input_size) || input_size > in.size() || in.substr(0, input_size) != input)
    return std::nullopt;
  in.remove_prefix(input_size);
  std::uint64_t count = 0;
  if (!read_u64(in, count) || count == 0 || in.size() != count * sizeof(sock_filter)) return std::nullopt;
  std::vector<sock_filter> program(count);
  std::memcpy(program.data(), in.data(), in.size());
  return program;
}

}  // namespace

FilterCache::FilterCache(std::filesystem::path directory) : directory_(std::move(directory)) {}

std::optional<FilterCache> FilterCache::for_user() {
  if (auto folder = user_cache_folder("filters")) return FilterCache(std::move(*folder));
  return std::nullopt;
}

std::filesystem::path FilterCache::entry_path(const std::string& input) const {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.bpf", static_cast<unsigned long long>(fnv1a(input)));
  return directory_ / name;
}

std::optional<std::vector<sock_filter>> FilterCache::find(const std::string& input) const {
  std::ifstream file(entry_path(input), std::ios::binary | std::ios::ate);
  if (!file) return std::nullopt;
  const std::streamoff size = file.tellg();
  if (size <= 0 || size > (std::streamoff{1} << 24)) return std::nullopt;
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (!file.seekg(0) || !file.read(bytes.data(), size)) return std::nullopt;
  return decode(bytes, input);
}

void FilterCache::store(const std::string& input, const std::vector<sock_filter>& program) const {
  std::error_code error;
  std::filesystem::create_directories(directory_, error);
  if (error) return;
  // Written aside and renamed, so a concurrent run reads the old file or the new, never half.
  const std::filesystem::path path = entry_path(input);
  std::filesystem::path temporary = path;
  temporary += ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    const std::string bytes = encode(input, program);
    if (!out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())) || !out.flush()) {
      std::filesystem::remove(temporary, error);
      return;
    }
  }
  std::filesystem::rename(temporary, path, error);
  if (error) std::filesystem::remove(temporary, error);
}

}  // namespace seccheck::analysis
