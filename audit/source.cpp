#include "audit/source.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <thread>

#include "audit/kmsg.h"

namespace seccheck::audit {
namespace {

using LineHandler = std::function<void(std::string_view)>;

struct FileCloser {
  void operator()(std::FILE* file) const {
    if (file != nullptr && file != stdin) std::fclose(file);
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// Reads the lines `file` has now; a last line without its newline stays in `partial` (a
// followed log may be mid-write).
Result<void> read_lines(std::FILE* file, const std::string& name, std::string& partial,
                        const LineHandler& line) {
  char buffer[65536];
  for (;;) {
    const std::size_t n = std::fread(buffer, 1, sizeof buffer, file);
    std::size_t start = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (buffer[i] != '\n') continue;
      partial.append(buffer + start, i - start);
      line(partial);
      partial.clear();
      start = i + 1;
    }
    partial.append(buffer + start, n - start);
    if (n < sizeof buffer) break;
  }
  // A signal (the interrupt that ends --follow) may cut a read short: not an error.
  if (std::ferror(file) && errno != EINTR) return make_error(name + ": " + std::strerror(errno));
  std::clearerr(file);  // at the end: a followed file may grow
  return {};
}

Result<File> open_input(const std::string& path) {
  if (path == "-") return File(stdin);
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return make_error(path + ": " + std::strerror(errno));
  return File(file);
}

Result<void> read_kmsg(bool follow, AuditParser& parser, const LineHandler& line,
                       const std::function<bool()>& keep_going) {
  auto reader = KmsgReader::open(KmsgReader::Start::kBeginning, std::string(kKernelLog));
  if (!reader) return reader.error();
  std::uint64_t overwritten = 0;
  for (;;) {
    auto count = reader->read_available(line);
    if (!count) return count.error();
    parser.add_kernel_messages_lost(reader->overwritten() - overwritten);
    overwritten = reader->overwritten();
    if (!follow || !keep_going()) return {};
    reader->wait(250);
  }
}

// Follows a growing file as `tail -F` does: new lines as they come, from the start again when
// the file shrinks (truncated) or is replaced (rotated).
Result<void> follow_file(const std::string& path, File file, int poll_ms, const LineHandler& line,
                         const std::function<bool()>& keep_going) {
  std::string partial;
  struct stat opened {};
  const bool regular = file.get() != stdin && fstat(fileno(file.get()), &opened) == 0;
  for (;;) {
    if (auto read = read_lines(file.get(), path, partial, line); !read) return read;
    if (!keep_going()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
    if (!regular) continue;
    struct stat now {};
    const long offset = std::ftell(file.get());
    const bool replaced =
        stat(path.c_str(), &now) == 0 && (now.st_ino != opened.st_ino || now.st_dev != opened.st_dev);
    const bool truncated = !replaced && offset >= 0 && now.st_size < offset;
    if (!replaced && !truncated) continue;
    // Whatever the old file still had, then the new one from its start.
    if (auto read = read_lines(file.get(), path, partial, line); !read) return read;
    auto reopened = open_input(path);
    if (!reopened) continue;  // between rename and create: try again at the next poll
    file = std::move(*reopened);
    partial.clear();
    fstat(fileno(file.get()), &opened);
  }
  if (!partial.empty()) line(partial);
  return {};
}

}  // namespace

AuditParser::Options parser_options(const SourceOptions& options) {
  AuditParser::Options out;
  out.complete_stream =
      options.paths.empty() || (options.paths.size() == 1 && options.paths[0] == kKernelLog);
  out.since_ms = options.since_ms;
  return out;
}

Result<void> read_sources(const SourceOptions& options, AuditParser& parser,
                          const std::function<void(const SeccompRecord&)>& on_record,
                          const std::function<bool()>& keep_going) {
  const std::vector<std::string> paths =
      options.paths.empty() ? std::vector<std::string>{std::string(kKernelLog)} : options.paths;
  if (options.follow && paths.size() != 1)
    return make_error("--follow reads one input (a growing file, - or /dev/kmsg), not " +
                      std::to_string(paths.size()));
  const LineHandler line = [&](std::string_view text) {
    if (auto record = parser.add_line(text)) on_record(*record);
  };
  for (const std::string& path : paths) {
    if (path == kKernelLog) {
      if (auto read = read_kmsg(options.follow, parser, line, keep_going); !read) return read;
      continue;
    }
    auto file = open_input(path);
    if (!file) return file.error();
    if (options.follow) {
      if (auto read = follow_file(path, std::move(*file), options.poll_ms, line, keep_going); !read)
        return read;
      continue;
    }
    std::string partial;
    if (auto read = read_lines(file->get(), path, partial, line); !read) return read;
    if (!partial.empty()) line(partial);
  }
  parser.finish();
  return {};
}

Result<std::int64_t> parse_since(std::string_view text, std::int64_t now_ms) {
  const std::string given(text);
  auto number = [](std::string_view digits) -> std::optional<std::int64_t> {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size() || value < 0) return std::nullopt;
    return value;
  };
  if (text.starts_with("@")) {
    if (auto seconds = number(text.substr(1)); seconds && *seconds < (std::int64_t{1} << 40))
      return *seconds * 1000;
    return make_error("--since " + given + ": expected @SECONDS since the epoch");
  }
  if (!text.empty() && std::string_view("smhd").find(text.back()) != std::string_view::npos) {
    constexpr std::int64_t kUnit[] = {1000, std::int64_t{60} * 1000, std::int64_t{3600} * 1000,
                                      std::int64_t{24} * 3600 * 1000};
    const std::int64_t unit = kUnit[std::string_view("smhd").find(text.back())];
    if (auto count = number(text.substr(0, text.size() - 1)); count && *count < (std::int64_t{1} << 30))
      return now_ms - *count * unit;
  }
  // 2023-11-14[T ]22:13:20[Z], 2023-11-14
  std::tm tm{};
  const bool utc = text.ends_with("Z");
  if (utc) text.remove_suffix(1);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  const std::string body(text);
  int consumed = 0;
  const int fields = std::sscanf(body.c_str(), "%4d-%2d-%2d%n", &year, &month, &day, &consumed);
  bool ok = fields == 3;
  if (ok && static_cast<std::size_t>(consumed) < body.size()) {
    const char separator = body[static_cast<std::size_t>(consumed)];
    int clock_consumed = 0;
    ok = (separator == 'T' || separator == ' ') &&
         std::sscanf(body.c_str() + consumed + 1, "%2d:%2d:%2d%n", &hour, &minute, &second,
                     &clock_consumed) == 3 &&
         static_cast<std::size_t>(consumed) + 1 + static_cast<std::size_t>(clock_consumed) == body.size();
  }
  if (!ok || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return make_error("--since " + given +
                      ": expected 2023-11-14T22:13:20Z (UTC), 2023-11-14 22:13:20 (local time), @SECONDS, or "
                      "a span ago: 90s, 10m, 2h, 3d");
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  tm.tm_isdst = -1;
  const std::time_t when = utc ? timegm(&tm) : std::mktime(&tm);
  if (when == static_cast<std::time_t>(-1)) return make_error("--since " + given + ": not a time");
  return static_cast<std::int64_t>(when) * 1000;
}

}  // namespace seccheck::audit
