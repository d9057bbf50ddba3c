// Profile comparison for the catalog tests: two profiles are equal when they have the same
// default action and errno, the same arch map and the same multiset of rules (names as a set,
// action, args, includes, excludes); comments and rule order do not count.
#pragma once

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/profile.h"
#include "analysis/resolve.h"

namespace seccheck::testing {

inline std::string args_key(const std::vector<analysis::ArgCondition>& args) {
  std::ostringstream out;
  for (const auto& arg : args) {
    out << "a" << arg.index << ":" << static_cast<int>(arg.op) << ":" << arg.value << ":" << arg.value_two
        << ";";
  }
  return out.str();
}

inline std::string join_sorted(std::vector<std::string> list) {
  std::sort(list.begin(), list.end());
  std::string out;
  for (const auto& item : list)
    out += item + ",";
  return out;
}

inline std::string action_key(const analysis::Action& action) {
  return std::to_string(static_cast<int>(action.kind)) + "/" +
         (action.value ? std::to_string(*action.value) : "-");
}

inline std::string rule_key(const analysis::Rule& rule) {
  return "names=" + join_sorted(rule.names) + " action=" + action_key(rule.action) +
         " args=" + args_key(rule.args) + " inc=" + join_sorted(rule.includes.caps) + "|" +
         join_sorted(rule.includes.arches) + "|" + rule.includes.min_kernel +
         " exc=" + join_sorted(rule.excludes.caps) + "|" + join_sorted(rule.excludes.arches) + "|" +
         rule.excludes.min_kernel;
}

inline std::string resolved_rule_key(const std::vector<std::string>& names, const analysis::Action& action,
                                     const std::vector<analysis::ArgCondition>& args) {
  return "names=" + join_sorted(names) + " action=" + action_key(action) + " args=" + args_key(args);
}

inline std::vector<std::string> rule_keys(const analysis::Profile& profile) {
  std::vector<std::string> keys;
  for (const auto& rule : profile.rules)
    keys.push_back(rule_key(rule));
  std::sort(keys.begin(), keys.end());
  return keys;
}

inline std::string arch_map_key(const analysis::Profile& profile) {
  std::string out;
  for (const auto& entry : profile.arch_map) {
    out += entry.architecture + "[";
    for (const auto& sub : entry.sub_architectures)
      out += sub + ",";
    out += "]";
  }
  for (const auto& arch : profile.architectures)
    out += "+" + arch;
  return out;
}

inline std::string default_key(const analysis::Profile& profile) {
  auto errno_value = profile.default_action.value ? profile.default_action.value : profile.default_errno_ret;
  return std::to_string(static_cast<int>(profile.default_action.kind)) + "/" +
         (errno_value ? std::to_string(*errno_value) : "unset");
}

}  // namespace seccheck::testing
