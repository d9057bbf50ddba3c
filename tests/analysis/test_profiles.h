// Hand-written profiles for the evaluator and compiler tests, and a plain resolution that keeps
// every rule (no includes/excludes in them), so these tests do not depend on resolve().
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analysis/profile_parser.h"
#include "analysis/resolve.h"

namespace seccheck::analysis::test {

// Every comparison op, masked_eq, multi-arg, several conditions on one argument, an
// unconditional rule before and after a conditional one, conflicting actions on one argument
// and across arguments, a rule equal to the default action, every action kind, a call
// libseccomp 2.5.4 cannot name.
inline const char* kOpsProfile = R"({
  "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  "syscalls": [
    {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
    {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_NE"}]},
    {"names": ["mmap"], "action": "SCMP_ACT_ERRNO", "errnoRet": 12, "args": [{"index": 1, "value": 4096, "op": "SCMP_CMP_LT"}]},
    {"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 2, "value": 10, "op": "SCMP_CMP_LE"}]},
    {"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 2, "value": 4294967296, "op": "SCMP_CMP_GE"}]},
    {"names": ["pread64"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 3, "value": 4294967295, "op": "SCMP_CMP_GT"}]},
    {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]},
    {"names": ["kill"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}]},
    {"names": ["tkill"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": 20, "op": "SCMP_CMP_GE"}, {"index": 1, "value": 5, "op": "SCMP_CMP_LE"}]},
    {"names": ["setns"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["setns"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
    {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 14, "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]},
    {"names": ["getpid"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["getuid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 16, "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_EQ"}]},
    {"names": ["getuid"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_NE"}]},
    {"names": ["getgid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
    {"names": ["getgid"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
    {"names": ["uname"], "action": "SCMP_ACT_KILL_PROCESS"},
    {"names": ["sync"], "action": "SCMP_ACT_TRAP"},
    {"names": ["chdir"], "action": "SCMP_ACT_LOG"},
    {"names": ["chroot"], "action": "SCMP_ACT_KILL"},
    {"names": ["fchdir"], "action": "SCMP_ACT_TRACE", "errnoRet": 5},
    {"names": ["geteuid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 17, "args": [{"index": 0, "value": 10, "op": "SCMP_CMP_GT"}]},
    {"names": ["geteuid"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 20, "op": "SCMP_CMP_LT"}]},
    {"names": ["getegid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18, "args": [{"index": 1, "value": 5, "op": "SCMP_CMP_EQ"}]},
    {"names": ["getegid"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 5, "op": "SCMP_CMP_EQ"}]},
    {"names": ["statmount", "arm_fadvise64_64"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["getppid"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 4096, "op": "SCMP_CMP_GE"}]},
    {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 19, "args": [{"index": 0, "value": 8192, "op": "SCMP_CMP_GE"}]},
    {"names": ["getpgrp"], "action": "SCMP_ACT_ERRNO", "errnoRet": 20, "args": [{"index": 0, "value": 100, "op": "SCMP_CMP_LE"}]},
    {"names": ["getpgrp"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 50, "op": "SCMP_CMP_LE"}]}
  ]})";

// Native only, default ENOSYS: i386 and x32 calls hit the bad-arch action.
inline const char* kNativeOnlyProfile = R"({
  "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
  "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ALLOW"}]})";

inline Profile parse_or_die(const std::string& text, const std::string& name) {
  Result<Profile> profile = parse_profile(text, name);
  if (!profile.ok()) ADD_FAILURE() << profile.error().message;
  return profile.ok() ? std::move(profile).value() : Profile{};
}

// Keeps every rule; ERRNO without errnoRet is EPERM, the default errno defaultErrnoRet.
inline ResolvedProfile resolve_plain(const Profile& profile) {
  ResolvedProfile out;
  out.name = profile.name;
  out.default_action = profile.default_action;
  if (out.default_action.kind == ActionKind::kErrno)
    out.default_action.value = profile.default_errno_ret.value_or(1);
  out.architectures.push_back(Arch::kX86_64);
  for (const std::string& scmp : profile.architectures) {
    auto arch = parse_arch(scmp);
    if (arch && *arch != Arch::kX86_64) out.architectures.push_back(*arch);
  }
  for (const Rule& rule : profile.rules) {
    ResolvedRule resolved;
    resolved.names = rule.names;
    resolved.action = rule.action;
    if (resolved.action.kind == ActionKind::kErrno && !resolved.action.value) resolved.action.value = 1;
    resolved.args = rule.args;
    resolved.source_index = rule.source_index;
    out.rules.push_back(std::move(resolved));
  }
  return out;
}

}  // namespace seccheck::analysis::test
