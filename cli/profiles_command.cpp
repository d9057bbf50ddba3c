// seccheck profiles list | show NAME [--json] | diff A B [--raw] [context options]
//
// `diff` compares what two profiles do for one context, per syscall (the rules that name it
// after resolution, or the default action), the way the reference README's tables do; the
// same rules in another order compare equal. `--raw` compares the files as written: rules
// added and removed, with their conditions, grouped like "+ ALLOW if CAP_SYS_ADMIN: clone3".
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/catalog.h"
#include "analysis/profile_diff.h"
#include "analysis/profile_parser.h"
#include "analysis/resolve.h"
#include "cli/commands.h"
#include "cli/context_options.h"
#include "cli/help_example.h"
#include "cli/value_kind.h"
#include "core/error.h"
#include "report/profile_text.h"

namespace seccheck::cli {
namespace {

struct ProfilesOptions {
  std::string show_name;
  bool show_json = false;
  std::string diff_a, diff_b;
  bool diff_raw = false;
  std::string diff_arch = "x86_64";
  ContextOptions context;
};

std::vector<analysis::Profile> load_or_fail(const std::string& name) {
  auto profiles = analysis::load_profiles(name);
  if (!profiles) throw UserError(ExitCode::kUsage, profiles.error().message);
  return std::move(*profiles);
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
    report::print_profile(std::cout, profiles[i]);
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
  if (options.diff_raw) {
    report::print_raw_difference(std::cout, analysis::raw_difference(a, b), a, b);
    return 0;
  }
  const analysis::Context context = make_context(options.context);
  const auto arch = parse_x86_arch(options.diff_arch);
  if (!arch)
    throw UserError(ExitCode::kUsage, "--arch: unknown arch '" + options.diff_arch + "' (x86_64, i386, x32)");
  const auto resolved_a = analysis::resolve(a, context);
  const auto resolved_b = analysis::resolve(b, context);
  std::cout << "effective difference on " << arch_name(*arch) << " (" << analysis::describe(context)
            << "):\n";
  for (const auto* resolved : {&resolved_a, &resolved_b}) {
    for (const auto& note : resolved->notes)
      std::cout << "  note (" << resolved->name << "): " << note << "\n";
  }
  report::print_treatment_differences(
      std::cout, analysis::treatment_differences(resolved_a, resolved_b, *arch), a.name, b.name, *arch);
  return 0;
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
  completes_as(diff->add_option("--arch", options->diff_arch, "The ABI to compare: x86_64, i386 or x32"),
               ValueKind::kNone)
      ->default_str("x86_64");
  add_context_options(diff, options->context);
  set_example(list, "seccheck profiles list");
  set_example(show, "seccheck profiles show docker@24.0");
  set_example(diff, "seccheck profiles diff docker containerd --cap-add SYS_PTRACE --kernel 5.10");
  set_example(sub, "seccheck profiles diff docker@20.10.0 docker@20.10.10 --raw");

  return {sub, [options, list, show, diff]() -> int {
            if (list->parsed()) {
              report::print_catalog(std::cout);
              return 0;
            }
            if (show->parsed()) return run_show(*options);
            if (diff->parsed()) return run_diff(*options);
            throw UserError(ExitCode::kUsage, "profiles: expected list, show or diff");
          }};
}

}  // namespace seccheck::cli
