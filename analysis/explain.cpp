#include "analysis/explain.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "core/decode.h"
#include "core/number_format.h"
#include "core/syscall_table.h"

namespace seccheck::analysis {
namespace {

std::string rule_label(const ResolvedRule& rule) {
  return "syscalls[" + std::to_string(rule.source_index) + "]";
}

std::string conditions_text(const std::vector<ArgCondition>& args) {
  std::string out;
  for (const ArgCondition& c : args) {
    if (!out.empty()) out += " && ";
    out += arg_condition_text(c);
  }
  return out;
}

// "clone with CLONE_NEWUSER" when a MASKED_EQ condition fails on namespace bits, else
// "clone(arg0=0x10000000)".
std::string call_text(std::string_view name, const std::vector<EffectiveRule>& rules,
                      const std::array<std::uint64_t, 6>& args, Arch arch) {
  std::set<unsigned> used;
  std::vector<std::string_view> flags;
  for (const EffectiveRule& rule : rules) {
    for (const ArgCondition& c : rule.args) {
      used.insert(c.index);
      if (c.op != CompareOp::kMaskedEq || condition_holds(c, args[c.index], arch)) continue;
      std::uint64_t offending = (args[c.index] & c.value) ^ c.value_two;
      for (const FlagName& flag : namespace_flag_table()) {
        if (!flag.name.starts_with("CLONE_NEW") || (offending & flag.value) == 0) continue;
        if (std::find(flags.begin(), flags.end(), flag.name) == flags.end()) flags.push_back(flag.name);
      }
    }
  }
  std::string out(name);
  if (!flags.empty() && (name == "clone" || name == "unshare" || name == "clone3")) {
    out += " with ";
    for (std::size_t i = 0; i < flags.size(); ++i)
      out += (i ? "|" : "") + std::string(flags[i]);
    return out;
  }
  if (used.empty()) return out;
  out += "(";
  bool first = true;
  for (unsigned index : used) {
    out += (first ? "" : ", ") + std::string("arg") + std::to_string(index) + "=" + flag_value(args[index]);
    first = false;
  }
  return out + ")";
}

// Rules of the original profile that name the call but were dropped by the context, as
// "needs CAP_SYS_ADMIN" hints for the reason.
std::string dropped_rule_hints(const ResolvedProfile& profile, const Profile* original, std::string_view name,
                               bool call_blocked) {
  if (original == nullptr || !call_blocked) return "";
  std::set<int> kept;
  for (const ResolvedRule& rule : profile.rules)
    kept.insert(rule.source_index);
  std::vector<std::string> hints;
  for (const Rule& rule : original->rules) {
    if (kept.count(rule.source_index) || rule.action.blocks()) continue;
    if (std::find(rule.names.begin(), rule.names.end(), name) == rule.names.end()) continue;
    std::string hint;
    if (!rule.includes.caps.empty()) {
      hint = "needs ";
      for (std::size_t i = 0; i < rule.includes.caps.size(); ++i)
        hint += (i ? "+" : "") + rule.includes.caps[i];
    } else if (!rule.includes.min_kernel.empty()) {
      hint = "needs kernel >= " + rule.includes.min_kernel;
    } else {
      continue;  // dropped for the architecture or by excludes: nothing the user can add
    }
    if (!rule.args.empty()) hint += " (when " + conditions_text(rule.args) + ")";
    if (std::find(hints.begin(), hints.end(), hint) == hints.end()) hints.push_back(hint);
  }
  std::string out;
  for (std::size_t i = 0; i < hints.size(); ++i)
    out += (i ? " or " : "") + hints[i];
  return out;
}

}  // namespace

std::string explain(const Verdict& verdict, const ResolvedProfile& profile, const Profile* original,
                    Arch arch, int nr, const std::array<std::uint64_t, 6>& args) {
  const std::string suffix = " (" + profile.name + ")";
  const std::string display = syscall_display_name(arch, nr);
  switch (verdict.decided_by) {
    case DecidedBy::kBadArch:
      return std::string(arch_name(arch)) +
             " calls are not in the filter's architectures: the kernel kills the thread (bad-arch action)" +
             suffix;
    case DecidedBy::kRuntimeStub: {
      const EnosysStub* stub = enosys_stub_for(profile, arch);
      return display + " is newer than " + (stub ? stub->newest : std::string("?")) +
             ", the newest call the filter names on " + std::string(arch_name(arch)) +
             ": runc answers ENOSYS" + suffix;
    }
    case DecidedBy::kNoSuchCall:
      return display + " is no syscall on " + std::string(arch_name(arch)) + ": default action " +
             action_text(profile.default_action) + suffix;
    case DecidedBy::kRule:
    case DecidedBy::kDefault: break;
  }
  const std::string name(syscall_name(arch, nr).value_or(display));
  const std::vector<EffectiveRule> rules = effective_rules(profile, name);
  const std::string call = call_text(name, rules, args, arch);

  if (verdict.decided_by == DecidedBy::kRule && verdict.effective_rule >= 0 &&
      static_cast<std::size_t>(verdict.effective_rule) < rules.size()) {
    const EffectiveRule& chosen = rules[static_cast<std::size_t>(verdict.effective_rule)];
    const ResolvedRule& rule = profile.rules[static_cast<std::size_t>(chosen.rule_index)];
    std::string merge_note;
    if (verdict.set_aside_rule >= 0 && static_cast<std::size_t>(verdict.set_aside_rule) < rules.size()) {
      const EffectiveRule& other = rules[static_cast<std::size_t>(verdict.set_aside_rule)];
      const ResolvedRule& other_rule = profile.rules[static_cast<std::size_t>(other.rule_index)];
      merge_note = chosen.args.empty()
                       ? "; libseccomp keeps the unconditional " + rule_label(rule) + " over " +
                             rule_label(other_rule) + " (" + action_text(other.action) + ")"
                       : "; " + rule_label(other_rule) + " (" + action_text(other.action) +
                             ") matches too, but libseccomp's filter tests " + rule_label(rule) + " first";
    }
    std::string why = rule_label(rule);
    if (!chosen.args.empty()) why += " [" + conditions_text(chosen.args) + "]";
    if (!rule.condition.empty()) why += " " + rule.condition;
    if (chosen.action.kind == ActionKind::kLog) return call + " is allowed and logged by " + why + suffix;
    return chosen.action.blocks()
               ? call + " gets " + action_text(chosen.action) + " from " + why + merge_note + suffix
               : call + " is allowed by " + why + merge_note + suffix;
  }

  // The default action.
  std::string reason;
  if (rules.empty()) {
    reason =
        name + " is named by no rule that applies: default action " + action_text(profile.default_action);
  } else {
    std::vector<std::string> alternatives;
    for (const EffectiveRule& rule : rules) {
      if (rule.action.blocks()) continue;
      std::string alt = conditions_text(rule.args);
      const ResolvedRule& resolved = profile.rules[static_cast<std::size_t>(rule.rule_index)];
      if (!resolved.condition.empty()) alt += " " + resolved.condition;
      if (std::find(alternatives.begin(), alternatives.end(), alt) == alternatives.end())
        alternatives.push_back(alt);
    }
    reason = call + " matches none of its rules";
    if (!alternatives.empty()) {
      reason += " (allowed only when ";
      for (std::size_t i = 0; i < alternatives.size(); ++i)
        reason += (i ? " or " : "") + alternatives[i];
      reason += ")";
    }
    reason += ": default action " + action_text(profile.default_action);
  }
  const std::string hints = dropped_rule_hints(profile, original, name, profile.default_action.blocks());
  // "clone with CLONE_NEWUSER needs CAP_SYS_ADMIN: ..."
  if (!hints.empty()) reason = call + " " + hints + "; " + reason;
  return reason + suffix;
}

CallExplanation explain_call(const Profile& profile, const ResolvedProfile& resolved, Arch arch, int nr,
                             const std::array<std::uint64_t, 6>& args) {
  CallExplanation out;
  out.profile = profile.name;
  out.verdict = evaluate(resolved, arch, nr, args);
  out.reason = explain(out.verdict, resolved, &profile, arch, nr, args);
  out.default_action = resolved.default_action;
  out.notes = resolved.notes;
  const std::string name = syscall_display_name(arch, nr);
  for (const Rule& rule : profile.rules) {
    if (std::find(rule.names.begin(), rule.names.end(), name) == rule.names.end()) continue;
    int resolved_index = -1;
    for (std::size_t i = 0; i < resolved.rules.size(); ++i)
      if (resolved.rules[i].source_index == rule.source_index) resolved_index = static_cast<int>(i);
    RuleInContext entry;
    entry.rule = &rule;
    entry.action =
        resolved_index >= 0 ? resolved.rules[static_cast<std::size_t>(resolved_index)].action : rule.action;
    if (resolved_index < 0) {
      entry.status = RuleInContext::Status::kNotInEffect;
    } else if (resolved_index == out.verdict.rule_index) {
      entry.status = RuleInContext::Status::kDecides;
    } else if (entry.action == resolved.default_action) {
      entry.status = RuleInContext::Status::kSameAsDefault;
    }
    out.rules.push_back(entry);
  }
  return out;
}

}  // namespace seccheck::analysis
