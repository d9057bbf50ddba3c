#include "analysis/evaluate.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <tuple>

#include "core/errno_names.h"
#include "core/syscall_table.h"

namespace seccheck::analysis {
namespace {

constexpr std::uint32_t kEnosys = 38;

// Small values (address families, personalities) in decimal, flags and masks in hex.
std::string hex(std::uint64_t value) {
  if (value < 4096) return std::to_string(value);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%#llx", static_cast<unsigned long long>(value));
  return buffer;
}

bool is_32bit_abi(Arch arch) {
  return arch == Arch::kI386 || arch == Arch::kX32;
}

bool condition_matches(const ArgCondition& c, std::uint64_t arg, bool bits32) {
  std::uint64_t value = c.value;
  std::uint64_t value_two = c.value_two;
  if (bits32) {
    // libseccomp builds 32-bit comparisons for i386 and x32: low words only.
    arg &= 0xffffffffu;
    value &= 0xffffffffu;
    value_two &= 0xffffffffu;
  }
  switch (c.op) {
    case CompareOp::kNe: return arg != value;
    case CompareOp::kLt: return arg < value;
    case CompareOp::kLe: return arg <= value;
    case CompareOp::kEq: return arg == value;
    case CompareOp::kGe: return arg >= value;
    case CompareOp::kGt: return arg > value;
    case CompareOp::kMaskedEq: return (arg & value) == value_two;
  }
  return false;
}

bool rule_matches(const EffectiveRule& rule, const std::array<std::uint64_t, 6>& args, bool bits32) {
  return std::all_of(rule.args.begin(), rule.args.end(),
                     [&](const ArgCondition& c) { return condition_matches(c, args[c.index], bits32); });
}

// libseccomp's order of sibling nodes in a syscall's decision tree (db.c _db_chain_lt):
// argument, then comparison class (GT/GE 1, LT/LE 2, EQ/NE/MASKED_EQ 3), then datum, with
// LT/LE datums inverted. 64-bit ABIs compare the high word's node first.
using NodeKey = std::tuple<unsigned, int, std::uint64_t>;

int op_priority(CompareOp op) {
  switch (op) {
    case CompareOp::kMaskedEq:
    case CompareOp::kEq:
    case CompareOp::kNe: return 3;
    case CompareOp::kLe:
    case CompareOp::kLt: return 2;
    case CompareOp::kGe:
    case CompareOp::kGt: return 1;
  }
  return 0;
}

std::vector<NodeKey> tree_order_key(const EffectiveRule& rule, bool bits32) {
  std::vector<ArgCondition> sorted = rule.args;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const ArgCondition& a, const ArgCondition& b) { return a.index < b.index; });
  std::vector<NodeKey> key;
  for (const ArgCondition& c : sorted) {
    std::uint64_t datum = c.op == CompareOp::kMaskedEq ? c.value_two : c.value;
    if (bits32) datum &= 0xffffffffu;
    const bool inverted = c.op == CompareOp::kLt || c.op == CompareOp::kLe;
    auto order = [&](std::uint64_t d) { return inverted ? ~d : d; };
    if (bits32) {
      key.emplace_back(c.index, op_priority(c.op), order(datum));
    } else {
      key.emplace_back(c.index, op_priority(c.op), order(datum >> 32));
      key.emplace_back(c.index, op_priority(c.op), order(datum & 0xffffffffu));
    }
  }
  return key;
}

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

// Namespace flags, for reasons about clone/unshare masks (values from linux/sched.h).
struct FlagName {
  std::uint64_t bit;
  const char* name;
};
constexpr FlagName kCloneFlags[] = {
    {0x00020000, "CLONE_NEWNS"},  {0x02000000, "CLONE_NEWCGROUP"}, {0x04000000, "CLONE_NEWUTS"},
    {0x08000000, "CLONE_NEWIPC"}, {0x10000000, "CLONE_NEWUSER"},   {0x20000000, "CLONE_NEWPID"},
    {0x40000000, "CLONE_NEWNET"}, {0x00000080, "CLONE_NEWTIME"},
};

