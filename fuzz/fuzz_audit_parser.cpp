// libFuzzer target: the audit record parser (auditd logs, ausearch -i, the kernel log in its
// printk, /dev/kmsg, syslog and journal JSON forms) and the cgroup path reader. Besides "no
// crash": the counts agree with the records returned, every record's ABI and number follow the
// x32 rule of core/arch.h, a named record's name is its number's on its ABI, and the loss bound
// is at least each kind of evidence it is built from.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "audit/container.h"
#include "audit/findings.h"
#include "audit/parser.h"
#include "core/syscall_table.h"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_audit_parser: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace seccheck;
  using namespace seccheck::audit;
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (bool complete : {false, true}) {
    AuditParser::Options options;
    options.complete_stream = complete;
    ParsedLog log = parse_log(text, options);
    if (log.stats.records != log.records.size())
      fail("stats.records differs from the records returned", text);
    if (log.stats.malformed_examples.size() > 5) fail("more than 5 malformed examples kept", text);
    FindingAggregator findings;
    for (const SeccompRecord& record : log.records) {
      if (record.line == 0 || record.line > log.stats.lines) fail("record line out of range", text);
      if (record.arch == Arch::kX32 && (!record.raw_nr || (*record.raw_nr & kX32SyscallBit) == 0))
        fail("an x32 record without the x32 bit in its logged number", record_call_text(record));
      if (record.nr < -1 || record.nr >= static_cast<int>(kX32SyscallBit))
        fail("number out of range", record_call_text(record));
      if (record.raw_nr && record.arch && record.nr >= 0) {
        auto name = syscall_name(*record.arch, record.nr);
        if (record.syscall != (name ? std::string(*name) : std::string()))
          fail("the name is not the number's", record_call_text(record));
      }
      (void)record_action_text(record);
      (void)format_time_ms(record.time_ms);
      findings.add(record);
    }
    std::uint64_t counted = 0;
    for (const AuditFinding& finding : findings.findings())
      counted += finding.count;
    if (counted != log.records.size()) fail("findings do not count every record", text);
    const LossSummary& loss = log.loss;
    const std::uint64_t bound = loss.records_lost_at_least();
    if (bound < loss.serial_gaps || bound < loss.rate_limited || bound < loss.audit_lost ||
        bound < loss.lost_lines)
      fail("the loss bound is below one of its sources", text);
    if (complete && loss.unjudged_serial_gaps != 0) fail("a complete stream left gaps unjudged", text);
    (void)loss.describe();
  }
  if (auto container = container_from_cgroup(text)) {
    if (container->id.size() != 64) fail("a container id that is not 64 hex digits", container->id);
    (void)container->text();
  }
  return 0;
}
