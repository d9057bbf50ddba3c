#include "analysis/evaluate.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "analysis/profile_names.h"
#include "core/decode.h"
#include "core/errno_names.h"
#include "core/number_format.h"
#include "core/syscall_table.h"

namespace seccheck::analysis {

bool is_32bit_abi(Arch arch) {
  return arch == Arch::kI386 || arch == Arch::kX32 || arch == Arch::kArm;
}

namespace {

constexpr std::uint32_t kEnosys = 38;

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

}  // namespace

bool arch_in_filter(const ResolvedProfile& profile, Arch arch) {
  // libseccomp's filter context always holds the native arch; runc never removes it.
  if (arch == profile.context.host_arch) return true;
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
  Verdict verdict;
  if (!arch_in_filter(profile, arch)) {
    verdict.action = Action{ActionKind::kKillThread, std::nullopt};
    verdict.decided_by = DecidedBy::kBadArch;
    return verdict;
  }
  if (const EnosysStub* stub = enosys_stub_for(profile, arch); stub != nullptr && nr > stub->above) {
    verdict.action = Action{ActionKind::kErrno, kEnosys};
    verdict.decided_by = DecidedBy::kRuntimeStub;
    return verdict;
  }
  verdict.action = profile.default_action;
  const auto name = syscall_name(arch, nr);
  if (!name) {
    verdict.decided_by = DecidedBy::kNoSuchCall;
    return verdict;
  }
  const bool bits32 = is_32bit_abi(arch);
  const std::vector<EffectiveRule> rules = effective_rules(profile, *name);

  // An unconditional rule replaces the syscall's whole decision tree in libseccomp's db; the
  // first one added stays.
  int chosen = -1;
  for (std::size_t i = 0; i < rules.size() && chosen < 0; ++i)
    if (rules[i].args.empty()) chosen = static_cast<int>(i);
  if (chosen >= 0) {
    for (std::size_t i = 0; i < rules.size(); ++i) {
      if (static_cast<int>(i) == chosen || rules[i].action == rules[chosen].action) continue;
      verdict.set_aside_rule = static_cast<int>(i);
      break;
    }
  } else {
    std::vector<int> matching;
    for (std::size_t i = 0; i < rules.size(); ++i)
      if (rule_matches(rules[i], args, bits32)) matching.push_back(static_cast<int>(i));
    if (!matching.empty()) {
      chosen = matching.front();
      auto chosen_key = tree_order_key(rules[chosen], bits32);
      for (int i : matching) {
        auto key = tree_order_key(rules[i], bits32);
        if (key > chosen_key) {
          chosen = i;
          chosen_key = std::move(key);
        }
      }
      for (int i : matching) {
        if (rules[i].action == rules[chosen].action) continue;
        verdict.set_aside_rule = i;
        break;
      }
    }
  }
  if (chosen < 0) return verdict;  // the default action
  verdict.action = rules[chosen].action;
  verdict.decided_by = DecidedBy::kRule;
  verdict.rule_index = rules[chosen].rule_index;
  verdict.effective_rule = chosen;
  return verdict;
}

namespace {

struct DecidedByName {
  DecidedBy value;
  std::string_view name;
};
constexpr DecidedByName kDecidedByNames[] = {
    {DecidedBy::kBadArch, "bad_arch"},        {DecidedBy::kRuntimeStub, "runtime_stub"},
    {DecidedBy::kNoSuchCall, "no_such_call"}, {DecidedBy::kRule, "rule"},
    {DecidedBy::kDefault, "default"},
};

}  // namespace

std::string_view decided_by_name(DecidedBy decided_by) {
  for (const DecidedByName& entry : kDecidedByNames)
    if (entry.value == decided_by) return entry.name;
  return "default";
}

std::optional<DecidedBy> parse_decided_by(std::string_view name) {
  for (const DecidedByName& entry : kDecidedByNames)
    if (entry.name == name) return entry.value;
  return std::nullopt;
}

bool condition_holds(const ArgCondition& condition, std::uint64_t arg, Arch arch) {
  return condition_matches(condition, arg, is_32bit_abi(arch));
}

std::string action_text(const Action& action) {
  std::string name(action_kind_name(action.kind));  // not const: returned by move
  if (action.kind == ActionKind::kErrno) return name + "(" + errno_name(action.value.value_or(1)) + ")";
  if (action.kind == ActionKind::kTrace) return name + "(" + std::to_string(action.value.value_or(0)) + ")";
  return name;
}

std::string arg_condition_text(const ArgCondition& c) {
  const std::string arg = "arg" + std::to_string(c.index);
  const std::string symbol(op_name(c.op).symbol);
  if (c.op == CompareOp::kMaskedEq)
    return arg + " & " + flag_value(c.value) + " " + symbol + " " + flag_value(c.value_two);
  return arg + " " + symbol + " " + flag_value(c.value);
}

}  // namespace seccheck::analysis
