#include "analysis/generate.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "analysis/catalog.h"
#include "analysis/evaluate.h"
#include "analysis/explain.h"
#include "analysis/oci_runtime_calls.h"
#include "analysis/profile_names.h"
#include "analysis/profile_parser.h"
#include "core/number_format.h"
#include "core/syscall_table.h"

namespace seccheck::analysis {
namespace {

constexpr std::uint32_t kEperm = 1;

// One addition: a syscall name and the EQ conditions that narrow it (empty: unconditional).
struct AdditionKey {
  std::string name;
  std::vector<std::pair<unsigned, std::uint64_t>> args;
  auto operator<=>(const AdditionKey&) const = default;
};

struct AdditionInfo {
  std::uint64_t count = 0;
  std::set<std::string> executables;
  std::set<Arch> arches;
  std::vector<const RecordedCall*> calls;
};

// The argument indices the rules for `name` condition on, in the context (rules for other
// arches, e.g. s390's clone on arg1, are not there).
std::set<unsigned> conditioned_indices(const ResolvedProfile& profile, const std::string& name) {
  std::set<unsigned> out;
  for (const ResolvedRule& rule : profile.rules) {
    if (std::find(rule.names.begin(), rule.names.end(), name) == rule.names.end()) continue;
    for (const ArgCondition& condition : rule.args)
      out.insert(condition.index);
  }
  return out;
}

std::string join(const std::set<std::string>& items, const std::string& separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::string arches_text(const std::set<Arch>& arches) {
  std::set<std::string> names;
  for (Arch arch : arches)
    names.insert(std::string(arch_name(arch)));
  return join(names, ", ");
}

std::string addition_comment(const AdditionKey& key, const AdditionInfo& info) {
  std::string what = key.name;
  if (!key.args.empty()) {
    what += " with";
    for (const auto& [index, value] : key.args)
      what += " arg" + std::to_string(index) + " == " + hex(value);
  }
  std::string executables =
      info.executables.empty() ? std::string("the workload") : join(info.executables, ", ");
  return "seccheck generate: " + what + " (" + arches_text(info.arches) + "), made by " + executables + ", " +
         std::to_string(info.count) + (info.count == 1 ? " call" : " calls");
}

Rule addition_rule(const AdditionKey& key, const AdditionInfo& info) {
  Rule rule;
  rule.names = {key.name};
  rule.action = Action{ActionKind::kAllow, std::nullopt};
  for (const auto& [index, value] : key.args)
    rule.args.push_back(ArgCondition{index, CompareOp::kEq, value, 0});
  rule.comment = addition_comment(key, info);
  return rule;
}

// Makes `arch` part of the profile's filter, in the form the profile already uses.
void add_architecture(Profile& profile, Arch arch, std::vector<std::string>& notes) {
  const std::string scmp(scmp_arch_name(arch));
  if (!profile.architectures.empty() || profile.arch_map.empty()) {
    if (std::find(profile.architectures.begin(), profile.architectures.end(), scmp) ==
        profile.architectures.end()) {
      if (profile.architectures.empty()) profile.architectures.emplace_back(scmp_arch_name(Arch::kX86_64));
      profile.architectures.push_back(scmp);
    }
  } else {
    for (ArchMapEntry& entry : profile.arch_map) {
      if (entry.architecture != scmp_arch_name(Arch::kX86_64)) continue;
      if (std::find(entry.sub_architectures.begin(), entry.sub_architectures.end(), scmp) ==
          entry.sub_architectures.end())
        entry.sub_architectures.push_back(scmp);
    }
  }
  notes.push_back("added architecture " + scmp + ": the run made " + std::string(arch_name(arch)) + " calls");
}

bool names_syscall(const Rule& rule, const std::string& name) {
  return std::find(rule.names.begin(), rule.names.end(), name) != rule.names.end();
}

// Removes `name` from rule `index`, splitting it off so the rule keeps its other names.
void remove_name(Profile& profile, std::size_t index, const std::string& name) {
  Rule& rule = profile.rules[index];
  rule.names.erase(std::remove(rule.names.begin(), rule.names.end(), name), rule.names.end());
  if (rule.names.empty()) profile.rules.erase(profile.rules.begin() + static_cast<std::ptrdiff_t>(index));
}

// The ENOSYS answers check --impact found enough: first in the profile, each as narrow as an
// allow addition would be, checked with evaluate().
void add_enosys_rules(const GenerateRequest& request, const ResolvedProfile& base_resolved,
                      const Context& context, GeneratedProfile& result) {
  Profile& out = result.profile;
  std::size_t added = 0;
  for (const RecordedCall& call : request.enosys_calls) {
    auto name = syscall_name(call.arch, call.nr);
    if (!name) {
      result.unresolved.push_back(call.key() + ": no syscall of that number, a profile cannot name it");
      continue;
    }
    Rule rule;
    rule.names = {std::string(*name)};
    rule.action = Action{ActionKind::kErrno, 38};
    const std::set<unsigned> narrow = conditioned_indices(base_resolved, rule.names.front());
    std::string what = rule.names.front();
    for (unsigned index : call.kept_args) {
      if (!narrow.count(index)) continue;
      rule.args.push_back(ArgCondition{index, CompareOp::kEq, call.args[index], 0});
      what += " arg" + std::to_string(index) + " == " + hex(call.args[index]);
    }
    rule.comment = "seccheck generate: " + what +
                   " answered ENOSYS: check --impact found the workload falls back on ENOSYS (the call stays "
                   "blocked)";
    out.rules.insert(out.rules.begin() + static_cast<std::ptrdiff_t>(added++), rule);
    ++result.additions;
    const ResolvedProfile resolved = resolve(out, context);
    const Verdict verdict = evaluate(resolved, call.arch, call.nr, call.args);
    if (verdict.action.kind != ActionKind::kErrno || verdict.action.value != 38u)
      result.notes.push_back(call.key() + ": the ENOSYS rule did not take effect, the profile answers " +
                             action_text(verdict.action));
  }
}

Result<GeneratedProfile> generate_from_base(const GenerateRequest& request) {
  const Context context = context_for_engine(request.context, request.engine);
  GeneratedProfile result;
  Profile& out = result.profile;
  const ResolvedProfile base_resolved = resolve(*request.base, context);
  out = request.engine == Engine::kContainerd ? flatten_profile(base_resolved, *request.base) : *request.base;
  out.name = request.name;
  out.source = "seccheck generate";
  out.warnings.clear();
  if (request.engine == Engine::kContainerd)
    result.notes.push_back("containerd reads a Localhost profile as a flat runtime-spec object without "
                           "includes/excludes: " +
                           request.base->name + " was resolved for " + describe(context));

  // The additions: one per (name, values of the arguments the base conditions on).
  std::map<AdditionKey, AdditionInfo> additions;
  std::set<Arch> arches_needed;
  for (const RecordedCall& call : request.calls) {
    Verdict verdict = evaluate(base_resolved, call.arch, call.nr, call.args);
    if (!verdict.blocked()) continue;
    auto name = syscall_name(call.arch, call.nr);
    if (!name) {
      result.unresolved.push_back(call.key() + ": no syscall of that number, a profile cannot name it");
      continue;
    }
    if (verdict.bad_arch()) arches_needed.insert(call.arch);
    AdditionKey key{std::string(*name), {}};
    std::set<unsigned> narrow = conditioned_indices(base_resolved, key.name);
    for (unsigned index : call.kept_args)
      if (narrow.count(index)) key.args.emplace_back(index, call.args[index]);
    if (!narrow.empty() && key.args.empty())
      result.notes.push_back(key.name +
                             ": the record kept none of the arguments the base conditions on; allowed "
                             "unconditionally");
    AdditionInfo& info = additions[key];
    info.count += call.count;
    if (!call.executable.empty()) info.executables.insert(call.executable);
    info.arches.insert(call.arch);
    info.calls.push_back(&call);
  }
  for (Arch arch : arches_needed)
    add_architecture(out, arch, result.notes);

  // Additions go first: among unconditional rules for one call libseccomp keeps the first added.
  std::vector<Rule> added;
  added.reserve(additions.size());
  for (const auto& [key, info] : additions)
    added.push_back(addition_rule(key, info));
  result.additions = added.size();
  out.rules.insert(out.rules.begin(), added.begin(), added.end());

  // Check that each addition takes effect under libseccomp's merge semantics; where a blocking
  // rule of the base still wins, take the call's name out of it (keeping its action for every
  // other call as a catch-all the EQ addition outranks, see evaluate.h).
  for (const auto& [key, info] : additions) {
    for (const RecordedCall* call : info.calls) {
      for (int attempt = 0;; ++attempt) {
        const ResolvedProfile resolved = resolve(out, context);
        Verdict verdict = evaluate(resolved, call->arch, call->nr, call->args);
        if (!verdict.blocked()) break;
        const std::string why = explain(verdict, resolved, nullptr, call->arch, call->nr, call->args);
        int rule_index = verdict.rule_index;
        if (attempt >= 4 || rule_index < 0) {
          result.unresolved.push_back(call->key() + ": still " + action_text(verdict.action) + ": " + why);
          break;
        }
        const std::size_t source =
            static_cast<std::size_t>(resolved.rules[static_cast<std::size_t>(rule_index)].source_index);
        Rule blocking = out.rules[source];
        if (!names_syscall(blocking, key.name)) {
          result.unresolved.push_back(call->key() + ": still " + action_text(verdict.action) + ": " + why);
          break;
        }
        remove_name(out, source, key.name);
        if (blocking.args.empty()) {
          // An unconditional rule made libseccomp drop every other rule of the call; those
          // rules must stay dead once it is gone, or they would allow what the base denied.
          for (std::size_t i = out.rules.size(); i-- > additions.size();)
            if (names_syscall(out.rules[i], key.name)) remove_name(out, i, key.name);
        }
        std::string note = "took " + key.name + " out of the " + action_text(blocking.action) + " rule" +
                           (blocking.comment.empty() ? std::string() : " \"" + blocking.comment + "\"") +
                           ", which outranked the addition";
        if (blocking.args.empty() && !key.args.empty()) {
          // The unconditional blocking rule becomes a catch-all on arg0 >= 0: it still answers
          // every other call with its action, and libseccomp tests the EQ addition first.
          Rule catch_all = blocking;
          catch_all.names = {key.name};
          catch_all.args = {ArgCondition{0, CompareOp::kGe, 0, 0}};
          catch_all.comment = "seccheck generate: " + action_text(blocking.action) + " for every other " +
                              key.name + " call (was unconditional; the narrower allow above outranks it)";
          out.rules.insert(out.rules.begin() + static_cast<std::ptrdiff_t>(additions.size()), catch_all);
          note += "; kept as a catch-all for every other call";
        }
        result.notes.push_back(note);
      }
    }
  }
  add_enosys_rules(request, base_resolved, context, result);
  return result;
}

Result<GeneratedProfile> generate_minimal(const GenerateRequest& request) {
  GeneratedProfile result;
  Profile& out = result.profile;
  out.name = request.name;
  out.source = "seccheck generate --minimal";
  out.default_action = Action{ActionKind::kErrno, kEperm};
  out.default_errno_ret = kEperm;

  std::set<Arch> arches{Arch::kX86_64};
  std::map<std::string, AdditionInfo> observed;
  for (const RecordedCall& call : request.calls) {
    auto name = syscall_name(call.arch, call.nr);
    if (!name) {
      result.unresolved.push_back(call.key() + ": no syscall of that number, a profile cannot name it");
      continue;
    }
    arches.insert(call.arch);
    AdditionInfo& info = observed[std::string(*name)];
    info.count += call.count;
    if (!call.executable.empty()) info.executables.insert(call.executable);
    info.arches.insert(call.arch);
  }
  for (Arch arch : arches)
    out.architectures.emplace_back(scmp_arch_name(arch));

  for (const auto& [name, info] : observed) {
    Rule rule = addition_rule(AdditionKey{name, {}}, info);
    out.rules.push_back(std::move(rule));
  }
  Rule essentials;
  essentials.action = Action{ActionKind::kAllow, std::nullopt};
  std::string why;
  for (const EssentialCall& call : essential_calls()) {
    if (observed.count(call.name)) continue;
    essentials.names.emplace_back(call.name);
    why += std::string(why.empty() ? "" : "; ") + call.name + ": " + call.why;
  }
  // The runtime's own calls below skip these: they are allowed already.
  const std::vector<std::string> essential_names = essentials.names;
  if (!essentials.names.empty()) {
    std::sort(essentials.names.begin(), essentials.names.end());
    essentials.comment =
        "seccheck generate --minimal: not seen in the run, but needed to start or end a process: " + why;
    out.rules.push_back(std::move(essentials));
    result.notes.push_back("added calls the run did not show but any process may need: " +
                           std::to_string(out.rules.back().names.size()));
  }
  // What the OCI runtime itself makes under the filter before the entrypoint runs (measured).
  const OciRuntimeCalls& runtime = oci_runtime_calls(request.context.oci_runtime);
  Rule runtime_rule;
  runtime_rule.action = Action{ActionKind::kAllow, std::nullopt};
  for (const OciRuntimeCall& call : runtime.calls) {
    if (observed.count(call.name) || std::count(essential_names.begin(), essential_names.end(), call.name))
      continue;
    runtime_rule.names.push_back(call.name);
  }
  if (!runtime_rule.names.empty()) {
    runtime_rule.comment =
        "seccheck generate --minimal: " + runtime.runtime + " " + runtime.version +
        " makes these between loading the filter and executing the entrypoint (measured by "
        "tracing it; seccheck's analysis/oci_runtime_calls.csv)";
    result.notes.push_back("added the calls " + runtime.runtime + " " + runtime.version +
                           " makes before the entrypoint runs: " + std::to_string(runtime_rule.names.size()) +
                           " (--runtime chooses the runtime)");
    out.rules.push_back(std::move(runtime_rule));
  }
  result.additions = out.rules.size();
  return result;
}

}  // namespace

Result<ImpactChanges> impact_changes(const CheckReport& report, const std::string& profile,
                                     const std::string& source) {
  if (!report.impact)
    return make_error(source + ": not a `seccheck check --impact` report (it has no impact)");
  bool checked = false;
  std::string names;
  for (const CheckedProfile& checked_profile : report.profiles) {
    checked = checked || checked_profile.name == profile;
    names += (names.empty() ? "" : ", ") + checked_profile.name;
  }
  if (!checked)
    return make_error(source + ": checked " + names + ", not the base " + profile +
                      "; give --base one of them or check with --profile for this base");
  ImpactChanges changes;
  changes.command = report.command;
  for (const Finding& finding : report.findings) {
    for (const FindingImpact& impact : finding.impacts) {
      if (impact.profile != profile) continue;
      if (impact.kind == ImpactKind::kRecovers)
        ++changes.recovering;
      else if (impact.kind == ImpactKind::kBreaks && impact.fix == ImpactFix::kEnosys)
        changes.enosys.push_back(finding.call);
      else
        changes.allow.push_back(finding.call);
    }
  }
  return changes;
}

Engine engine_of(const Profile* base) {
  const CatalogEntry* entry = base != nullptr ? catalog_entry_for(base->name) : nullptr;
  return entry != nullptr ? entry->engine : Engine::kDocker;
}

Result<ProfileForm> parse_profile_form(const std::string& text) {
  if (text == "oci") return ProfileForm::kOci;
  if (text == "spo") return ProfileForm::kSpo;
  if (text == "pod") return ProfileForm::kPod;
  return make_error("--format " + text + ": expected oci, spo or pod");
}

std::string profile_in_form(const Profile& profile, ProfileForm form, Engine engine, const Context& context,
                            const std::string& name) {
  switch (form) {
    case ProfileForm::kOci: return profile_to_json(profile) + "\n";
    case ProfileForm::kSpo:
      return profile_to_spo_yaml(
          flatten_profile(resolve(profile, context_for_engine(context, engine)), profile), name);
    case ProfileForm::kPod: return pod_security_context_yaml(name);
  }
  return {};
}

Context context_for_engine(const Context& context, Engine engine) {
  Context out = context;
  out.engine = engine;
  return out;
}

Profile flatten_profile(const ResolvedProfile& resolved, const Profile& original) {
  Profile out;
  out.name = resolved.name;
  out.source = original.source;
  out.default_action = resolved.default_action;
  if (resolved.default_action.kind == ActionKind::kErrno) {
    out.default_errno_ret = resolved.default_action.value.value_or(kEperm);
    out.default_action.value = out.default_errno_ret;
  }
  for (Arch arch : resolved.architectures) {
    std::string scmp(scmp_arch_name(arch));
    if (std::find(out.architectures.begin(), out.architectures.end(), scmp) == out.architectures.end())
      out.architectures.push_back(scmp);
  }
  out.flags = original.flags;
  out.listener_path = original.listener_path;
  out.listener_metadata = original.listener_metadata;
  for (const ResolvedRule& resolved_rule : resolved.rules) {
    Rule rule;
    rule.names = resolved_rule.names;
    rule.action = resolved_rule.action;
    rule.args = resolved_rule.args;
    if (resolved_rule.source_index >= 0 &&
        static_cast<std::size_t>(resolved_rule.source_index) < original.rules.size())
      rule.comment = original.rules[static_cast<std::size_t>(resolved_rule.source_index)].comment;
    out.rules.push_back(std::move(rule));
  }
  return out;
}

std::vector<EssentialCall> essential_calls() {
  std::vector<const SyscallEntry*> entries;
  for (const SyscallEntry& entry : all_syscall_rows())
    if (entry.essential()) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(), [](const SyscallEntry* a, const SyscallEntry* b) {
    return a->essential_rank < b->essential_rank;
  });
  std::vector<EssentialCall> calls;
  calls.reserve(entries.size());
  for (const SyscallEntry* entry : entries)
    calls.push_back({std::string(entry->name), std::string(entry->essential_why)});
  return calls;
}

Result<void> record_fits_generate(const RunRecord& record, const std::string& source, bool minimal,
                                  bool allow_partial) {
  if (record.interrupted && !allow_partial)
    return make_error(source +
                      ": the recorded run was interrupted, so the record is partial: a profile from it would "
                      "miss every call made after that; record the run again, or give --allow-partial");
  if (!record.complete && minimal)
    return make_error(source +
                      ": holds only the calls its check flagged; --minimal needs a complete record (seccheck "
                      "check --record FILE -- CMD)");
  return {};
}

Result<GeneratedProfile> generate_profile(const GenerateRequest& request) {
  if (request.base == nullptr) return generate_minimal(request);
  return generate_from_base(request);
}

std::string kubernetes_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    out += ok ? c : '-';
  }
  while (!out.empty() && (out.front() == '-' || out.front() == '.'))
    out.erase(out.begin());
  while (!out.empty() && (out.back() == '-' || out.back() == '.'))
    out.pop_back();
  return out.empty() ? std::string("seccheck-profile") : out;
}

