#include "analysis/json_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace seccheck::analysis {
namespace {

// 1-based line and column of byte `offset` of `text`.
std::string position(std::string_view text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

std::string megabytes(std::size_t bytes) {
  return std::to_string(bytes >> 20) + " MiB";
}

}  // namespace

Result<nlohmann::json> parse_json_input(std::string_view text, const std::string& source) {
  // nlohmann's lexer takes a NUL byte for the end of the input, so `{...}\0garbage` would parse;
  // JSON has no place for a raw NUL (inside strings it must be escaped).
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos)
    return make_error(source + ":" + position(text, nul) +
                      ": malformed JSON: a NUL byte (JSON text has none)");
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    std::size_t offset = e.byte == 0 ? 0 : std::min<std::size_t>(e.byte - 1, text.size());
    std::string message = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: " prefix.
    if (auto colon = message.find(": "); colon != std::string::npos) message = message.substr(colon + 2);
    return make_error(source + ":" + position(text, offset) + ": malformed JSON: " + message);
  } catch (const nlohmann::json::exception& e) {
    // Valid syntax the parser still refuses, e.g. a number too large for a double (found by fuzzing).
    std::string message = e.what();
    if (auto bracket = message.find("] "); bracket != std::string::npos)
      message = message.substr(bracket + 2);
    return make_error(source + ": malformed JSON: " + message);
  }
}

Result<void> check_input_size(std::size_t size, const std::string& path, const InputKind& kind) {
  if (size <= kind.max_bytes) return {};
  return make_error(path + ": larger than " + megabytes(kind.max_bytes) + ", seccheck's limit for a " +
                    std::string(kind.what) + " (real ones are far smaller; see README, Limits)");
}

Result<std::string> read_input_file(const std::string& path, const InputKind& kind) {
  auto fail = [&](int error) {
    return make_error(path + ": cannot read the " + std::string(kind.what) + ": " + std::strerror(error));
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) return fail(EISDIR);
    if (S_ISREG(st.st_mode)) {
      if (Result<void> size = check_input_size(static_cast<std::size_t>(st.st_size), path, kind); !size)
        return size.error();
      // The file may still grow while it is read; the loop below keeps to the limit either way.
    }
  }
  // Pipes and devices have no size: read until the end or one byte past the limit.
  std::string text;
  char buffer[65536];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno);
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (Result<void> size = check_input_size(text.size(), path, kind); !size) return size.error();
  }
  return text;
}

}  // namespace seccheck::analysis
