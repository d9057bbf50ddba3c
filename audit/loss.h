// Evidence that seccomp records are missing from an input, so a quiet log is never mistaken for
// a clean one. What counts:
// * the printk rate limit: the kernel prints audit records with printk_ratelimit() (10 per 5 s
//   by default, shared with every other printk_ratelimit() caller) and, at the first call after
//   a window that dropped some, prints "kauditd_printk_skb: N callbacks suppressed". N counts
//   as lost records (the line comes only with a later record: drops at the end of an input
//   show up as serial gaps, if at all);
// * the kernel's lost-record counter: "audit: audit_lost=N audit_rate_limit=R
//   audit_backlog_limit=B" lines; the counter's growth over the input counts (per boot), and
//   without such lines each "audit: backlog limit exceeded", "audit: rate limit exceeded" or
//   "audit: kauditd hold|retry queue overflow" line counts as one;
// * serial gaps: every audit record, of any type, takes the next serial number, so numbers
//   missing between the smallest and largest serial of one boot are records missing from this
//   input. That is evidence only when the input holds every audit record: seccheck counts gaps
//   when it reads /dev/kmsg itself or when the input holds records of at least two audit types
//   (an input filtered to SECCOMP records, like `ausearch -m SECCOMP` or `grep type=1326`,
//   has gaps by construction; its gaps are reported as not judged). auditd's own DAEMON_*
//   records carry auditd's numbers and are left out;
// * kernel messages lost before they were read: /dev/kmsg records overwritten in the ring
//   buffer (seccheck's own reader) and "** N printk messages dropped **" lines; they may or may
//   not have been audit records, so they count separately.
// The sources overlap (a rate-limited record is also a serial gap), so the lower bound on lost
// records is the largest of them, not their sum.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace seccheck::audit {

struct LossSummary {
  std::uint64_t rate_limited = 0;          // sum of N over "kauditd_printk_skb: N callbacks suppressed"
  std::uint64_t rate_limit_lines = 0;      // how many such lines
  std::uint64_t audit_lost = 0;            // growth of the kernel's audit_lost counter over the input
  std::uint64_t lost_lines = 0;            // backlog / rate limit / queue overflow lines
  bool serials_judged = false;             // the input counted as complete (see above)
  std::uint64_t serial_gaps = 0;           // serial numbers missing (counted only when judged)
  std::uint64_t unjudged_serial_gaps = 0;  // gaps of an input that may have been filtered
  std::uint64_t kernel_messages_lost = 0;  // kernel messages of any kind lost before reading

  // A lower bound on the audit records missing from the input.
  std::uint64_t records_lost_at_least() const;
  // Anything that counts: records or kernel messages lost.
  bool any() const;
  // One line each, for reports: "kernel rate limit: 541 records suppressed (2 lines)".
  std::vector<std::string> describe() const;
  // The same without the unjudged serial gaps: what records_lost_at_least() counts.
  std::vector<std::string> describe_counted() const;

 private:
  std::vector<std::string> describe_lines(bool with_unjudged) const;
};

// Collects the evidence as an input is read.
class LossTracker {
 public:
  // An input seccheck reads whole itself (/dev/kmsg): serial gaps always count.
  void set_complete_stream(bool complete) { complete_stream_ = complete; }
  void add_suppressed(std::uint64_t count);
  void add_lost_line();
  void add_audit_lost_value(std::uint64_t value);
  void add_kernel_messages_lost(std::uint64_t count);
  // An audit record of `type` ("1326" or "SECCOMP", as the input names it) with `serial`, from
  // `node` ("" for the local host).
  void add_stamp(const std::string& node, std::string_view type, std::uint64_t serial);
  // A reboot marker ("-- Boot ... --", a new _BOOT_ID): serials start again.
  void new_boot();
  LossSummary summary() const;

 private:
  // Serial numbers seen in one boot of one node, as disjoint [first, last] runs.
  struct Segment {
    std::map<std::uint64_t, std::uint64_t> runs;
    std::uint64_t highest = 0;
    std::uint64_t gaps() const;
  };
  void add_serial(Segment& segment, std::uint64_t serial);

  bool complete_stream_ = false;
  std::uint64_t suppressed_ = 0;
  std::uint64_t suppressed_lines_ = 0;
  std::uint64_t lost_lines_ = 0;
  std::uint64_t kernel_messages_lost_ = 0;
  // audit_lost values: closed boots' growth plus the current boot's first and last value.
  std::uint64_t audit_lost_closed_ = 0;
  bool audit_lost_seen_ = false;
  std::uint64_t audit_lost_first_ = 0;
  std::uint64_t audit_lost_last_ = 0;
  std::set<std::string, std::less<>> types_;
  std::map<std::string, Segment> current_;  // by node
  std::uint64_t closed_gaps_ = 0;           // gaps of finished boots
};

}  // namespace seccheck::audit
