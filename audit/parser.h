// Reads seccomp records from every form a node keeps them in, one line at a time (so `--follow`
// can feed it as the log grows), with the evidence of lost records beside them:
// * auditd's raw log (type=SECCOMP msg=audit(SECONDS.MILLIS:SERIAL): auid=... code=0x7ffc0000),
//   with or without node= prefixes and auditd's enriched tail (after a 0x1d byte);
// * ausearch -i output: interpreted fields (arch=x86_64 syscall=unshare code=log, uid=root,
//   auid=unset), the time in the local time zone ("11/14/2023 22:13:20.123", day-first with
//   dots, or year first);
// * the kernel's printk form ("audit: type=1326 audit(...): ...") as dmesg prints it (with or
//   without [uptime] or -T prefixes), as /dev/kmsg gives it ("6,1234,5678,-;audit: ..."), and
//   inside syslog / kern.log / journalctl -k lines with their own prefixes;
// * journalctl -o json / json-pretty objects whose MESSAGE is a string or a byte array (kernel
//   transport), and journald's own audit transport (_TRANSPORT=audit, MESSAGE "SECCOMP ...",
//   _AUDIT_ID the serial), which journald reads from the audit multicast socket without the
//   printk rate limit.
// A line that holds a seccomp record seccheck cannot read is counted in ParseStats::malformed,
// never dropped silently. Loss evidence (audit/loss.h) is gathered from the same lines.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "audit/loss.h"
#include "audit/record.h"

namespace seccheck::audit {

struct ParseStats {
  std::uint64_t lines = 0;
  std::uint64_t records = 0;                    // seccomp records read
  std::uint64_t other_audit_records = 0;        // audit records of other types (their serials count)
  std::uint64_t malformed = 0;                  // seccomp records that could not be read
  std::vector<std::string> malformed_examples;  // "line 12: no syscall= field", the first few
  std::set<InputForm> forms;                    // forms the records came in
};

class AuditParser {
 public:
  struct Options {
    // The input is every kernel message, read by seccheck itself (/dev/kmsg): serial gaps are
    // counted even when it holds only seccomp records.
    bool complete_stream = false;
    // Records stamped before this time (ms since the epoch) are skipped; loss evidence counts
    // from the first audit stamp at or after it.
    std::optional<std::int64_t> since_ms;
  };
  AuditParser();
  explicit AuditParser(Options options);

  // One line of input, without its newline. Returns the seccomp record the line held, if any.
  // Lines of a multi-line JSON object (json-pretty) are gathered until the object closes.
  std::optional<SeccompRecord> add_line(std::string_view line);
  // The end of the input: a JSON object still open is malformed.
  void finish();
  // Kernel messages lost before they could be read (the kmsg reader's overruns).
  void add_kernel_messages_lost(std::uint64_t count) { loss_.add_kernel_messages_lost(count); }

  LossSummary loss() const { return loss_.summary(); }
  const ParseStats& stats() const { return stats_; }

 private:
  std::optional<SeccompRecord> parse_text(std::string_view text, InputForm form);
  std::optional<SeccompRecord> parse_json(const std::string& object);
  bool note_loss_line(std::string_view text);
  void malformed(const std::string& why);

  Options options_;
  LossTracker loss_;
  ParseStats stats_;
  std::string json_;  // a JSON object being gathered
  int json_depth_ = 0;
  bool json_in_string_ = false;
  bool json_escape_ = false;
  std::size_t json_first_line_ = 0;
  std::string boot_id_;   // journal JSON _BOOT_ID
  bool started_ = false;  // a stamp at or after since_ms was seen (always, without since_ms)
};

struct ParsedLog {
  std::vector<SeccompRecord> records;
  LossSummary loss;
  ParseStats stats;
};
// A whole text, line by line.
ParsedLog parse_log(std::string_view text, AuditParser::Options options = {});

}  // namespace seccheck::audit
