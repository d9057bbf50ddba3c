#include "analysis/profile_diff.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "analysis/evaluate.h"
#include "core/syscall_table.h"

namespace seccheck::analysis {
namespace {

auto order_key(const Action& action) {
  return std::make_tuple(action.kind, action.value.has_value(), action.value.value_or(0));
}

auto order_key(const ArgCondition& c) {
  return std::make_tuple(c.index, c.op, c.value, c.value_two);
}

bool rule_less(const Treatment::ConditionalRule& a, const Treatment::ConditionalRule& b) {
  if (order_key(a.action) != order_key(b.action)) return order_key(a.action) < order_key(b.action);
  return std::lexicographical_compare(
      a.args.begin(), a.args.end(), b.args.begin(), b.args.end(),
      [](const ArgCondition& x, const ArgCondition& y) { return order_key(x) < order_key(y); });
}

// A group of rules as written: what makes two rules "the same rule" in a raw comparison.
using GroupKey =
    std::tuple<ActionKind, bool, std::uint32_t,
               std::vector<std::tuple<unsigned, CompareOp, std::uint64_t, std::uint64_t>>, std::string>;

GroupKey group_key(const Rule& rule) {
  std::vector<std::tuple<unsigned, CompareOp, std::uint64_t, std::uint64_t>> args;
  for (const ArgCondition& c : rule.args)
    args.push_back(order_key(c));
  return {rule.action.kind, rule.action.value.has_value(), rule.action.value.value_or(0), args,
          condition_text(rule)};
}

// Every (group, name) of a profile, counted: the same name twice in one group stays twice.
std::map<std::pair<GroupKey, std::string>, int> raw_items(const Profile& profile,
                                                          std::map<GroupKey, RuleGroup>& groups) {
  std::map<std::pair<GroupKey, std::string>, int> items;
  for (const Rule& rule : profile.rules) {
    const GroupKey key = group_key(rule);
    groups.try_emplace(key, RuleGroup{rule.action, rule.args, condition_text(rule), {}});
    for (const std::string& name : rule.names)
      ++items[{key, name}];
  }
  return items;
}

std::vector<RuleGroup> in_first_only(const std::map<std::pair<GroupKey, std::string>, int>& first,
                                     const std::map<std::pair<GroupKey, std::string>, int>& second,
                                     const std::map<GroupKey, RuleGroup>& groups) {
  std::map<GroupKey, RuleGroup> out;
  for (const auto& [item, count] : first) {
    auto other = second.find(item);
    const int extra = count - (other == second.end() ? 0 : other->second);
    for (int i = 0; i < extra; ++i) {
      auto [group, inserted] = out.try_emplace(item.first, groups.at(item.first));
      if (inserted) group->second.names.clear();
      group->second.names.push_back(item.second);
    }
  }
  std::vector<RuleGroup> list;
  list.reserve(out.size());
  for (auto& [key, group] : out)
    list.push_back(std::move(group));
  return list;
}

std::string architectures_text(const Profile& profile) {
  std::string out;
  for (const ArchMapEntry& row : profile.arch_map)
    out += " " + row.architecture;
  for (const std::string& arch : profile.architectures)
    out += " " + arch;
  return out;
}

}  // namespace

Treatment treatment(const ResolvedProfile& profile, Arch arch, int nr) {
  Treatment out;
  if (!arch_in_filter(profile, arch)) {
    out.kind = Treatment::Kind::kBadArch;
    return out;
  }
  if (const EnosysStub* stub = enosys_stub_for(profile, arch); stub != nullptr && nr > stub->above) {
    out.kind = Treatment::Kind::kRuntimeStub;
    return out;
  }
  const auto name = syscall_name(arch, nr);
  const std::vector<EffectiveRule> rules =
      name ? effective_rules(profile, *name) : std::vector<EffectiveRule>{};
  const bool unconditional =
      std::any_of(rules.begin(), rules.end(), [](const EffectiveRule& rule) { return rule.args.empty(); });
  if (rules.empty() || unconditional) {
    // The default action, or the unconditional rule that decides alone (libseccomp drops the
    // conditional ones; among unconditional ones the first added wins): the evaluator's answer.
    out.action = evaluate(profile, arch, nr, {}).action;
    return out;
  }
  out.kind = Treatment::Kind::kConditional;
  for (const EffectiveRule& rule : rules)
    out.rules.push_back({rule.action, rule.args});
  std::sort(out.rules.begin(), out.rules.end(), rule_less);
  out.rules.erase(std::unique(out.rules.begin(), out.rules.end()), out.rules.end());
  return out;
}

std::vector<TreatmentDifference> treatment_differences(const ResolvedProfile& left,
                                                       const ResolvedProfile& right, Arch arch) {
  std::vector<TreatmentDifference> out;
  for (const SyscallEntry& entry : syscall_table()) {
    const int nr = syscall_number_on(entry, arch);
    if (nr < 0) continue;
    Treatment a = treatment(left, arch, nr);
    Treatment b = treatment(right, arch, nr);
    if (a == b) continue;
    out.push_back({std::string(entry.name), std::move(a), std::move(b)});
  }
  std::sort(out.begin(), out.end(),
            [](const TreatmentDifference& x, const TreatmentDifference& y) { return x.syscall < y.syscall; });
  return out;
}

RawDifference raw_difference(const Profile& left, const Profile& right) {
  RawDifference out;
  out.default_changed =
      left.default_action != right.default_action || left.default_errno_ret != right.default_errno_ret;
  out.architectures_changed = architectures_text(left) != architectures_text(right);
  std::map<GroupKey, RuleGroup> groups;
  const auto items_left = raw_items(left, groups);
  const auto items_right = raw_items(right, groups);
  out.added = in_first_only(items_right, items_left, groups);
  out.removed = in_first_only(items_left, items_right, groups);
  return out;
}

}  // namespace seccheck::analysis
