#include "report/profile_text.h"

#include <algorithm>
#include <map>

#include "analysis/catalog.h"
#include "analysis/evaluate.h"
#include "analysis/profile_names.h"
#include "analysis/resolve.h"
#include "core/errno_names.h"
#include "core/number_format.h"

namespace seccheck::report {
namespace {

using analysis::Action;
using analysis::ActionKind;

// The effective listing: "allow", an errno's name, KILL_PROCESS, TRACE (without its value).
std::string short_action_text(const Action& action) {
  if (action.kind == ActionKind::kAllow) return "allow";
  if (action.kind == ActionKind::kErrno && action.value) return errno_name(*action.value);
  return std::string(analysis::action_kind_name(action.kind));
}

// As the file writes it: ALLOW, ERRNO(38), ERRNO (no errnoRet).
std::string raw_action_text(const Action& action) {
  std::string name(analysis::action_kind_name(action.kind));  // not const: returned by move
  if (action.kind == ActionKind::kErrno && action.value)
    return name + "(" + std::to_string(*action.value) + ")";
  return name;
}

// Rule data as listings show it: decimal up to 0xffff (errnos, families, small masks), hex above.
constexpr std::uint64_t kListingHexFrom = 0x10000;

std::string args_text(const std::vector<analysis::ArgCondition>& args) {
  if (args.empty()) return "";
  std::string out = " [";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    out += (i ? " && " : "") + std::string("arg") + std::to_string(arg.index);
    const bool masked = arg.op == analysis::CompareOp::kMaskedEq;
    if (masked) out += "&" + hex(arg.value);  // the mask, then == datum
    out += std::string(analysis::op_name(arg.op).symbol);
    out += decimal_or_hex(masked ? arg.value_two : arg.value, kListingHexFrom);
  }
  return out + "]";
}

std::string pad(const std::string& text, std::size_t width) {
  // Count UTF-8 code points so "…" lines up.
  std::size_t shown = 0;
  for (unsigned char c : text)
    shown += (c & 0xC0) != 0x80;
  return text + std::string(width > shown ? width - shown : 0, ' ');
}

std::string loader_text(analysis::ProfileLoader loader) {
  return loader == analysis::ProfileLoader::kMoby ? "moby (Docker, containerd)"
                                                  : "containers/common (CRI-O, Podman)";
}

void print_wrapped(std::ostream& out, const std::vector<std::string>& names, const std::string& indent) {
  std::string line = indent;
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::string item = names[i] + (i + 1 < names.size() ? "," : "");
    if (line.size() + item.size() + 1 > 100 && line.size() > indent.size()) {
      out << line << "\n";
      line = indent;
    }
    line += (line.size() > indent.size() ? " " : "") + item;
  }
  if (line.size() > indent.size()) out << line << "\n";
}

std::string treatment_text(const analysis::Treatment& treatment) {
  using Kind = analysis::Treatment::Kind;
  switch (treatment.kind) {
    case Kind::kBadArch: return "killed (bad arch)";
    case Kind::kRuntimeStub: return "ENOSYS (runc stub)";
    case Kind::kAction: return short_action_text(treatment.action);
    case Kind::kConditional: break;
  }
  // Sorted by text, as the comparison ignores the rules' order.
  std::vector<std::string> parts;
  for (const auto& rule : treatment.rules)
    parts.push_back(short_action_text(rule.action) + args_text(rule.args));
  std::sort(parts.begin(), parts.end());
  parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
  std::string out;
  for (const auto& part : parts)
    out += (out.empty() ? "" : "; ") + part;
  return out;
}

std::string architectures_text(const analysis::Profile& profile) {
  std::string out;
  for (const auto& row : profile.arch_map)
    out += (out.empty() ? "" : " ") + row.architecture;
  for (const auto& arch : profile.architectures)
    out += (out.empty() ? "" : " ") + arch;
  return out.empty() ? "(none)" : out;
}

std::string default_text(const analysis::Profile& profile) {
  std::string out = raw_action_text(profile.default_action);
  if (profile.default_errno_ret) out += " defaultErrnoRet " + std::to_string(*profile.default_errno_ret);
  return out;
}

std::string group_text(const analysis::RuleGroup& group) {
  std::string text = raw_action_text(group.action) + args_text(group.args);
  if (!group.condition.empty()) text += " " + group.condition;
  return text;
}

}  // namespace

