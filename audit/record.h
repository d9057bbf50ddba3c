// One seccomp record of the kernel's audit subsystem (type SECCOMP, 1326), typed, whatever form
// it was read in (audit/parser.h). Promises:
// * `arch` and `nr` follow core/arch.h: an x32 call (AUDIT_ARCH_X86_64 with __X32_SYSCALL_BIT in
//   the logged number) is Arch::kX32 with the bit removed;
// * `action` is the seccomp action the kernel logged. The kernel logs the action without its
//   data (seccomp_log() receives `filter_ret & SECCOMP_RET_ACTION_FULL`), so an ERRNO record
//   never says which errno: Action::value is nullopt unless the code carries one;
// * comm and exe are the bytes the task had: hex-encoded values (audit writes values holding a
//   space, a quote or a byte outside 0x21..0x7e as hex, unquoted) are decoded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "analysis/profile.h"
#include "core/arch.h"

namespace seccheck::audit {

inline constexpr int kSeccompRecordType = 1326;  // AUDIT_SECCOMP

// How the record reached seccheck.
enum class InputForm {
  kAuditd,       // auditd's raw log: type=SECCOMP msg=audit(1700000000.123:456): ...
  kAusearch,     // ausearch -i: interpreted fields, local time: msg=audit(11/14/2023 22:13:20.123:456) : ...
  kDmesg,        // the kernel's printk form: [  12.345678] audit: type=1326 audit(...): ...
  kKmsg,         // /dev/kmsg: 5,1234,5678,-;audit: type=1326 audit(...): ...
  kSyslog,       // syslog, kern.log, journalctl -k: "Dec  4 20:29:16 host kernel: audit: ..."
  kJournalJson,  // journalctl -o json: {"MESSAGE": "audit: ..." or [97, 117, ...], ...}
};
std::string_view input_form_name(InputForm form);

struct SeccompRecord {
  // The audit stamp audit(SECONDS.MILLIS:SERIAL): when the event happened and its serial
  // number, which every audit record type shares.
  std::int64_t time_ms = 0;  // milliseconds since the epoch (UTC)
  std::uint64_t serial = 0;
  std::uint32_t audit_arch = 0;        // AUDIT_ARCH_* as logged; 0 when absent
  std::optional<Arch> arch;            // the ABI, when seccheck knows the audit arch
  std::optional<std::int64_t> raw_nr;  // syscall= as logged (x32 bit included); nullopt: named only
  int nr = -1;                         // the number on `arch`; -1 when unknown
  std::string syscall;                 // the call's name ("" when unknown), e.g. "unshare"
  std::optional<std::uint32_t> code;   // code= as logged; nullopt when only its name was given
  analysis::Action action;             // the decoded code
  bool action_known = true;            // false: a code no kernel defines (the kernel kills)
  std::optional<std::uint32_t> pid;    // thread group id, in the initial pid namespace
  std::optional<std::uint32_t> uid;    // nullopt when absent or given as a name
  std::optional<std::uint32_t> gid;
  std::optional<std::uint32_t> auid;  // nullopt when unset (4294967295) or absent
  std::optional<std::uint32_t> ses;   // nullopt when unset (4294967295) or absent
  std::string uid_name;               // ausearch -i names: "root"; "" otherwise
  std::string auid_name;
  std::string comm;  // decoded bytes
  std::string exe;   // decoded bytes; "(null)" for a task without memory map
  int sig = 0;       // signal the action sends (31, SIGSYS, for kills)
  bool compat = false;
  std::optional<std::uint64_t> ip;
  std::string node;  // auditd's node= prefix; "" when absent
  InputForm form = InputForm::kAuditd;
  std::size_t line = 0;  // 1-based line of the input it was read from
};

// The action of a logged code (SECCOMP_RET_* in the high 16 bits, data in the low 16):
// KILL_PROCESS, KILL_THREAD, TRAP, ERRNO(n), USER_NOTIF, TRACE(n), LOG, ALLOW. nullopt for a
// value no kernel defines.
std::optional<analysis::Action> action_from_code(std::uint32_t code);
// The action of ausearch -i's interpretation: kill-process, kill-thread, kill, trap, errno,
// user-notify, trace, log, allow.
std::optional<analysis::Action> action_from_name(std::string_view name);
// "LOG", "ERRNO" (errno not logged), "ERRNO(EPERM)", "KILL_PROCESS", "code 0x12340000".
std::string record_action_text(const SeccompRecord& record);

// The AUDIT_ARCH_* value of a machine name as ausearch -i prints it (x86_64, i386..i686,
// aarch64, armv8l, armeb, arm, armv7l, ...); nullopt for other names.
std::optional<std::uint32_t> audit_arch_from_name(std::string_view name);
// "x86_64", "aarch64", "arm", "i386" for the arches audit names; "arch 0x..." otherwise.
std::string audit_arch_text(std::uint32_t audit_arch);

// Milliseconds since the epoch as "2023-11-14T22:13:20.123Z".
std::string format_time_ms(std::int64_t time_ms);
// "x86_64/unshare", "x32/keyctl", "aarch64/435", "arch 0xc00000f3/12": what the record called.
std::string record_call_text(const SeccompRecord& record);

}  // namespace seccheck::audit
