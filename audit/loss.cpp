#include "audit/loss.h"

#include <algorithm>
#include <iterator>

namespace seccheck::audit {
namespace {

// Records can reach the log slightly out of serial order (a serial is taken when a record is
// started, kauditd sends records as they are finished, on any CPU); a serial this far below the
// highest one seen is a new boot.
constexpr std::uint64_t kReorderWindow = 256;

std::string plural(std::uint64_t count, const char* one, const char* many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

}  // namespace

std::uint64_t LossSummary::records_lost_at_least() const {
  const std::uint64_t counted = rate_limited + std::max(audit_lost, lost_lines);
  return std::max(counted, serial_gaps);
}

bool LossSummary::any() const {
  return records_lost_at_least() > 0 || kernel_messages_lost > 0;
}

std::vector<std::string> LossSummary::describe() const {
  return describe_lines(true);
}

std::vector<std::string> LossSummary::describe_counted() const {
  return describe_lines(false);
}

std::vector<std::string> LossSummary::describe_lines(bool with_unjudged) const {
  std::vector<std::string> out;
  if (rate_limited > 0 || rate_limit_lines > 0)
    out.push_back("kernel log rate limit: " + plural(rate_limited, "record", "records") + " suppressed (" +
                  plural(rate_limit_lines, "kauditd_printk_skb line", "kauditd_printk_skb lines") + ")");
  if (audit_lost > 0) out.push_back("kernel audit_lost counter grew by " + std::to_string(audit_lost));
  if (lost_lines > 0)
    out.push_back(plural(lost_lines, "audit backlog/rate-limit line", "audit backlog/rate-limit lines"));
  if (serial_gaps > 0)
    out.push_back(plural(serial_gaps, "audit serial number", "audit serial numbers") + " missing");
  if (with_unjudged && unjudged_serial_gaps > 0)
    out.push_back(
        plural(unjudged_serial_gaps, "audit serial number", "audit serial numbers") +
        " missing, not counted: the input holds only SECCOMP records, so it may have been filtered");
  if (kernel_messages_lost > 0)
    out.push_back(
        plural(kernel_messages_lost, "kernel message", "kernel messages") +
        " lost before they were read (overwritten in the kernel's ring buffer or dropped by printk)");
  return out;
}

std::uint64_t LossTracker::Segment::gaps() const {
  if (runs.empty()) return 0;
  std::uint64_t covered = 0;
  for (const auto& [first, last] : runs)
    covered += last - first + 1;
  const std::uint64_t span = runs.rbegin()->second - runs.begin()->first + 1;
  return span - covered;
}

void LossTracker::add_serial(Segment& segment, std::uint64_t serial) {
  segment.highest = std::max(segment.highest, serial);
  auto& runs = segment.runs;
  // The run starting after `serial`, and the one at or before it.
  auto next = runs.upper_bound(serial);
  if (next != runs.begin()) {
    auto previous = std::prev(next);
    if (serial <= previous->second) return;  // already seen (records of one event share it)
    if (previous->second + 1 == serial) {
      previous->second = serial;
      if (next != runs.end() && next->first == serial + 1) {
        previous->second = next->second;
        runs.erase(next);
      }
      return;
    }
  }
  if (next != runs.end() && next->first == serial + 1) {
    const std::uint64_t last = next->second;
    runs.erase(next);
    runs.emplace(serial, last);
    return;
  }
  runs.emplace(serial, serial);
}

void LossTracker::add_suppressed(std::uint64_t count) {
  suppressed_ += count;
  ++suppressed_lines_;
}

void LossTracker::add_lost_line() {
  ++lost_lines_;
}

void LossTracker::add_audit_lost_value(std::uint64_t value) {
  if (audit_lost_seen_ && value < audit_lost_last_) {
    // The counter started again: a reboot.
    audit_lost_closed_ += audit_lost_last_ - audit_lost_first_ + 1;
    audit_lost_seen_ = false;
  }
  if (!audit_lost_seen_) {
    audit_lost_seen_ = true;
    audit_lost_first_ = value;
  }
  audit_lost_last_ = value;
}

void LossTracker::add_kernel_messages_lost(std::uint64_t count) {
  kernel_messages_lost_ += count;
}

void LossTracker::add_stamp(const std::string& node, std::string_view type, std::uint64_t serial) {
  // DAEMON_* records (1200..1299) are numbered by auditd, not by the kernel.
  if (type.starts_with("DAEMON_") || (type.size() == 4 && type.starts_with("12"))) return;
  if (types_.find(type) == types_.end()) types_.emplace(type);
  Segment& segment = current_[node];
  if (!segment.runs.empty() && serial + kReorderWindow < segment.highest) {
    closed_gaps_ += segment.gaps();
    segment = Segment{};
  }
  add_serial(segment, serial);
}

void LossTracker::new_boot() {
  for (auto& [node, segment] : current_)
    closed_gaps_ += segment.gaps();
  current_.clear();
  if (audit_lost_seen_) {
    audit_lost_closed_ += audit_lost_last_ - audit_lost_first_ + 1;
    audit_lost_seen_ = false;
  }
}

LossSummary LossTracker::summary() const {
  LossSummary out;
  out.rate_limited = suppressed_;
  out.rate_limit_lines = suppressed_lines_;
  out.lost_lines = lost_lines_;
  out.audit_lost = audit_lost_closed_ + (audit_lost_seen_ ? audit_lost_last_ - audit_lost_first_ + 1 : 0);
  out.kernel_messages_lost = kernel_messages_lost_;
  std::uint64_t gaps = closed_gaps_;
  for (const auto& [node, segment] : current_)
    gaps += segment.gaps();
  out.serials_judged = complete_stream_ || types_.size() >= 2;
  (out.serials_judged ? out.serial_gaps : out.unjudged_serial_gaps) = gaps;
  return out;
}

}  // namespace seccheck::audit