namespace {

// A YAML comment line: the text on one line, no control characters.
std::string yaml_comment(const std::string& indent, const std::string& text) {
  std::string clean;
  for (char c : text)
    clean += (c == '\n' || c == '\r') ? ' ' : c;
  return indent + "# " + clean + "\n";
}

}  // namespace

std::string profile_to_spo_yaml(const Profile& flat_profile, const std::string& name) {
  std::ostringstream out;
  out << "# Security Profiles Operator SeccompProfile, written by seccheck generate.\n";
  out << "# Apply with: kubectl apply -f FILE; the operator installs it on every node and pods use it as\n";
  out << "#   localhostProfile: operator/NAMESPACE/" << kubernetes_name(name) << ".json\n";
  out << "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n";
  out << "kind: SeccompProfile\n";
  out << "metadata:\n";
  out << "  name: " << kubernetes_name(name) << "\n";
  out << "spec:\n";
  out << "  defaultAction: " << scmp_action_name(flat_profile.default_action.kind) << "\n";
  if (flat_profile.default_action.kind == ActionKind::kErrno &&
      flat_profile.default_action.value.value_or(kEperm) != kEperm)
    out << yaml_comment("  ",
                        "the default errno is EPERM here: the SeccompProfile CRD has no defaultErrnoRet");
  if (!flat_profile.architectures.empty()) {
    out << "  architectures:\n";
    for (const std::string& arch : flat_profile.architectures)
      out << "  - " << arch << "\n";
  }
  if (!flat_profile.flags.empty()) {
    out << "  flags:\n";
    for (const std::string& flag : flat_profile.flags)
      out << "  - " << flag << "\n";
  }
  out << "  syscalls:\n";
  for (const Rule& rule : flat_profile.rules) {
    if (!rule.comment.empty()) out << yaml_comment("  ", rule.comment);
    out << "  - action: " << scmp_action_name(rule.action.kind) << "\n";
    if (rule.action.kind == ActionKind::kErrno && rule.action.value)
      out << "    errnoRet: " << *rule.action.value << "\n";
    out << "    names:\n";
    for (const std::string& syscall : rule.names)
      out << "    - " << syscall << "\n";
    if (!rule.args.empty()) {
      out << "    args:\n";
      for (const ArgCondition& arg : rule.args) {
        out << "    - index: " << arg.index << "\n";
        out << "      op: " << op_name(arg.op).scmp << "\n";
        out << "      value: " << arg.value << "\n";
        out << "      valueTwo: " << arg.value_two << "\n";
      }
    }
  }
  return out.str();
}

std::string pod_security_context_yaml(const std::string& name) {
  const std::string file = kubernetes_name(name) + ".json";
  std::ostringstream out;
  out << "# Pod securityContext using the generated profile as a Localhost seccomp profile.\n";
  out << "# localhostProfile is relative to the kubelet's seccomp directory, <kubelet root>/seccomp:\n";
  out << "# save the profile (seccheck generate --format oci --name " << kubernetes_name(name) << " -o "
      << file << ")\n";
  out << "# on every node as /var/lib/kubelet/seccomp/profiles/" << file << " (the default kubelet root).\n";
  out << "securityContext:\n";
  out << "  seccompProfile:\n";
  out << "    type: Localhost\n";
  out << "    localhostProfile: profiles/" << file << "\n";
  return out.str();
}

}  // namespace seccheck::analysis