void print_catalog(std::ostream& out) {
  const auto& entries = analysis::catalog_entries();
  std::size_t name_width = 4, runtime_width = 7, version_width = 7;
  for (const auto& entry : entries) {
    name_width = std::max(name_width, entry.name.size());
    runtime_width = std::max(runtime_width, entry.family.size());
    version_width = std::max(version_width, entry.version.size());
  }
  out << pad("NAME", name_width + 2) << pad("RUNTIME", runtime_width + 2) << pad("VERSION", version_width + 2)
      << pad("LATEST", 8) << "RELEASES\n";
  for (const auto& entry : entries) {
    out << pad(entry.name, name_width + 2) << pad(entry.family, runtime_width + 2)
        << pad(entry.version, version_width + 2) << pad(entry.latest ? "latest" : "", 8) << entry.releases
        << "\n";
  }
  out << "\nAlso: docker, containerd, crio, podman (latest; crio and podman = the newest containers-common "
         "release),\n"
         "runtime-default (latest docker, containerd, crio), RUNTIME@X.Y (newest X.Y release), RUNTIME@X.Y.Z "
         "(exact release),\n"
         "containers-common@main, or a profile file path.\n";
}

void print_profile(std::ostream& out, const analysis::Profile& profile) {
  const analysis::CatalogEntry* entry = analysis::catalog_entry_for(profile.name);
  out << profile.name << "\n";
  if (entry) {
    out << "  runtime:       " << entry->family << " " << entry->version << (entry->latest ? " (latest)" : "")
        << "\n  releases:      " << (entry->releases.empty() ? "(none)" : entry->releases)
        << "\n  upstream:      " << entry->source
        << "\n  loader:        " << loader_text(analysis::loader_for(entry->engine)) << "\n";
    if (!entry->parent.empty()) out << "  catalog form:  changes against " << entry->parent << "\n";
  } else {
    out << "  source:        " << profile.source << "\n";
  }
  out << "  default:       " << raw_action_text(profile.default_action);
  if (profile.default_action.kind == ActionKind::kErrno) {
    if (profile.default_errno_ret) {
      out << " (" << errno_name(*profile.default_errno_ret) << ", defaultErrnoRet "
          << *profile.default_errno_ret << ")";
    } else {
      out << " (EPERM: no defaultErrnoRet, so the runtime's EPERM)";
    }
  }
  out << "\n";
  if (!profile.architectures.empty()) {
    out << "  architectures:";
    for (const auto& arch : profile.architectures)
      out << " " << arch;
    out << "\n";
  }
  for (std::size_t i = 0; i < profile.arch_map.size(); ++i) {
    const auto& row = profile.arch_map[i];
    out << (i == 0 ? "  archMap:       " : "                 ") << row.architecture;
    for (const auto& sub : row.sub_architectures)
      out << " +" << sub;
    out << "\n";
  }
  out << "  rules (" << profile.rules.size() << ", in file order):\n";
  for (const auto& rule : profile.rules) {
    std::string head = "    " + raw_action_text(rule.action) + args_text(rule.args);
    const std::string condition = analysis::condition_text(rule);
    if (!condition.empty()) head += " " + condition;
    out << head << ":\n";
    print_wrapped(out, rule.names, "        ");
  }
}

void print_treatment_differences(std::ostream& out, const std::vector<analysis::TreatmentDifference>& rows,
                                 const std::string& left_name, const std::string& right_name, Arch arch) {
  if (rows.empty()) {
    out << "no difference: every " << arch_name(arch) << " syscall gets the same rules or default\n";
    return;
  }
  std::vector<std::pair<std::string, std::string>> texts;
  std::size_t name_width = 7, left_width = left_name.size();
  for (const auto& row : rows) {
    texts.emplace_back(treatment_text(row.left), treatment_text(row.right));
    name_width = std::max(name_width, row.syscall.size());
    left_width = std::max(left_width, texts.back().first.size());
  }
  out << pad("SYSCALL", name_width + 2) << pad(left_name, left_width + 2) << right_name << "\n";
  for (std::size_t i = 0; i < rows.size(); ++i)
    out << pad(rows[i].syscall, name_width + 2) << pad(texts[i].first, left_width + 2) << texts[i].second
        << "\n";
  out << rows.size() << " syscall" << (rows.size() == 1 ? "" : "s") << " differ\n";
}

