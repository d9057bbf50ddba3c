#include "analysis/merge.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "analysis/evaluate.h"

namespace seccheck::analysis {
namespace {

// What a rule does apart from the calls it names.
struct RuleShape {
  std::set<std::string> names;
  ActionKind kind;
  std::optional<std::uint32_t> value;
  std::string errno_name;
  std::vector<std::tuple<unsigned, int, std::uint64_t, std::uint64_t>> args;
  std::vector<std::string> include_caps, include_arches, exclude_caps, exclude_arches;
  std::string include_kernel, exclude_kernel;
  auto operator<=>(const RuleShape&) const = default;
};

RuleShape shape_of(const Rule& rule) {
  RuleShape shape{{rule.names.begin(), rule.names.end()},
                  rule.action.kind,
                  rule.action.value,
                  rule.errno_name,
                  {},
                  rule.includes.caps,
                  rule.includes.arches,
                  rule.excludes.caps,
                  rule.excludes.arches,
                  rule.includes.min_kernel,
                  rule.excludes.min_kernel};
  for (const ArgCondition& arg : rule.args)
    shape.args.emplace_back(arg.index, static_cast<int>(arg.op), arg.value, arg.value_two);
  return shape;
}

std::set<std::string> as_set(const std::vector<std::string>& items) {
  return {items.begin(), items.end()};
}

std::string default_text(const Profile& profile) {
  Action action = profile.default_action;
  if (action.kind == ActionKind::kErrno && !action.value) action.value = profile.default_errno_ret;
  return action_text(action);
}

std::string arches_text(const std::vector<std::string>& arches) {
  std::string out;
  for (const std::string& arch : as_set(arches))
    out += (out.empty() ? "" : ",") + arch;
  return out.empty() ? "archMap" : out;
}

}  // namespace

Result<RunRecord> merge_records(const std::vector<RunRecord>& records) {
  if (records.empty()) return make_error("merge: no records given");
  RunRecord out = records.front();
  out.calls.clear();
  out.processes = 0;
  out.calls_stopped = 0;
  out.duration_seconds = 0;
  std::map<std::string, RecordedCall> calls;
  for (const RunRecord& record : records) {
    out.complete = out.complete && record.complete;
    out.interrupted = out.interrupted || record.interrupted;
    if (out.exit_status == 0) out.exit_status = record.exit_status;
    if (!record.started_at.empty() && (out.started_at.empty() || record.started_at < out.started_at))
      out.started_at = record.started_at;
    out.processes += record.processes;
    out.calls_stopped += record.calls_stopped;
    out.duration_seconds += record.duration_seconds;
    for (const RecordedCall& call : record.calls) {
      auto [it, inserted] = calls.emplace(call.key(), call);
      if (!inserted) it->second.count += call.count;
    }
    for (const std::string& notice : record.notices)
      if (std::find(out.notices.begin(), out.notices.end(), notice) == out.notices.end())
        out.notices.push_back(notice);
  }
  for (auto& [key, call] : calls)
    out.calls.push_back(std::move(call));
  std::sort(out.calls.begin(), out.calls.end(), [](const RecordedCall& a, const RecordedCall& b) {
    return std::make_tuple(a.arch, a.nr, a.key()) < std::make_tuple(b.arch, b.nr, b.key());
  });
  if (records.size() > 1)
    out.notices.push_back("merged from " + std::to_string(records.size()) +
                          " records; command and exit status "
                          "are the first record's (exit status: the first non-zero)");
  return out;
}

Result<Profile> merge_profiles(const std::vector<Profile>& profiles) {
  if (profiles.empty()) return make_error("merge: no profiles given");
  const Profile& first = profiles.front();
  Profile out = first;
  out.rules.clear();
  out.warnings.clear();
  std::map<RuleShape, std::size_t> by_shape;  // index in out.rules
  for (const Profile& profile : profiles) {
    if (default_text(profile) != default_text(first))
      return make_error("merge: " + profile.source + " has default action " + default_text(profile) + ", " +
                        first.source + " has " + default_text(first) +
                        "; merge only profiles with one default action");
    if (as_set(profile.architectures) != as_set(first.architectures) ||
        (profile.architectures.empty() && profile.arch_map.size() != first.arch_map.size()))
      return make_error("merge: " + profile.source + " has architectures " +
                        arches_text(profile.architectures) + ", " + first.source + " has " +
                        arches_text(first.architectures) +
                        "; merge only profiles for the same architectures");
    for (const std::string& flag : profile.flags)
      if (std::find(out.flags.begin(), out.flags.end(), flag) == out.flags.end()) out.flags.push_back(flag);
    for (const Rule& rule : profile.rules) {
      auto [it, inserted] = by_shape.emplace(shape_of(rule), out.rules.size());
      if (inserted) {
        out.rules.push_back(rule);
        out.rules.back().source_index = static_cast<int>(out.rules.size() - 1);
        continue;
      }
      Rule& kept = out.rules[it->second];
      if (!rule.comment.empty() && kept.comment.find(rule.comment) == std::string::npos)
        kept.comment += (kept.comment.empty() ? "" : "; ") + rule.comment;
    }
  }
  return out;
}

}  // namespace seccheck::analysis
