// Reads the kernel log from /dev/kmsg, one record per read(2) as the kernel hands them out
// ("PRIO,SEQ,USEC,FLAGS;MESSAGE"), from the start of the ring buffer or from the moment it was
// opened. Records the kernel overwrote before they were read (read(2) fails with EPIPE, and
// the sequence number jumps) are counted, so a reader that falls behind says so.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace seccheck::audit {

class KmsgReader {
 public:
  enum class Start { kBeginning, kNow };

  static Result<KmsgReader> open(Start start, const std::string& path = "/dev/kmsg");
  KmsgReader(KmsgReader&& other) noexcept;
  KmsgReader& operator=(KmsgReader&& other) noexcept;
  KmsgReader(const KmsgReader&) = delete;
  KmsgReader& operator=(const KmsgReader&) = delete;
  ~KmsgReader();

  // Hands every record available now to `line` ("6,1234,5678,-;message", without the
  // dictionary lines that follow it) and returns how many there were; never blocks.
  Result<std::size_t> read_available(const std::function<void(std::string_view)>& line);
  // Waits until a record can be read or `timeout_ms` passed; false on timeout.
  bool wait(int timeout_ms) const;
  // Records lost between reads: overwritten in the ring buffer before seccheck read them.
  std::uint64_t overwritten() const { return overwritten_; }

 private:
  explicit KmsgReader(int fd) : fd_(fd) {}

  int fd_ = -1;
  std::optional<std::uint64_t> last_sequence_;
  std::uint64_t overwritten_ = 0;
};

// True when this process may read /dev/kmsg (root or CAP_SYSLOG, and kernel.dmesg_restrict);
// otherwise the reason, for skips and errors.
Result<void> kmsg_readable(const std::string& path = "/dev/kmsg");

}  // namespace seccheck::audit