void print_raw_difference(std::ostream& out, const analysis::RawDifference& difference,
                          const analysis::Profile& left, const analysis::Profile& right) {
  out << "raw difference " << left.name << " -> " << right.name << " (rules as written, all conditions):\n";
  if (difference.default_changed)
    out << "  default: " << default_text(left) << " -> " << default_text(right) << "\n";
  if (difference.architectures_changed)
    out << "  architectures: " << architectures_text(left) << " -> " << architectures_text(right) << "\n";
  for (const auto& [sign, groups] :
       {std::pair{'+', &difference.added}, std::pair{'-', &difference.removed}}) {
    // By the group's text, names sorted within it.
    std::map<std::string, std::vector<std::string>> by_text;
    for (const analysis::RuleGroup& group : *groups) {
      auto& names = by_text[group_text(group)];
      names.insert(names.end(), group.names.begin(), group.names.end());
    }
    for (auto& [text, names] : by_text) {
      std::sort(names.begin(), names.end());
      std::string joined;
      for (const auto& name : names)
        joined += (joined.empty() ? "" : ", ") + name;
      out << "  " << sign << " " << text << ": " << joined << "\n";
    }
  }
  if (difference.empty()) out << "  (no difference: the same rules, possibly in another order)\n";
}

void print_call_explanation(std::ostream& out, const analysis::CallExplanation& explanation,
                            const std::string& syscall) {
  const analysis::Verdict& verdict = explanation.verdict;
  const std::string word = !verdict.blocked()
                               ? (verdict.action.kind == ActionKind::kLog ? "allowed (logged)" : "allowed")
                               : "BLOCKED: " + analysis::action_text(verdict.action);
  out << "\n" << explanation.profile << ": " << word << "\n";
  out << "  " << explanation.reason << "\n";
  if (!explanation.rules.empty()) out << "  rules naming " << syscall << ":\n";
  for (const analysis::RuleInContext& entry : explanation.rules) {
    const analysis::Rule& rule = *entry.rule;
    std::string line =
        "    syscalls[" + std::to_string(rule.source_index) + "] " + analysis::action_text(entry.action);
    if (!rule.args.empty()) {
      line += " [";
      for (std::size_t i = 0; i < rule.args.size(); ++i)
        line += (i ? " && " : "") + analysis::arg_condition_text(rule.args[i]);
      line += "]";
    }
    const std::string condition = analysis::condition_text(rule);
    if (!condition.empty()) line += " " + condition;
    switch (entry.status) {
      case analysis::RuleInContext::Status::kNotInEffect: line += "  (not in effect for this context)"; break;
      case analysis::RuleInContext::Status::kDecides: line += "  <- decides"; break;
      case analysis::RuleInContext::Status::kSameAsDefault:
        line += "  (same as the default action: runc skips it)";
        break;
      case analysis::RuleInContext::Status::kInEffect: break;
    }
    out << line << "\n";
  }
  if (explanation.rules.empty()) out << "  no rule names " << syscall << "\n";
  out << "  default action: " << analysis::action_text(explanation.default_action) << "\n";
  for (const std::string& note : explanation.notes)
    out << "  note: " << note << "\n";
}

void print_containment(std::ostream& out, const analysis::ContainmentResult& result,
                       const analysis::ResolvedProfile& custom, const analysis::Profile& custom_profile,
                       const analysis::ResolvedProfile& base, const analysis::Profile& base_profile,
                       const analysis::Context& context) {
  const std::string scope = std::to_string(result.classes_checked) + " call classes on the " +
                            std::string(arch_name(context.host_arch)) + " host's ABIs; " +
                            analysis::describe(context);
  for (const std::string& call : result.incomplete)
    out << "not decided: " << call << " has too many argument classes to enumerate\n";
  if (result.counterexamples.empty()) {
    out << custom.name
        << (result.incomplete.empty() ? " is within " : " allows nothing it could decide that ") << base.name
        << (result.incomplete.empty() ? ": it allows nothing " + base.name + " blocks" : " blocks") << " ("
        << scope << ")\n";
    return;
  }
  out << custom.name << " allows " << result.counterexamples.size() << " call"
      << (result.counterexamples.size() == 1 ? "" : "s") << " " << base.name << " blocks (" << scope
      << "):\n";
  for (const analysis::Counterexample& example : result.counterexamples) {
    const analysis::CallClass& call = example.call;
    out << "  " << analysis::call_class_text(call);
    if (example.classes > 1) out << " (and " << example.classes - 1 << " more argument classes)";
    out << "\n    "
        << analysis::explain(example.custom, custom, &custom_profile, call.arch, call.nr, call.args)
        << "\n    " << analysis::explain(example.base, base, &base_profile, call.arch, call.nr, call.args)
        << "\n";
  }
}

}  // namespace seccheck::report
