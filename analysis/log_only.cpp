#include "analysis/log_only.h"

#include <map>

#include "analysis/evaluate.h"
#include "analysis/resolve.h"
#include "core/syscall_table.h"

namespace seccheck::analysis {
namespace {

const Action kLog{ActionKind::kLog, std::nullopt};

// The copy's expected verdict for a call the base judged `base`.
bool copy_matches(const Verdict& base, const Verdict& copy) {
  if (base.blocked()) return copy.action.kind == ActionKind::kLog && !copy.bad_arch();
  return copy.action.kind == base.action.kind;
}

}  // namespace

Action log_only_action(const Action& action) {
  return action.blocks() ? kLog : action;
}

Result<LogOnlyProfile> make_log_only(const LogOnlyRequest& request) {
  if (request.base == nullptr) return make_error("a log-only copy needs a base profile");
  const Context context = context_for_engine(request.context, request.engine);
  const Profile& base = *request.base;
  const ResolvedProfile base_resolved = resolve(base, context);

  LogOnlyProfile result;
  Profile& out = result.profile;
  out = request.engine == Engine::kContainerd ? flatten_profile(base_resolved, base) : base;
  out.name = request.name.empty() ? base.name + "-log-only" : request.name;
  out.source = "seccheck generate --log-only";
  out.warnings.clear();
  if (request.engine == Engine::kContainerd)
    result.notes.push_back("containerd reads a Localhost profile as a flat runtime-spec object without "
                           "includes/excludes: " +
                           base.name + " was resolved for " + describe(context));

  if (out.default_action.blocks()) {
    result.notes.push_back(
        "default action " + action_text(base_resolved.default_action) +
        " -> LOG: calls no rule allows are logged and run; runc adds no ENOSYS stub for a LOG "
        "default, so calls newer than the profile are logged too");
  }
  out.default_action = log_only_action(out.default_action);
  if (out.default_action.kind != ActionKind::kErrno) {
    // crun refuses an errno value beside a non-errno action.
    out.default_errno_ret.reset();
    out.default_errno_name.clear();
  }
  bool notify_left = false;
  for (Rule& rule : out.rules) {
    if (rule.action.blocks()) {
      const std::string was = action_text(rule.action);
      rule.action = kLog;
      rule.errno_name.clear();
      rule.comment =
          "seccheck generate --log-only: was " + was + (rule.comment.empty() ? "" : "; " + rule.comment);
      ++result.rules_changed;
    }
    notify_left = notify_left || rule.action.kind == ActionKind::kNotify;
  }
  if (!notify_left && !out.listener_path.empty()) {
    out.listener_path.clear();
    out.listener_metadata.clear();
    result.notes.push_back("no SCMP_ACT_NOTIFY rule is left: listenerPath dropped");
  }
  if (result.rules_changed > 0)
    result.notes.push_back(
        std::to_string(result.rules_changed) +
        " blocking rules -> LOG (where LOG equals the default action, libseccomp refuses the "
        "rule and runtimes skip it: those calls meet the LOG default)");

  // Compare the copy with the base over every call.
  const ResolvedProfile copy_resolved = resolve(out, context);
  for (Arch arch : kAllArches) {
    if (host_arch_of(arch) == context.host_arch && !arch_in_filter(base_resolved, arch))
      result.notes.push_back(
          std::string(arch_name(arch)) +
          " calls are outside the base's architectures: the kernel still kills them (bad-arch "
          "action) and logs the kill");
  }
  const ResolvedProfile* profiles[] = {&copy_resolved, &base_resolved};
  std::map<std::pair<Arch, int>, std::size_t> by_call;
  result.incomplete =
      for_each_call_class(profiles, [&](const CallClass& call, const std::vector<Verdict>& verdicts) {
        const Verdict& copy = verdicts[0];
        const Verdict& original = verdicts[1];
        if (original.bad_arch() && copy.bad_arch()) return;  // reported once per ABI above
        if (copy_matches(original, copy)) return;
        auto [it, added] = by_call.try_emplace({call.arch, call.nr}, result.gaps.size());
        if (!added) {
          ++result.gaps[it->second].example.classes;
          return;
        }
        LogOnlyGap gap;
        gap.example.call = call;
        gap.example.syscall = syscall_display_name(call.arch, call.nr);
        gap.example.custom = copy;
        gap.example.base = original;
        result.gaps.push_back(std::move(gap));
      });
  return result;
}

}  // namespace seccheck::analysis
