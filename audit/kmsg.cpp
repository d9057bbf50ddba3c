#include "audit/kmsg.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace seccheck::audit {
namespace {

// The kernel's limit for one record with its dictionary (CONSOLE_EXT_LOG_MAX is 8 KiB).
constexpr std::size_t kRecordBuffer = 16384;

std::optional<std::uint64_t> sequence_of(std::string_view record) {
  const std::size_t first = record.find(',');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = record.find(',', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(record.data() + first + 1, record.data() + second, value);
  if (ec != std::errc() || end != record.data() + second) return std::nullopt;
  return value;
}

}  // namespace

Result<KmsgReader> KmsgReader::open(Start start, const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return make_error(path + ": " + std::strerror(errno));
  KmsgReader reader(fd);
  if (start == Start::kNow && lseek(fd, 0, SEEK_END) < 0)
    return make_error(path + ": cannot seek to the end: " + std::strerror(errno));
  return reader;
}

KmsgReader::KmsgReader(KmsgReader&& other) noexcept
    : fd_(other.fd_), last_sequence_(other.last_sequence_), overwritten_(other.overwritten_) {
  other.fd_ = -1;
}

KmsgReader& KmsgReader::operator=(KmsgReader&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    last_sequence_ = other.last_sequence_;
    overwritten_ = other.overwritten_;
    other.fd_ = -1;
  }
  return *this;
}

KmsgReader::~KmsgReader() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::size_t> KmsgReader::read_available(const std::function<void(std::string_view)>& line) {
  std::string buffer(kRecordBuffer, '\0');
  std::size_t count = 0;
  for (;;) {
    const ssize_t n = ::read(fd_, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return count;
      // The record at our position was overwritten; the next read goes on with the oldest one
      // left. The sequence jump of that record counts what was lost.
      if (errno == EPIPE) continue;
      return make_error(std::string("/dev/kmsg: ") + std::strerror(errno));
    }
    if (n == 0) return count;
    std::string_view record(buffer.data(), static_cast<std::size_t>(n));
    const std::size_t newline = record.find('\n');
    if (newline != std::string_view::npos) record = record.substr(0, newline);
    if (auto sequence = sequence_of(record)) {
      if (last_sequence_ && *sequence > *last_sequence_ + 1) overwritten_ += *sequence - *last_sequence_ - 1;
      last_sequence_ = sequence;
    }
    line(record);
    ++count;
  }
}

bool KmsgReader::wait(int timeout_ms) const {
  pollfd entry{fd_, POLLIN, 0};
  for (;;) {
    const int rc = ::poll(&entry, 1, timeout_ms);
    if (rc < 0 && errno == EINTR) continue;
    return rc > 0;
  }
}

Result<void> kmsg_readable(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return make_error(path + ": " + std::strerror(errno) +
                      (errno == EPERM || errno == EACCES
                           ? " (needs root or CAP_SYSLOG when kernel.dmesg_restrict=1)"
                           : ""));
  ::close(fd);
  return {};
}

}  // namespace seccheck::audit
