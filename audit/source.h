// Where seccomp records are read from: log files, standard input ("-") and the kernel log
// (/dev/kmsg, the default), once or, with `follow`, as they grow until told to stop. Every line
// goes through one AuditParser, so serial numbers and loss evidence are judged across all
// inputs; /dev/kmsg read alone counts as a complete stream (audit/loss.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/parser.h"
#include "core/result.h"

namespace seccheck::audit {

inline constexpr std::string_view kKernelLog = "/dev/kmsg";

struct SourceOptions {
  std::vector<std::string> paths;  // files, "-" for standard input; empty: /dev/kmsg
  bool follow = false;             // keep reading as the one input grows
  // Records before this time are skipped, and loss evidence before the first record or stamp
  // at or after it is not counted (ms since the epoch; nullopt: everything).
  std::optional<std::int64_t> since_ms;
  int poll_ms = 250;  // how often a followed file is checked for growth
};

// Reads every input in order, calling `on_record` for each seccomp record; with `follow`, goes on
// reading the one input until `keep_going` returns false (checked at least every poll_ms). A
// followed file that is truncated or replaced (log rotation) is read again from its start.
// Errors: an input that cannot be opened or read, follow with several inputs.
Result<void> read_sources(const SourceOptions& options, AuditParser& parser,
                          const std::function<void(const SeccompRecord&)>& on_record,
                          const std::function<bool()>& keep_going);

// Parser options for these inputs: /dev/kmsg read alone is a complete stream.
AuditParser::Options parser_options(const SourceOptions& options);

// --since: "2023-11-14T22:13:20Z" (UTC), "2023-11-14 22:13:20" or "2023-11-14" (local time, as
// journalctl reads it), "@1700000000" (seconds since the epoch), or a span before `now_ms`:
// "90s", "10m", "2h", "3d".
Result<std::int64_t> parse_since(std::string_view text, std::int64_t now_ms);

}  // namespace seccheck::audit
