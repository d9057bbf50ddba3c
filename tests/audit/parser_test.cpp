// The audit parser on hand-written fixtures of every input form (tests/audit/fixtures, written
// from the kernel's audit_log_task()/__audit_seccomp() format, auditd's raw and enriched logs,
// ausearch -i's interpretations, /dev/kmsg's record prefix, syslog prefixes and journalctl's
// JSON), asserting each typed field and the loss evidence.
#include <gtest/gtest.h>
#include <linux/audit.h>

#include <cstdlib>
#include <ctime>

#include "audit/parser.h"
#include "tests/support/run_process.h"

namespace seccheck::audit {
namespace {

using analysis::ActionKind;
using testing::read_file;

ParsedLog parse_fixture(const std::string& name) {
  return parse_log(read_file(std::string(SECCHECK_AUDIT_FIXTURES) + "/" + name));
}

// ausearch -i prints local time: the tests pin the time zone.
class UtcZone : public ::testing::Environment {
 public:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }
};
const auto* const kUtc = ::testing::AddGlobalTestEnvironment(new UtcZone);

TEST(AuditParser, AuditdRawLog) {
  ParsedLog log = parse_fixture("auditd_raw.log");
  ASSERT_EQ(log.records.size(), 4u);

  const SeccompRecord& unshare = log.records[0];
  EXPECT_EQ(unshare.form, InputForm::kAuditd);
  EXPECT_EQ(unshare.time_ms, 1700000002123);
  EXPECT_EQ(unshare.serial, 101u);
  EXPECT_EQ(unshare.audit_arch, AUDIT_ARCH_X86_64);
  EXPECT_EQ(unshare.arch, Arch::kX86_64);
  EXPECT_EQ(unshare.raw_nr, 272);
  EXPECT_EQ(unshare.nr, 272);
  EXPECT_EQ(unshare.syscall, "unshare");
  EXPECT_EQ(unshare.code, 0x7ffc0000u);
  EXPECT_EQ(unshare.action.kind, ActionKind::kLog);
  EXPECT_EQ(record_action_text(unshare), "LOG");
  EXPECT_EQ(unshare.pid, 2001u);
  EXPECT_EQ(unshare.uid, 1000u);
  EXPECT_EQ(unshare.gid, 1000u);
  EXPECT_EQ(unshare.auid, 1000u);
  EXPECT_EQ(unshare.ses, 3u);
  EXPECT_EQ(unshare.comm, "unshare");
  EXPECT_EQ(unshare.exe, "/usr/bin/unshare");  // the enriched tail after 0x1d is not part of it
  EXPECT_EQ(unshare.sig, 0);
  EXPECT_FALSE(unshare.compat);
  EXPECT_EQ(unshare.ip, 0x7f2a3b4c5d6eu);
  EXPECT_EQ(unshare.line, 5u);

  // Hex-encoded comm and exe (each holds a space), unset auid and session, an x32 number.
  const SeccompRecord& x32 = log.records[1];
  EXPECT_EQ(x32.comm, "my prog");
  EXPECT_EQ(x32.exe, "/opt/my apps/my prog");
  EXPECT_EQ(x32.auid, std::nullopt);
  EXPECT_EQ(x32.ses, std::nullopt);
  EXPECT_EQ(x32.uid, 0u);
  EXPECT_EQ(x32.raw_nr, 0x40000000 + 250);
  EXPECT_EQ(x32.arch, Arch::kX32);
  EXPECT_EQ(x32.nr, 250);
  EXPECT_EQ(x32.syscall, "keyctl");
  EXPECT_EQ(record_call_text(x32), "x32/keyctl");

  const SeccompRecord& i386 = log.records[2];
  EXPECT_EQ(i386.audit_arch, AUDIT_ARCH_I386);
  EXPECT_EQ(i386.arch, Arch::kI386);
  EXPECT_EQ(i386.syscall, "ptrace");
  EXPECT_EQ(i386.action.kind, ActionKind::kKillProcess);
  EXPECT_EQ(i386.sig, 31);
  EXPECT_TRUE(i386.compat);

  // The kernel logs ERRNO without its errno; node= names the host.
  const SeccompRecord& mount = log.records[3];
  EXPECT_EQ(mount.node, "worker-1");
  EXPECT_EQ(mount.action.kind, ActionKind::kErrno);
  EXPECT_EQ(mount.action.value, std::nullopt);
  EXPECT_EQ(record_action_text(mount), "ERRNO");
  EXPECT_EQ(mount.syscall, "mount");

  EXPECT_EQ(log.stats.malformed, 1u);
  ASSERT_EQ(log.stats.malformed_examples.size(), 1u);
  EXPECT_EQ(log.stats.malformed_examples[0], "line 9: no syscall= field");
  EXPECT_EQ(log.stats.other_audit_records, 4u);  // DAEMON_START, SYSCALL, EXECVE, PROCTITLE
  // Serials 100..105 of the local host with 103 missing; DAEMON_START is auditd's own number;
  // the input holds several record types, so the gap counts.
  EXPECT_TRUE(log.loss.serials_judged);
  EXPECT_EQ(log.loss.serial_gaps, 1u);
  EXPECT_EQ(log.loss.records_lost_at_least(), 1u);
  EXPECT_TRUE(log.loss.any());
}

TEST(AuditParser, AusearchInterpreted) {
  ParsedLog log = parse_fixture("ausearch_i.log");
  ASSERT_EQ(log.records.size(), 5u);
  EXPECT_EQ(log.stats.malformed, 0u);

  const SeccompRecord& unshare = log.records[0];
  EXPECT_EQ(unshare.form, InputForm::kAusearch);
  EXPECT_EQ(unshare.time_ms, 1700000000123);  // 11/14/2023 22:13:20.123 UTC
  EXPECT_EQ(unshare.serial, 456u);
  EXPECT_EQ(unshare.audit_arch, AUDIT_ARCH_X86_64);
  EXPECT_EQ(unshare.arch, Arch::kX86_64);
  EXPECT_EQ(unshare.raw_nr, std::nullopt);  // given by name
  EXPECT_EQ(unshare.syscall, "unshare");
  EXPECT_EQ(unshare.nr, 272);
  EXPECT_EQ(unshare.code, std::nullopt);
  EXPECT_EQ(unshare.action.kind, ActionKind::kKillProcess);
  EXPECT_EQ(unshare.auid, std::nullopt);
  EXPECT_EQ(unshare.uid, std::nullopt);
  EXPECT_EQ(unshare.uid_name, "root");
  EXPECT_EQ(unshare.comm, "my prog");  // ausearch -i prints decoded values, spaces and all
  EXPECT_EQ(unshare.exe, "/opt/my apps/my prog");
  EXPECT_EQ(unshare.sig, 31);  // SIGSYS

  const SeccompRecord& arm64 = log.records[1];
  EXPECT_EQ(arm64.audit_arch, AUDIT_ARCH_AARCH64);
  EXPECT_EQ(arm64.syscall, "unshare");
  EXPECT_EQ(arm64.auid_name, "alice");
  EXPECT_EQ(arm64.ses, 3u);
  EXPECT_EQ(arm64.action.kind, ActionKind::kErrno);

  const SeccompRecord& arm = log.records[2];
  EXPECT_EQ(arm.audit_arch, AUDIT_ARCH_ARM);  // ausearch calls it "armeb"
  EXPECT_EQ(arm.raw_nr, 983045);
  EXPECT_EQ(arm.action.kind, ActionKind::kLog);

  const SeccompRecord& x32 = log.records[3];  // ausearch cannot name x32 calls
  EXPECT_EQ(x32.arch, Arch::kX32);
  EXPECT_EQ(x32.syscall, "keyctl");
  EXPECT_EQ(x32.action.kind, ActionKind::kTrap);

  const SeccompRecord& unknown = log.records[4];
  EXPECT_EQ(unknown.comm, "runc:[2:INIT]");
  EXPECT_EQ(unknown.exe, "/");
  EXPECT_EQ(unknown.syscall, "clone3");
  EXPECT_EQ(unknown.code, 0x12340000u);
  EXPECT_FALSE(unknown.action_known);
  EXPECT_EQ(record_action_text(unknown), "code 0x12340000");

  // Only SECCOMP records: the input was filtered, so its serial gaps are not evidence.
  EXPECT_FALSE(log.loss.serials_judged);
  EXPECT_EQ(log.loss.serial_gaps, 0u);
  EXPECT_FALSE(log.loss.any());
}

TEST(AuditParser, DmesgPrintkForm) {
  ParsedLog log = parse_fixture("dmesg.log");
  ASSERT_EQ(log.records.size(), 3u);
  EXPECT_EQ(log.records[0].form, InputForm::kDmesg);
  EXPECT_EQ(log.records[0].comm, "runc:[2:INIT]");
  EXPECT_EQ(log.records[0].exe, "/");
  EXPECT_EQ(log.records[0].syscall, "unshare");

  const SeccompRecord& arm64 = log.records[1];
  EXPECT_EQ(arm64.audit_arch, AUDIT_ARCH_AARCH64);
  EXPECT_EQ(arm64.raw_nr, 97);
  EXPECT_EQ(arm64.nr, 97);
  EXPECT_EQ(arm64.action.kind, ActionKind::kKillProcess);

  const SeccompRecord& arm = log.records[2];  // dmesg -T prefix
  EXPECT_EQ(arm.form, InputForm::kDmesg);
  EXPECT_EQ(arm.audit_arch, AUDIT_ARCH_ARM);
  EXPECT_EQ(arm.raw_nr, 337);
  EXPECT_EQ(arm.comm, "tab\there");  // a tab makes audit hex-encode the value
  EXPECT_EQ(arm.action.kind, ActionKind::kKillThread);

  // Serials 1 (type 2000), 5, 18, 19: 2..4 and 6..17 missing; the rate limit line says 12.
  EXPECT_TRUE(log.loss.serials_judged);
  EXPECT_EQ(log.loss.serial_gaps, 15u);
  EXPECT_EQ(log.loss.rate_limited, 12u);
  EXPECT_EQ(log.loss.rate_limit_lines, 1u);
  EXPECT_EQ(log.loss.lost_lines, 1u);
  EXPECT_EQ(log.loss.audit_lost, 1u);
  EXPECT_EQ(log.loss.records_lost_at_least(), 15u);
  EXPECT_EQ(log.stats.other_audit_records, 1u);
}

TEST(AuditParser, KmsgRecords) {
  ParsedLog log = parse_fixture("kmsg.log");
  ASSERT_EQ(log.records.size(), 2u);
  EXPECT_EQ(log.records[0].form, InputForm::kKmsg);
  EXPECT_EQ(log.records[0].arch, Arch::kX32);
  EXPECT_EQ(log.records[0].syscall, "uname");  // 0x40000000 | 63
  EXPECT_EQ(log.records[1].syscall, "keyctl");
  EXPECT_EQ(log.loss.rate_limited, 3u);
  // Serials 7 and 11 of seccomp records only: the gap is reported but not judged.
  EXPECT_FALSE(log.loss.serials_judged);
  EXPECT_EQ(log.loss.unjudged_serial_gaps, 3u);
  EXPECT_EQ(log.loss.records_lost_at_least(), 3u);
}

TEST(AuditParser, KmsgRecordsReadLiveCountGaps) {
  AuditParser::Options options;
  options.complete_stream = true;
  AuditParser parser(options);
  for (std::string_view line :
       {"5,1,1,-;audit: type=1326 audit(1700000000.000:7): arch=c000003e syscall=0 code=0x7ffc0000",
        "5,2,2,-;audit: type=1326 audit(1700000000.000:9): arch=c000003e syscall=0 code=0x7ffc0000"})
    EXPECT_TRUE(parser.add_line(line));
  parser.add_kernel_messages_lost(2);
  EXPECT_TRUE(parser.loss().serials_judged);
  EXPECT_EQ(parser.loss().serial_gaps, 1u);
  EXPECT_EQ(parser.loss().kernel_messages_lost, 2u);
}

TEST(AuditParser, SyslogAndJournalctlPlain) {
  ParsedLog log = parse_fixture("syslog.log");
  ASSERT_EQ(log.records.size(), 4u);
  EXPECT_EQ(log.records[0].form, InputForm::kSyslog);
  EXPECT_EQ(log.records[0].syscall, "acct");
  EXPECT_EQ(log.records[1].form, InputForm::kSyslog);
  EXPECT_EQ(log.records[1].time_ms, 1700000001123);
  EXPECT_EQ(log.records[2].form, InputForm::kSyslog);  // audisp-syslog's auditd form
  EXPECT_EQ(log.records[2].syscall, "bpf");
  EXPECT_EQ(log.records[3].serial, 3u);
  EXPECT_EQ(log.loss.rate_limited, 7u);
  EXPECT_EQ(log.loss.kernel_messages_lost, 5u);
  // Boot one: serials 5, 6, 15 (SECCOMP and 1326 are one type); boot two starts again at 3.
  EXPECT_FALSE(log.loss.serials_judged);
  EXPECT_EQ(log.loss.unjudged_serial_gaps, 8u);
}

TEST(AuditParser, JournalJson) {
  ParsedLog log = parse_fixture("journal.json");
  ASSERT_EQ(log.records.size(), 4u);
  for (const SeccompRecord& record : log.records)
    EXPECT_EQ(record.form, InputForm::kJournalJson);
  EXPECT_EQ(log.records[0].syscall, "unshare");
  EXPECT_EQ(log.records[0].time_ms, 1700000000207);
  // MESSAGE as a byte array, with a hex-encoded comm inside.
  EXPECT_EQ(log.records[1].syscall, "keyctl");
  EXPECT_EQ(log.records[1].comm, "my prog");
  // A json-pretty object over several lines.
  EXPECT_EQ(log.records[2].syscall, "mount");
  EXPECT_EQ(log.records[2].action.kind, ActionKind::kErrno);
  // journald's audit transport: the serial and time are fields.
  EXPECT_EQ(log.records[3].syscall, "bpf");
  EXPECT_EQ(log.records[3].serial, 8u);
  EXPECT_EQ(log.records[3].time_ms, 1700000003500);
  // A MESSAGE journalctl left out is not silently skipped.
  EXPECT_EQ(log.stats.malformed, 1u);
  EXPECT_EQ(log.loss.unjudged_serial_gaps + log.loss.serial_gaps, 0u);
}

TEST(AuditParser, ActionCodes) {
  struct Case {
    std::uint32_t code;
    ActionKind kind;
    std::optional<std::uint32_t> value;
  };
  const Case cases[] = {
      {0x80000000, ActionKind::kKillProcess, std::nullopt},
      {0x00000000, ActionKind::kKillThread, std::nullopt},
      {0x00030000, ActionKind::kTrap, std::nullopt},
      {0x00050000, ActionKind::kErrno, std::nullopt},
      {0x00050001, ActionKind::kErrno, 1u},
      {0x7fc00000, ActionKind::kNotify, std::nullopt},
      {0x7ff00000, ActionKind::kTrace, std::nullopt},
      {0x7ff00007, ActionKind::kTrace, 7u},
      {0x7ffc0000, ActionKind::kLog, std::nullopt},
      {0x7fff0000, ActionKind::kAllow, std::nullopt},
  };
  for (const Case& c : cases) {
    auto action = action_from_code(c.code);
    ASSERT_TRUE(action) << std::hex << c.code;
    EXPECT_EQ(action->kind, c.kind) << std::hex << c.code;
    EXPECT_EQ(action->value, c.value) << std::hex << c.code;
  }
  EXPECT_EQ(action_from_code(0x12340000), std::nullopt);
  for (std::string_view name :
       {"kill-process", "kill-thread", "kill", "trap", "errno", "user-notify", "trace", "log", "allow"})
    EXPECT_TRUE(action_from_name(name)) << name;
}

TEST(AuditParser, ArchNames) {
  EXPECT_EQ(audit_arch_from_name("x86_64"), AUDIT_ARCH_X86_64);
  EXPECT_EQ(audit_arch_from_name("i686"), AUDIT_ARCH_I386);
  EXPECT_EQ(audit_arch_from_name("aarch64"), AUDIT_ARCH_AARCH64);
  EXPECT_EQ(audit_arch_from_name("armeb"), AUDIT_ARCH_ARM);
  EXPECT_EQ(audit_arch_from_name("armv7l"), AUDIT_ARCH_ARM);
  EXPECT_EQ(audit_arch_from_name("sparc"), std::nullopt);
  EXPECT_EQ(audit_arch_text(AUDIT_ARCH_ARM), "arm");
  EXPECT_EQ(audit_arch_text(AUDIT_ARCH_AARCH64), "aarch64");
  EXPECT_EQ(audit_arch_text(0x1234), "arch 0x1234");
}

TEST(AuditParser, TimeFormats) {
  EXPECT_EQ(format_time_ms(1700000000123), "2023-11-14T22:13:20.123Z");
  // Day-first and year-first dates from other locales.
  ParsedLog log =
      parse_log("type=SECCOMP msg=audit(14.11.2023 22:13:20.123:1) : arch=x86_64 syscall=unshare code=log\n"
                "type=SECCOMP msg=audit(2023-11-14 22:13:20.500:2) : arch=x86_64 syscall=unshare code=log\n"
                "type=SECCOMP msg=audit(11/14/23 22:13:21.000:3) : arch=x86_64 syscall=unshare code=log\n");
  ASSERT_EQ(log.records.size(), 3u);
  EXPECT_EQ(log.records[0].time_ms, 1700000000123);
  EXPECT_EQ(log.records[1].time_ms, 1700000000500);
  EXPECT_EQ(log.records[2].time_ms, 1700000001000);
}

TEST(AuditParser, LinesThatAreNotRecords) {
  ParsedLog log = parse_log("some program printed type=1326 into its own log\n"
                            "audit: type=1326 audit(garbage): pid=1\n"
                            "subtype=SECCOMP msg=audit(1700000000.000:1): arch=c000003e syscall=0 code=0\n"
                            "foo: 3 callbacks suppressed\n"
                            "\n");
  EXPECT_TRUE(log.records.empty());
  EXPECT_EQ(log.stats.malformed, 3u);  // every line naming a seccomp record type counts
  EXPECT_FALSE(log.loss.any());        // another function's rate limit is not audit's
}

}  // namespace
}  // namespace seccheck::audit
