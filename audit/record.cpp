#include "audit/record.h"

#include <linux/audit.h>
#include <linux/seccomp.h>

#include <cstdio>
#include <ctime>

#include "core/errno_names.h"

namespace seccheck::audit {
namespace {

using analysis::Action;
using analysis::ActionKind;

// SECCOMP_RET_* action values (linux/seccomp.h) as the kernel logs them in code=.
struct CodeName {
  std::uint32_t action;
  ActionKind kind;
  bool carries_data;  // ERRNO's errno, TRACE's message, TRAP's si_errno
};
constexpr CodeName kCodes[] = {
    {SECCOMP_RET_KILL_PROCESS, ActionKind::kKillProcess, false},
    {SECCOMP_RET_KILL_THREAD, ActionKind::kKillThread, false},
    {SECCOMP_RET_TRAP, ActionKind::kTrap, false},
    {SECCOMP_RET_ERRNO, ActionKind::kErrno, true},
    {SECCOMP_RET_USER_NOTIF, ActionKind::kNotify, false},
    {SECCOMP_RET_TRACE, ActionKind::kTrace, true},
    {SECCOMP_RET_LOG, ActionKind::kLog, false},
    {SECCOMP_RET_ALLOW, ActionKind::kAllow, false},
};

// ausearch -i's names for the actions (audit-userspace auparse/seccomptab.h; "kill" is the
// name older versions print for KILL_THREAD).
struct ActionName {
  std::string_view name;
  ActionKind kind;
};
constexpr ActionName kActionNames[] = {
    {"kill-process", ActionKind::kKillProcess},
    {"kill-thread", ActionKind::kKillThread},
    {"kill", ActionKind::kKillThread},
    {"trap", ActionKind::kTrap},
    {"errno", ActionKind::kErrno},
    {"user-notify", ActionKind::kNotify},
    {"trace", ActionKind::kTrace},
    {"log", ActionKind::kLog},
    {"allow", ActionKind::kAllow},
};

// Machine names as audit-userspace prints them (lib/machinetab.h) and the AUDIT_ARCH_* value
// each one means; the first name of each value is the one seccheck prints.
struct MachineName {
  std::string_view name;
  std::uint32_t audit_arch;
};
constexpr MachineName kMachines[] = {
    {"x86_64", AUDIT_ARCH_X86_64},   {"i386", AUDIT_ARCH_I386},       {"i486", AUDIT_ARCH_I386},
    {"i586", AUDIT_ARCH_I386},       {"i686", AUDIT_ARCH_I386},       {"aarch64", AUDIT_ARCH_AARCH64},
    {"armv8l", AUDIT_ARCH_AARCH64},  {"arm", AUDIT_ARCH_ARM},         {"armeb", AUDIT_ARCH_ARM},
    {"armv5tejl", AUDIT_ARCH_ARM},   {"armv5tel", AUDIT_ARCH_ARM},    {"armv6l", AUDIT_ARCH_ARM},
    {"armv7l", AUDIT_ARCH_ARM},      {"ppc64", AUDIT_ARCH_PPC64},     {"ppc64le", AUDIT_ARCH_PPC64LE},
    {"ppc", AUDIT_ARCH_PPC},         {"s390x", AUDIT_ARCH_S390X},     {"s390", AUDIT_ARCH_S390},
    {"riscv64", AUDIT_ARCH_RISCV64}, {"riscv32", AUDIT_ARCH_RISCV32},
};

}  // namespace

std::string_view input_form_name(InputForm form) {
  switch (form) {
    case InputForm::kAuditd: return "auditd log";
    case InputForm::kAusearch: return "ausearch -i";
    case InputForm::kDmesg: return "kernel log (dmesg)";
    case InputForm::kKmsg: return "/dev/kmsg";
    case InputForm::kSyslog: return "syslog / journal";
    case InputForm::kJournalJson: return "journal JSON";
  }
  return "?";
}

std::optional<Action> action_from_code(std::uint32_t code) {
  const std::uint32_t action = code & SECCOMP_RET_ACTION_FULL;
  const std::uint32_t data = code & SECCOMP_RET_DATA;
  for (const CodeName& entry : kCodes) {
    if (entry.action != action) continue;
    Action out{entry.kind, std::nullopt};
    // The kernel logs ERRNO and TRACE without their data, so a zero is "not logged" there.
    if (entry.carries_data && data != 0) out.value = data;
    return out;
  }
  return std::nullopt;
}

std::optional<Action> action_from_name(std::string_view name) {
  for (const ActionName& entry : kActionNames)
    if (entry.name == name) return Action{entry.kind, std::nullopt};
  return std::nullopt;
}

std::string record_action_text(const SeccompRecord& record) {
  if (!record.action_known) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "code %#x", record.code.value_or(0));
    return buffer;
  }
  const Action& action = record.action;
  switch (action.kind) {
    case ActionKind::kKillProcess: return "KILL_PROCESS";
    case ActionKind::kKillThread: return "KILL_THREAD";
    case ActionKind::kTrap: return "TRAP";
    case ActionKind::kErrno: return action.value ? "ERRNO(" + errno_name(*action.value) + ")" : "ERRNO";
    case ActionKind::kNotify: return "USER_NOTIF";
    case ActionKind::kTrace: return action.value ? "TRACE(" + std::to_string(*action.value) + ")" : "TRACE";
    case ActionKind::kLog: return "LOG";
    case ActionKind::kAllow: return "ALLOW";
  }
  return "?";
}

std::optional<std::uint32_t> audit_arch_from_name(std::string_view name) {
  for (const MachineName& machine : kMachines)
    if (machine.name == name) return machine.audit_arch;
  return std::nullopt;
}

std::string audit_arch_text(std::uint32_t audit_arch) {
  for (const MachineName& machine : kMachines)
    if (machine.audit_arch == audit_arch) return std::string(machine.name == "armeb" ? "arm" : machine.name);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "arch %#x", audit_arch);
  return buffer;
}

std::string format_time_ms(std::int64_t time_ms) {
  std::time_t seconds = static_cast<std::time_t>(time_ms / 1000);
  int millis = static_cast<int>(time_ms % 1000);
  if (millis < 0) {
    millis += 1000;
    --seconds;
  }
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", date, millis);
  return out;
}

std::string record_call_text(const SeccompRecord& record) {
  std::string abi = record.arch ? std::string(arch_name(*record.arch)) : audit_arch_text(record.audit_arch);
  if (!record.syscall.empty()) return abi + "/" + record.syscall;
  if (record.nr >= 0) return abi + "/" + std::to_string(record.nr);
  return abi + "/" + (record.raw_nr ? std::to_string(*record.raw_nr) : std::string("?"));
}

}  // namespace seccheck::audit
