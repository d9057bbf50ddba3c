// Resolution: a Profile plus a Context gives what the runtime would load.
//
// * Conditions: moby's loader (setupSeccomp, same logic since Docker 20.10; containerd's
//   DefaultProfile gives the same result, see ../shared/reference-profiles/README.md): host
//   arch x86_64 is "amd64" for includes/excludes.arches; a rule is dropped if excludes.arches
//   has the arch, if ANY excludes.caps cap is in the bounding set, if excludes.minKernel <=
//   kernel; or if includes.arches lacks the arch, if NOT ALL includes.caps caps are present,
//   or if kernel < includes.minKernel (major.minor). Kept rules stay in file order.
//   containers/common's loader (CRI-O, Podman) is the same except that it has no minKernel:
//   a rule carrying one is kept regardless of the kernel (a note says so). Its catalog
//   profiles carry no minKernel, so the difference only shows for custom files with
//   --loader-style contexts.
// * Architectures: `architectures` if given, else the archMap entry whose architecture is the
//   native SCMP arch ([architecture] + subArchitectures); the native arch is always accepted
//   (libseccomp's filter always contains it). Only x86_64, i386 and x32 matter to seccheck.
// * errno: SCMP_ACT_ERRNO on a rule without errnoRet is EPERM (runc's and crun's default,
//   NOT defaultErrnoRet: runc's getAction() uses its own EPERM action when a rule has no
//   errnoRet); the default action's errno is defaultErrnoRet, else EPERM.
// * Runtime effects (ResolvedProfile::notes lists each one taken):
//   - libseccomp: a runtime resolves each name with libseccomp and silently skips names it
//     cannot resolve (runc: "assume it is not supported by this kernel"; crun the same). With
//     Context::libseccomp 2.5 the names Debian 12's libseccomp 2.5.4 cannot resolve on
//     x86_64 are removed from their rules (rules left without names are dropped), so those
//     calls fall to the default action (or runc's ENOSYS stub, below).
//   - runc's -ENOSYS stub (libcontainer/seccomp/patchbpf, runc >= 1.0.0-rc93): unless the
//     default action is ALLOW, LOG or TRACE, or defaultErrnoRet is already ENOSYS, runc
//     prepends a check that returns ENOSYS for every call whose number is above the highest
//     number the (resolved) rules name on that ABI, counting names of every action that the
//     runtime's libseccomp can resolve. x86_64 and x32 get separate limits. crun adds no such
//     stub (seccheck's model), so with --runtime crun those calls get the default action.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analysis/context.h"
#include "analysis/profile.h"

namespace seccheck::analysis {

struct ResolvedRule {
  std::vector<std::string> names;
  Action action;  // errno always filled in for kErrno
  std::vector<ArgCondition> args;
  int source_index = -1;  // index in Profile::rules
  std::string condition;  // why it applies, for reasons: "if no CAP_SYS_ADMIN", "" when unconditional
};

// runc's -ENOSYS stub for one ABI: calls numbered above `above` get ENOSYS (38) before the
// filter's rules are consulted.
struct EnosysStub {
  Arch arch = Arch::kX86_64;
  int above = 0;
  std::string newest;  // the call numbered `above`, for messages
};

struct ResolvedProfile {
  std::string name;                 // Profile::name
  Action default_action;            // errno filled in
  std::vector<Arch> architectures;  // the ABIs the filter accepts; others get bad-arch (KILL)
  std::vector<ResolvedRule> rules;  // file order
  Context context;
  std::vector<std::string> notes;  // runtime effects taken, for -v and explain
  // Empty when the runtime adds no stub (crun, permissive default, default errno ENOSYS).
  std::vector<EnosysStub> enosys_stubs;
};

ResolvedProfile resolve(const Profile& profile, const Context& context);

// The stub's limit for `arch`, or nullptr when calls on it are not affected.
const EnosysStub* enosys_stub_for(const ResolvedProfile& profile, Arch arch);
// The condition text for a rule's includes/excludes: "if CAP_SYS_ADMIN", "if no
// CAP_SYS_ADMIN, arch not in {s390,s390x}", "if kernel >= 4.8"; "" when unconditional.
std::string condition_text(const Rule& rule);
// True when a runtime linked against libseccomp `version` (major.minor) can resolve `name`
// on x86_64. Versions below 2.5 are not modelled (treated as 2.5); 2.6 and later are treated
// as knowing every call in seccheck's table.
bool libseccomp_knows(std::string_view name, const KernelVersion& version);
// The x86_64 names libseccomp 2.5.4 cannot resolve (the syscall table's flag, checked against
// the linked libseccomp by tests when it is 2.5.x).
const std::vector<std::string_view>& names_unknown_to_libseccomp_2_5();

}  // namespace seccheck::analysis
