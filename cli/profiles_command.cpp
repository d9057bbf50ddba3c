// seccheck profiles list | show NAME [--json] | diff A B [--raw] [context options]
//                  | within CUSTOM BASE [--arch A] [context options]
//
// `diff` compares what two profiles do for one context, per syscall (the rules that name it
// after resolution, or the default action), the way the reference README's tables do; the
// same rules in another order compare equal. `--raw` compares the files as written: rules
// added and removed, with their conditions, grouped like "+ ALLOW if CAP_SYS_ADMIN: clone3".
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "analysis/catalog.h"
#include "analysis/containment.h"
#include "analysis/evaluate.h"
#include "analysis/explain.h"
#include "analysis/profile_names.h"
#include "analysis/profile_parser.h"
#include "analysis/resolve.h"
#include "cli/commands.h"
#include "cli/context_options.h"
#include "cli/help_example.h"
#include "cli/value_kind.h"
#include "core/errno_names.h"
#include "core/error.h"
#include "core/number_format.h"
#include "core/syscall_table.h"

namespace seccheck::cli {
namespace {

using analysis::Action;
using analysis::ActionKind;

struct ProfilesOptions {
  std::string show_name;
  bool show_json = false;
  std::string diff_a, diff_b;
  bool diff_raw = false;
  std::string diff_arch = "x86_64";
  std::string within_custom, within_base;
  ContextOptions context;
};

std::vector<analysis::Profile> load_or_fail(const std::string& name) {
  auto profiles = analysis::load_profiles(name);
  if (!profiles) throw UserError(ExitCode::kUsage, profiles.error().message);
  return std::move(*profiles);
}

// The effective listing: "allow", an errno's name, KILL_PROCESS, TRACE (without its value).
std::string short_action_text(const Action& action) {
  if (action.kind == ActionKind::kAllow) return "allow";
  if (action.kind == ActionKind::kErrno && action.value) return errno_name(*action.value);
  return std::string(analysis::action_kind_name(action.kind));
}

// As the file writes it: ALLOW, ERRNO(38), ERRNO (no errnoRet).
std::string raw_action_text(const Action& action) {
  const std::string name(analysis::action_kind_name(action.kind));
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

int run_list() {
  const auto& entries = analysis::catalog_entries();
  std::size_t name_width = 4, runtime_width = 7, version_width = 7;
  for (const auto& entry : entries) {
    name_width = std::max(name_width, entry.name.size());
    runtime_width = std::max(runtime_width, entry.runtime.size());
    version_width = std::max(version_width, entry.version.size());
  }
  std::cout << pad("NAME", name_width + 2) << pad("RUNTIME", runtime_width + 2)
            << pad("VERSION", version_width + 2) << pad("LATEST", 8) << "RELEASES\n";
  for (const auto& entry : entries) {
    std::cout << pad(entry.name, name_width + 2) << pad(entry.runtime, runtime_width + 2)
              << pad(entry.version, version_width + 2) << pad(entry.latest ? "latest" : "", 8)
              << entry.releases << "\n";
  }
  std::cout
      << "\nAlso: docker, containerd, crio, podman (latest; crio and podman = the newest containers-common "
         "release),\n"
         "runtime-default (latest docker, containerd, crio), RUNTIME@X.Y (newest X.Y release), RUNTIME@X.Y.Z "
         "(exact release),\n"
         "containers-common@main, or a profile file path.\n";
  return 0;
}

void print_wrapped(const std::vector<std::string>& names, const std::string& indent) {
  std::string line = indent;
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::string item = names[i] + (i + 1 < names.size() ? "," : "");
    if (line.size() + item.size() + 1 > 100 && line.size() > indent.size()) {
      std::cout << line << "\n";
      line = indent;
    }
    line += (line.size() > indent.size() ? " " : "") + item;
  }
  if (line.size() > indent.size()) std::cout << line << "\n";
}

void show_profile(const analysis::Profile& profile) {
  const analysis::CatalogEntry* entry = analysis::catalog_entry_for(profile.name);
  std::cout << profile.name << "\n";
  if (entry) {
    std::cout << "  runtime:       " << entry->runtime << " " << entry->version
              << (entry->latest ? " (latest)" : "")
              << "\n  releases:      " << (entry->releases.empty() ? "(none)" : entry->releases)
              << "\n  upstream:      " << entry->source << "\n  loader:        " << loader_text(entry->loader)
              << "\n";
    if (!entry->parent.empty()) std::cout << "  catalog form:  changes against " << entry->parent << "\n";
  } else {
    std::cout << "  source:        " << profile.source << "\n";
  }
  std::cout << "  default:       " << raw_action_text(profile.default_action);
  if (profile.default_action.kind == ActionKind::kErrno) {
    if (profile.default_errno_ret) {
      std::cout << " (" << errno_name(*profile.default_errno_ret) << ", defaultErrnoRet "
                << *profile.default_errno_ret << ")";
    } else {
      std::cout << " (EPERM: no defaultErrnoRet, so the runtime's EPERM)";
    }
  }
  std::cout << "\n";
  if (!profile.architectures.empty()) {
    std::cout << "  architectures:";
    for (const auto& arch : profile.architectures)
      std::cout << " " << arch;
    std::cout << "\n";
  }
  for (std::size_t i = 0; i < profile.arch_map.size(); ++i) {
    const auto& row = profile.arch_map[i];
    std::cout << (i == 0 ? "  archMap:       " : "                 ") << row.architecture;
    for (const auto& sub : row.sub_architectures)
      std::cout << " +" << sub;
    std::cout << "\n";
  }
  std::cout << "  rules (" << profile.rules.size() << ", in file order):\n";
  for (const auto& rule : profile.rules) {
    std::string head = "    " + raw_action_text(rule.action) + args_text(rule.args);
    const std::string condition = analysis::condition_text(rule);
    if (!condition.empty()) head += " " + condition;
    std::cout << head << ":\n";
    print_wrapped(rule.names, "        ");
  }
}

int run_show(const ProfilesOptions& options) {
  const auto profiles = load_or_fail(options.show_name);
  if (options.show_json) {
    if (profiles.size() == 1) {
      std::cout << analysis::profile_to_json(profiles.front()) << "\n";
    } else {
      // Several (runtime-default): a JSON array of the profiles.
      nlohmann::ordered_json array = nlohmann::ordered_json::array();
      for (const auto& profile : profiles)
        array.push_back(nlohmann::ordered_json::parse(analysis::profile_to_json(profile)));
      std::cout << array.dump(2) << "\n";
    }
    return 0;
  }
  if (auto match = analysis::resolve_catalog_name(options.show_name); match && !match->explanation.empty()) {
    std::cout << match->explanation << "\n\n";
  }
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    if (i) std::cout << "\n";
    show_profile(profiles[i]);
  }
  return 0;
}

const analysis::Profile& single(const std::vector<analysis::Profile>& profiles, const std::string& name) {
  if (profiles.size() != 1) {
    throw UserError(ExitCode::kUsage,
                    "profiles diff: '" + name + "' names " + std::to_string(profiles.size()) +
                        " profiles; compare one against one (e.g. docker, containerd, crio)");
  }
  return profiles.front();
}

// What one resolved profile does with `name` on `arch`: its rules (sorted, so order does
// not matter) or the default action.
std::string effective(const analysis::ResolvedProfile& profile, Arch arch, const std::string& name, int nr) {
  if (std::find(profile.architectures.begin(), profile.architectures.end(), arch) ==
      profile.architectures.end()) {
    return "killed (bad arch)";
  }
  if (const auto* stub = analysis::enosys_stub_for(profile, arch); stub && nr > stub->above) {
    return "ENOSYS (runc stub)";
  }
  std::set<std::string> parts;
  bool unconditional = false;
  for (const auto& rule : profile.rules) {
    if (std::find(rule.names.begin(), rule.names.end(), name) == rule.names.end()) continue;
    parts.insert(short_action_text(rule.action) + args_text(rule.args));
    unconditional |= rule.args.empty();
  }
  if (parts.empty()) return short_action_text(profile.default_action);
  // An unconditional rule decides alone (libseccomp drops the conditional ones; among
  // unconditional ones the first added wins): take the evaluator's verdict.
  if (unconditional) return short_action_text(analysis::evaluate(profile, arch, nr, {}).action);
  std::string out;
  for (const auto& part : parts)
    out += (out.empty() ? "" : "; ") + part;
  return out;
}

struct RawItem {
  std::string group;  // "ALLOW [arg0!=40] if CAP_SYS_ADMIN"
  std::string name;
  auto operator<=>(const RawItem&) const = default;
};

std::multiset<RawItem> raw_items(const analysis::Profile& profile) {
  std::multiset<RawItem> items;
  for (const auto& rule : profile.rules) {
    std::string group = raw_action_text(rule.action) + args_text(rule.args);
    const std::string condition = analysis::condition_text(rule);
    if (!condition.empty()) group += " " + condition;
    for (const auto& name : rule.names)
      items.insert({group, name});
  }
  return items;
}

std::string arch_map_text(const analysis::Profile& profile) {
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

int run_raw_diff(const analysis::Profile& a, const analysis::Profile& b) {
  std::cout << "raw difference " << a.name << " -> " << b.name << " (rules as written, all conditions):\n";
  int changes = 0;
  if (default_text(a) != default_text(b)) {
    std::cout << "  default: " << default_text(a) << " -> " << default_text(b) << "\n";
    ++changes;
  }
  if (arch_map_text(a) != arch_map_text(b)) {
    std::cout << "  architectures: " << arch_map_text(a) << " -> " << arch_map_text(b) << "\n";
    ++changes;
  }
  const auto items_a = raw_items(a), items_b = raw_items(b);
  std::vector<RawItem> removed, added;
  std::set_difference(items_a.begin(), items_a.end(), items_b.begin(), items_b.end(),
                      std::back_inserter(removed));
  std::set_difference(items_b.begin(), items_b.end(), items_a.begin(), items_a.end(),
                      std::back_inserter(added));
  for (const auto& [sign, list] : {std::pair{'+', &added}, std::pair{'-', &removed}}) {
    std::map<std::string, std::vector<std::string>> groups;
    for (const auto& item : *list)
      groups[item.group].push_back(item.name);
    for (const auto& [group, names] : groups) {
      std::string joined;
      for (const auto& name : names)
        joined += (joined.empty() ? "" : ", ") + name;
      std::cout << "  " << sign << " " << group << ": " << joined << "\n";
      ++changes;
    }
  }
  if (changes == 0) std::cout << "  (no difference: the same rules, possibly in another order)\n";
  return 0;
}

int run_diff(const ProfilesOptions& options) {
  const auto profiles_a = load_or_fail(options.diff_a);
  const auto profiles_b = load_or_fail(options.diff_b);
  const analysis::Profile& a = single(profiles_a, options.diff_a);
  const analysis::Profile& b = single(profiles_b, options.diff_b);
  for (const auto& typed : {options.diff_a, options.diff_b}) {
    if (auto match = analysis::resolve_catalog_name(typed); match && !match->explanation.empty()) {
      std::cout << match->explanation << "\n";
    }
  }
  if (options.diff_raw) return run_raw_diff(a, b);

  analysis::Context context = make_context(options.context);
  const auto arch = parse_arch(options.diff_arch);
  if (!arch)
    throw UserError(ExitCode::kUsage,
                    "--arch: unknown arch '" + options.diff_arch + "' (x86_64, i386, x32, aarch64, arm)");
  context.host_arch = host_arch_of(*arch);
  const auto resolved_a = analysis::resolve(a, context);
  const auto resolved_b = analysis::resolve(b, context);
  std::cout << "effective difference on " << arch_name(*arch) << " (" << analysis::describe(context)
            << "):\n";
  for (const auto* resolved : {&resolved_a, &resolved_b}) {
    for (const auto& note : resolved->notes)
      std::cout << "  note (" << resolved->name << "): " << note << "\n";
  }

  struct Row {
    std::string name, left, right;
  };
  std::vector<Row> rows;
  std::size_t name_width = 7, left_width = a.name.size();
  for (const auto& entry : syscall_table()) {
    const int nr = syscall_number_on(entry, *arch);
    if (nr < 0) continue;
    const std::string name(entry.name);
    Row row{name, effective(resolved_a, *arch, name, nr), effective(resolved_b, *arch, name, nr)};
    if (row.left == row.right) continue;
    name_width = std::max(name_width, name.size());
    left_width = std::max(left_width, row.left.size());
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) { return x.name < y.name; });
  if (rows.empty()) {
    std::cout << "no difference: every " << arch_name(*arch) << " syscall gets the same rules or default\n";
    return 0;
  }
  std::cout << pad("SYSCALL", name_width + 2) << pad(a.name, left_width + 2) << b.name << "\n";
  for (const auto& row : rows)
    std::cout << pad(row.name, name_width + 2) << pad(row.left, left_width + 2) << row.right << "\n";
  std::cout << rows.size() << " syscall" << (rows.size() == 1 ? "" : "s") << " differ\n";
  return 0;
}

// `within`: does CUSTOM allow anything BASE blocks? Exact over every call (analysis/containment.h);
// each counter-example is a call both profiles were evaluated on.
int run_within(const ProfilesOptions& options) {
  const analysis::Profile custom = load_or_fail(options.within_custom).front();
  const analysis::Profile base = load_or_fail(options.within_base).front();
  analysis::Context context = make_context(options.context);
  const auto arch = parse_arch(options.diff_arch);
  if (!arch) throw UserError(ExitCode::kUsage, "--arch: unknown arch '" + options.diff_arch + "'");
  context.host_arch = host_arch_of(*arch);
  const auto custom_resolved = analysis::resolve(custom, context);
  const auto base_resolved = analysis::resolve(base, context);
  const analysis::ContainmentResult result = analysis::check_within(custom_resolved, base_resolved);
  const std::string scope = std::to_string(result.classes_checked) + " call classes on the " +
                            std::string(arch_name(context.host_arch)) + " host's ABIs; " +
                            analysis::describe(context);
  for (const std::string& call : result.incomplete)
    std::cerr << "seccheck: " << call << ": too many argument classes to enumerate; not decided\n";
  if (result.within()) {
    std::cout << custom.name << " is within " << base.name << ": it allows nothing " << base.name
              << " blocks (" << scope << ")\n";
    return 0;
  }
  std::cout << custom.name << " allows " << result.counterexamples.size() << " call"
            << (result.counterexamples.size() == 1 ? "" : "s") << " " << base.name << " blocks (" << scope
            << "):\n";
  for (const analysis::Counterexample& example : result.counterexamples) {
    const analysis::CallClass& call = example.call;
    std::cout << "  " << analysis::call_class_text(call);
    if (example.classes > 1) std::cout << " (and " << example.classes - 1 << " more argument classes)";
    std::cout << "\n    "
              << analysis::explain(example.custom, custom_resolved, &custom, call.arch, call.nr, call.args)
              << "\n    "
              << analysis::explain(example.base, base_resolved, &base, call.arch, call.nr, call.args) << "\n";
  }
  return result.incomplete.empty() ? 1 : static_cast<int>(ExitCode::kToolFailure);
}

}  // namespace