// "clone with CLONE_NEWUSER" when a MASKED_EQ condition fails on namespace bits, else
// "clone(arg0=0x10000000)".
std::string call_text(std::string_view name, const std::vector<EffectiveRule>& rules,
                      const std::array<std::uint64_t, 6>& args, bool bits32) {
  std::set<unsigned> used;
  std::vector<std::string> flags;
  for (const EffectiveRule& rule : rules) {
    for (const ArgCondition& c : rule.args) {
      used.insert(c.index);
      if (c.op != CompareOp::kMaskedEq || condition_matches(c, args[c.index], bits32)) continue;
      std::uint64_t offending = (args[c.index] & c.value) ^ c.value_two;
      for (const FlagName& flag : kCloneFlags) {
        if ((offending & flag.bit) && std::find(flags.begin(), flags.end(), flag.name) == flags.end())
          flags.push_back(flag.name);
      }
    }
  }
  std::string out(name);
  if (!flags.empty() && (name == "clone" || name == "unshare" || name == "clone3")) {
    out += " with ";
    for (std::size_t i = 0; i < flags.size(); ++i)
      out += (i ? "|" : "") + flags[i];
    return out;
  }
  if (used.empty()) return out;
  out += "(";
  bool first = true;
  for (unsigned index : used) {
    out += (first ? "" : ", ") + std::string("arg") + std::to_string(index) + "=" + hex(args[index]);
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

Verdict evaluate_impl(const ResolvedProfile& profile, const Profile* original, Arch arch, int nr,
                      const std::array<std::uint64_t, 6>& args) {
  Verdict verdict;
  const std::string suffix = " (" + profile.name + ")";
  if (!arch_in_filter(profile, arch)) {
    verdict.action = Action{ActionKind::kKillThread, std::nullopt};
    verdict.bad_arch = true;
    verdict.reason = std::string(arch_name(arch)) +
                     " calls are not in the filter's architectures: the kernel kills "
                     "the thread (bad-arch action)" +
                     suffix;
    return verdict;
  }
  const std::string display = syscall_display_name(arch, nr);
  if (const EnosysStub* stub = enosys_stub_for(profile, arch); stub != nullptr && nr > stub->above) {
    verdict.action = Action{ActionKind::kErrno, kEnosys};
    verdict.reason = display + " is newer than " + stub->newest + ", the newest call the filter names on " +
                     std::string(arch_name(arch)) + ": runc answers ENOSYS" + suffix;
    return verdict;
  }
  verdict.action = profile.default_action;
  auto name = syscall_name(arch, nr);
  if (!name) {
    verdict.reason = display + " is no syscall on " + std::string(arch_name(arch)) + ": default action " +
                     action_text(profile.default_action) + suffix;
    return verdict;
  }
  const bool bits32 = is_32bit_abi(arch);
  const std::vector<EffectiveRule> rules = effective_rules(profile, *name);
  const std::string call = call_text(*name, rules, args, bits32);

  // An unconditional rule replaces the syscall's whole decision tree in libseccomp's db; the
  // first one added stays.
  const EffectiveRule* chosen = nullptr;
  std::string merge_note;
  for (const EffectiveRule& rule : rules) {
    if (rule.args.empty()) {
      chosen = &rule;
      break;
    }
  }
  if (chosen != nullptr) {
    for (const EffectiveRule& rule : rules) {
      if (&rule == chosen || rule.action == chosen->action) continue;
      merge_note = "; libseccomp keeps the unconditional " + rule_label(profile.rules[chosen->rule_index]) +
                   " over " + rule_label(profile.rules[rule.rule_index]) + " (" + action_text(rule.action) +
                   ")";
      break;
    }
  } else {
    std::vector<const EffectiveRule*> matching;
    for (const EffectiveRule& rule : rules)
      if (rule_matches(rule, args, bits32)) matching.push_back(&rule);
    if (!matching.empty()) {
      chosen = matching.front();
      auto chosen_key = tree_order_key(*chosen, bits32);
      for (const EffectiveRule* rule : matching) {
        auto key = tree_order_key(*rule, bits32);
        if (key > chosen_key) {
          chosen = rule;
          chosen_key = std::move(key);
        }
      }
      for (const EffectiveRule* rule : matching) {
        if (rule->action == chosen->action) continue;
        merge_note = "; " + rule_label(profile.rules[rule->rule_index]) + " (" + action_text(rule->action) +
                     ") matches too, but libseccomp's filter tests " +
                     rule_label(profile.rules[chosen->rule_index]) + " first";
        break;
      }
    }
  }

  if (chosen != nullptr) {
    const ResolvedRule& rule = profile.rules[chosen->rule_index];
    verdict.action = chosen->action;
    verdict.rule_index = chosen->rule_index;
    std::string why = rule_label(rule);
    if (!chosen->args.empty()) why += " [" + conditions_text(chosen->args) + "]";
    if (!rule.condition.empty()) why += " " + rule.condition;
    verdict.reason = chosen->action.blocks() ? call + " gets " + action_text(chosen->action) + " from " +
                                                   why + merge_note + suffix
                                             : call + " is allowed by " + why + merge_note + suffix;
    if (chosen->action.kind == ActionKind::kLog)
      verdict.reason = call + " is allowed and logged by " + why + suffix;
    return verdict;
  }

  // Default action.
  std::string reason;
  if (rules.empty()) {
    reason = std::string(*name) + " is named by no rule that applies: default action " +
             action_text(profile.default_action);
  } else {
    std::vector<std::string> alternatives;
    for (const EffectiveRule& rule : rules) {
      if (rule.action.blocks()) continue;
      std::string alt = conditions_text(rule.args);
      const ResolvedRule& resolved = profile.rules[rule.rule_index];
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
  std::string hints = dropped_rule_hints(profile, original, *name, profile.default_action.blocks());
  if (!hints.empty()) {
    // "clone with CLONE_NEWUSER needs CAP_SYS_ADMIN: ..."
    reason = call + " " + hints + "; " + reason;
  }
  verdict.reason = reason + suffix;
  return verdict;
}

}  // namespace

bool arch_in_filter(const ResolvedProfile& profile, Arch arch) {
  // libseccomp's filter context always holds the native arch; runc never removes it.
  if (arch == Arch::kX86_64) return true;
  return std::find(profile.architectures.begin(), profile.architectures.end(), arch) !=
         profile.architectures.end();
}

std::vector<EffectiveRule> effective_rules(const ResolvedProfile& profile, std::string_view syscall) {
  std::vector<EffectiveRule> out;
  for (std::size_t i = 0; i < profile.rules.size(); ++i) {
    const ResolvedRule& rule = profile.rules[i];
    if (std::find(rule.names.begin(), rule.names.end(), syscall) == rule.names.end()) continue;
    // libseccomp returns -EACCES for a rule whose action is the default action; runc skips it.
    if (rule.action == profile.default_action) continue;
    std::set<unsigned> seen;
    bool repeated = false;
    for (const ArgCondition& c : rule.args)
      repeated |= !seen.insert(c.index).second;
    if (repeated) {
      // runc: "If two or more arguments have the same condition, revert to old behavior,
      // adding each condition as a separate rule".
      for (const ArgCondition& c : rule.args)
        out.push_back({static_cast<int>(i), rule.action, {c}});
    } else {
      out.push_back({static_cast<int>(i), rule.action, rule.args});
    }
  }
  return out;
}

Verdict evaluate(const ResolvedProfile& profile, Arch arch, int nr,
                 const std::array<std::uint64_t, 6>& args) {
  return evaluate_impl(profile, nullptr, arch, nr, args);
}

Verdict evaluate(const ResolvedProfile& profile, const Profile& original, Arch arch, int nr,
                 const std::array<std::uint64_t, 6>& args) {
  return evaluate_impl(profile, &original, arch, nr, args);
}

std::string action_text(const Action& action) {
  switch (action.kind) {
    case ActionKind::kKillProcess: return "KILL_PROCESS";
    case ActionKind::kKillThread: return "KILL_THREAD";
    case ActionKind::kTrap: return "TRAP";
    case ActionKind::kErrno: return "ERRNO(" + errno_name(action.value.value_or(1)) + ")";
    case ActionKind::kNotify: return "NOTIFY";
    case ActionKind::kTrace: return "TRACE(" + std::to_string(action.value.value_or(0)) + ")";
    case ActionKind::kLog: return "LOG";
    case ActionKind::kAllow: return "ALLOW";
  }
  return "?";
}

std::string arg_condition_text(const ArgCondition& c) {
  std::string arg = "arg" + std::to_string(c.index);
  switch (c.op) {
    case CompareOp::kNe: return arg + " != " + hex(c.value);
    case CompareOp::kLt: return arg + " < " + hex(c.value);
    case CompareOp::kLe: return arg + " <= " + hex(c.value);
    case CompareOp::kEq: return arg + " == " + hex(c.value);
    case CompareOp::kGe: return arg + " >= " + hex(c.value);
    case CompareOp::kGt: return arg + " > " + hex(c.value);
    case CompareOp::kMaskedEq: return arg + " & " + hex(c.value) + " == " + hex(c.value_two);
  }
  return arg;
}

}  // namespace seccheck::analysis
