// The log-only copy of a base profile, for a staged roll-out (run the workload under it, read
// what the kernel logged, then enforce): every blocking action of the base (the default action
// and every rule's) becomes SCMP_ACT_LOG; every allow rule and every argument condition stays,
// so the kernel logs the calls the base would block, judged on their real arguments, and lets
// them run. Written in the forms `generate` writes (docker and crio keep includes/excludes,
// containerd's is flat and resolved for the context).
//
// What the runtimes do with it (runc 1.1.5 and main, crun 1.8.1, checked in their sources and
// on this kernel by tests/audit/audit_e2e_test.cpp):
// * runc adds its -ENOSYS stub only when the default action blocks (patchbpf: ALLOW, LOG and
//   TRACE defaults get none), so under the copy a call newer than every call the profile names,
//   which the base answers with ENOSYS, meets the LOG default: it is logged and runs. crun adds
//   no stub either way.
// * A LOG action is logged whenever kernel.seccomp.actions_logged holds "log" (the default);
//   SECCOMP_FILTER_FLAG_LOG is not needed for it. That flag makes the kernel also log the
//   ERRNO, TRAP, TRACE and USER_NOTIF actions of the filter carrying it, which is how an
//   enforcing profile can be watched after the roll-out: crun and runc >= 1.2.0 honour the
//   profile's `flags`; runc 1.1.x ignores them (it only sets the flag libseccomp reports, and
//   never asks for it).
// * libseccomp refuses a rule whose action equals the default action, and runtimes skip it: the
//   rules turned into LOG disappear and their calls meet the LOG default, which is the same
//   thing, unless such a rule outranked an allow rule of the same call in libseccomp's order
//   (evaluate.h). Then the copy lets some of those calls through without logging them: each
//   such class of calls is listed in LogOnlyProfile::gaps, found by comparing the copy with
//   the base over every call (containment.h).
// * The bad-arch action (kill) stays: an ABI outside the base's architectures would otherwise
//   reach the allow rules, which cannot be told to log only for that ABI. The kernel logs those
//   kills (actions_logged holds kill_thread); the copy says so in its notes.
// What a log-only run cannot show: calls the workload makes only after a call was denied (an
// error path or a fallback, e.g. clone after clone3 got ENOSYS), since under the copy the first
// call succeeds; and records the kernel drops (rate limit), which `seccheck audit` reports.
#pragma once

#include <string>
#include <vector>

#include "analysis/containment.h"
#include "analysis/context.h"
#include "analysis/generate.h"
#include "analysis/profile.h"
#include "core/result.h"

namespace seccheck::analysis {

struct LogOnlyRequest {
  const Profile* base = nullptr;
  Context context;
  Engine engine = Engine::kDocker;
  std::string name;  // Profile::name of the copy
};

// A class of calls the copy does not log although the base blocks it (or logs although the
// base allows it).
struct LogOnlyGap {
  Counterexample example;  // `custom` holds the copy's verdict, `base` the base's
};

struct LogOnlyProfile {
  Profile profile;
  std::size_t rules_changed = 0;        // blocking rules turned into LOG
  std::vector<std::string> notes;       // what changed and why, one line each
  std::vector<LogOnlyGap> gaps;         // where the copy is not exactly "log what the base blocks"
  std::vector<std::string> incomplete;  // calls the comparison could not enumerate
};

Result<LogOnlyProfile> make_log_only(const LogOnlyRequest& request);

// The action a log-only copy gives in place of `action`: LOG for blocking actions, the action
// itself otherwise.
Action log_only_action(const Action& action);

}  // namespace seccheck::analysis