Command register_profiles_command(CLI::App& app) {
  auto options = std::make_shared<ProfilesOptions>();
  CLI::App* sub =
      app.add_subcommand("profiles", "List, show and compare the built-in RuntimeDefault profiles");
  sub->require_subcommand(1);
  CLI::App* list =
      sub->add_subcommand("list", "The catalog: every Docker, containerd and containers-common version");
  CLI::App* show =
      sub->add_subcommand("show", "A profile's default action, architectures and rules with conditions");
  completes_as(show->add_option("NAME", options->show_name,
                                "Catalog name (docker, docker@24.0, crio, ...) or profile file"),
               ValueKind::kProfile)
      ->required();
  show->add_flag("--json", options->show_json, "Print the profile as OCI / Docker seccomp JSON");
  CLI::App* diff =
      sub->add_subcommand("diff", "What differs between two profiles for one context, per syscall");
  completes_as(diff->add_option("A", options->diff_a, "Catalog name or profile file"), ValueKind::kProfile)
      ->required();
  completes_as(diff->add_option("B", options->diff_b, "Catalog name or profile file"), ValueKind::kProfile)
      ->required();
  diff->add_flag("--raw", options->diff_raw, "Compare the rules as written (added/removed, all conditions)");
  completes_as(
      diff->add_option("--arch", options->diff_arch, "The ABI to compare: x86_64, i386, x32, aarch64 or arm"),
      ValueKind::kNone)
      ->default_str("x86_64");
  add_context_options(diff, options->context);
  CLI::App* within = sub->add_subcommand(
      "within", "Does CUSTOM allow anything BASE blocks? Exact over every call, with counter-examples");
  completes_as(within->add_option("CUSTOM", options->within_custom, "Catalog name or profile file"),
               ValueKind::kProfile)
      ->required();
  completes_as(within->add_option("BASE", options->within_base, "Catalog name or profile file"),
               ValueKind::kProfile)
      ->required();
  completes_as(
      within->add_option("--arch", options->diff_arch,
                         "Any ABI of the node: x86_64 (x86_64, i386, x32) or aarch64 (aarch64, arm)"),
      ValueKind::kNone)
      ->default_str("x86_64");
  add_context_options(within, options->context);
  set_example(within, "seccheck profiles within myapp.json docker");
  set_example(list, "seccheck profiles list");
  set_example(show, "seccheck profiles show docker@24.0");
  set_example(diff, "seccheck profiles diff docker containerd --cap-add SYS_PTRACE --kernel 5.10");
  set_example(sub, "seccheck profiles diff docker@20.10.0 docker@20.10.10 --raw");

  return {sub, [options, list, show, diff, within]() -> int {
            if (list->parsed()) return run_list();
            if (show->parsed()) return run_show(*options);
            if (diff->parsed()) return run_diff(*options);
            if (within->parsed()) return run_within(*options);
            throw UserError(ExitCode::kUsage, "profiles: expected list, show, diff or within");
          }};
}

}  // namespace seccheck::cli
