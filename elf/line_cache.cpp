#include "elf/line_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <system_error>

#include "core/fd.h"

namespace seccheck::elf {

namespace {

// Past this size a file takes no more records (a long-running workload naming new addresses
// for hours must not grow it without end); reading it stays cheap.
constexpr std::uintmax_t kMaxFileBytes = 1 << 20;

// Build-ids are hex: anything else never becomes a file name.
bool usable_build_id(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// One record per line: "<hex address> <line> <file>", line 0 meaning no line there.
bool parse_record(const std::string& text, std::uint64_t& address, std::optional<SourceLine>& line) {
  const std::size_t first = text.find(' ');
  const std::size_t second = first == std::string::npos ? first : text.find(' ', first + 1);
  if (second == std::string::npos || first == 0) return false;
  char* end = nullptr;
  address = std::strtoull(text.c_str(), &end, 16);
  if (end != text.c_str() + first) return false;
  const long number = std::strtol(text.c_str() + first + 1, &end, 10);
  if (end != text.c_str() + second || number < 0 || number > 100000000) return false;
  if (number == 0) {
    line = std::nullopt;
  } else {
    if (second + 1 >= text.size()) return false;
    line = SourceLine{text.substr(second + 1), static_cast<int>(number)};
  }
  return true;
}

}  // namespace

LineCache::Answers& LineCache::answers_for(const std::string& build_id) {
  auto [entry, inserted] = loaded_.try_emplace(build_id);
  if (!inserted) return entry->second;
  std::error_code error;
  const std::filesystem::path path = folder_ / build_id;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error || size > kMaxFileBytes) return entry->second;
  std::ifstream in(path);
  std::string text;
  while (std::getline(in, text)) {
    std::uint64_t address = 0;
    std::optional<SourceLine> line;
    if (parse_record(text, address, line)) entry->second[address] = std::move(line);
  }
  return entry->second;
}

std::optional<std::optional<SourceLine>> LineCache::find(const std::string& build_id, std::uint64_t address) {
  if (!usable_build_id(build_id)) return std::nullopt;
  const Answers& answers = answers_for(build_id);
  const auto found = answers.find(address);
  if (found == answers.end()) return std::nullopt;
  return found->second;
}

void LineCache::store(const std::string& build_id, std::uint64_t address,
                      const std::optional<SourceLine>& line) {
  if (!usable_build_id(build_id)) return;
  if (line && (line->line <= 0 || line->file.empty() || line->file.find('\n') != std::string::npos)) return;
  answers_for(build_id)[address] = line;
  std::error_code error;
  std::filesystem::create_directories(folder_, error);
  if (error) return;
  const std::string path = (folder_ / build_id).string();
  // O_APPEND and one write per record: concurrent runs interleave whole records, never halves.
  const Fd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) return;
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && static_cast<std::uintmax_t>(st.st_size) <= kMaxFileBytes) {
    char head[48];
    std::snprintf(head, sizeof head, "%llx %d ", static_cast<unsigned long long>(address),
                  line ? line->line : 0);
    const std::string record = std::string(head) + (line ? line->file : std::string()) + "\n";
    [[maybe_unused]] const ssize_t written = ::write(fd.get(), record.data(), record.size());
  }
}

}  // namespace seccheck::elf
