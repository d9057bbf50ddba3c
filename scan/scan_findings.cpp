#include "scan/scan_findings.h"

#include <map>
#include <set>

#include "analysis/resolve.h"
#include "core/number_format.h"

namespace seccheck::scan {

bool ScanFinding::blocked_by_any() const {
  for (const ScanVerdict& v : verdicts)
    if (v.blocked) return true;
  return false;
}

bool ScanFinding::may_be_blocked_by_any() const {
  for (const ScanVerdict& v : verdicts)
    if (v.may_block) return true;
  return false;
}

namespace {

struct Resolved {
  const analysis::Profile* original;
  analysis::ResolvedProfile profile;
};

// The argument indices the profile's effective rules for `name` compare, and whether any rule is
// unconditional (then libseccomp drops the conditional ones and arguments do not matter).
std::set<unsigned> compared_args(const analysis::ResolvedProfile& profile, const std::string& name,
                                 bool& unconditional) {
  std::set<unsigned> used;
  unconditional = false;
  for (const analysis::EffectiveRule& rule : analysis::effective_rules(profile, name)) {
    if (rule.args.empty()) unconditional = true;
    for (const analysis::ArgCondition& condition : rule.args)
      used.insert(condition.index);
  }
  if (unconditional) used.clear();
  return used;
}

ScanVerdict verdict_for(const Resolved& r, const std::string& name, Arch arch, int nr,
                        const std::array<std::optional<std::uint64_t>, 6>& args) {
  ScanVerdict out;
  out.profile = r.profile.name;
  std::array<std::uint64_t, 6> values{};
  for (std::size_t i = 0; i < 6; ++i)
    values[i] = args[i].value_or(0);
  bool unconditional = false;
  const std::set<unsigned> used = compared_args(r.profile, name, unconditional);
  const analysis::EnosysStub* stub = analysis::enosys_stub_for(r.profile, arch);
  const bool independent =
      !analysis::arch_in_filter(r.profile, arch) || (stub != nullptr && nr > stub->above);
  for (unsigned index : used)
    if (!args[index] && !independent) out.unknown_args.push_back(index);
  out.verdict = analysis::evaluate(r.profile, arch, nr, values);
  if (out.unknown_args.empty()) {
    out.blocked = out.may_block = out.verdict.blocked();
    return out;
  }
  // By name: the call gets the action of a matching rule or, when none matches, the default.
  out.exact = false;
  bool all_block = r.profile.default_action.blocks(), some_block = all_block;
  for (const analysis::EffectiveRule& rule : analysis::effective_rules(r.profile, name)) {
    all_block = all_block && rule.action.blocks();
    some_block = some_block || rule.action.blocks();
  }
  out.blocked = all_block;
  out.may_block = some_block;
  return out;
}

}  // namespace

std::vector<ScanFinding> evaluate_scan(const std::vector<ReachableCall>& calls,
                                       const std::vector<analysis::Profile>& profiles,
                                       const analysis::Context& context) {
  std::vector<Resolved> resolved;
  resolved.reserve(profiles.size());
  for (const analysis::Profile& profile : profiles)
    resolved.push_back({&profile, analysis::resolve(profile, context)});
  // The arguments some profile compares, per call.
  std::map<std::string, std::set<unsigned>> relevant;
  for (const ReachableCall& call : calls) {
    if (relevant.count(call.syscall)) continue;
    std::set<unsigned>& used = relevant[call.syscall];
    for (const Resolved& r : resolved) {
      bool unconditional = false;
      for (unsigned index : compared_args(r.profile, call.syscall, unconditional))
        used.insert(index);
    }
  }
  std::map<std::string, ScanFinding> by_key;
  for (const ReachableCall& call : calls) {
    std::string key = std::string(arch_name(call.arch)) + "/" + call.syscall;
    std::array<std::optional<std::uint64_t>, 6> args;
    for (unsigned index : relevant[call.syscall]) {
      args[index] = call.args[index];
      key += "/arg" + std::to_string(index) + "=" + (call.args[index] ? hex(*call.args[index]) : "?");
    }
    ScanFinding& finding = by_key[key];
    if (finding.sites.empty()) {
      finding.key = key;
      finding.syscall = call.syscall;
      finding.arch = call.arch;
      finding.nr = call.nr;
      finding.args = args;
    }
    finding.sites.push_back(call);
  }
  std::vector<ScanFinding> out;
  for (auto& [key, finding] : by_key) {
    for (const Resolved& r : resolved)
      finding.verdicts.push_back(verdict_for(r, finding.syscall, finding.arch, finding.nr, finding.args));
    out.push_back(std::move(finding));
  }
  return out;
}

}  // namespace seccheck::scan
