// seccheck: which syscalls would a container runtime's default seccomp profile block?
// Thin entry point: wires the subcommands, maps errors to the documented exit codes.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string_view>
#include <vector>

#include "bpf/filter_context.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/version.h"

namespace {

std::string version_text() {
  return "seccheck " + std::string(seccheck::seccheck_version()) + " (libseccomp " +
         seccheck::bpf::library_version() + ")";
}

// CLI11 2.1 lets `--` end the values of an option that takes several and then goes on parsing
// options: `check --profile docker -- sh -c x` took `-c` as seccheck's. With one value per
// occurrence (repeat the option for more) `--` always ends seccheck's options, as in strace.
void one_value_per_occurrence(CLI::App& app) {
  for (CLI::Option* option : app.get_options())
    if (!option->get_positional() && option->get_items_expected_max() > 1) option->allow_extra_args(false);
  for (CLI::App* sub : app.get_subcommands({}))
    one_value_per_occurrence(*sub);
}

struct Registration {
  std::string_view name;
  seccheck::cli::Command (*add)(CLI::App&);
};
constexpr Registration kRegistrations[] = {
    {"check", seccheck::cli::register_check_command},
    {"diff", seccheck::cli::register_diff_command},
    {"generate", seccheck::cli::register_generate_command},
    {"verify", seccheck::cli::register_verify_command},
    {"merge", seccheck::cli::register_merge_command},
    {"trace", seccheck::cli::register_trace_command},
    {"profiles", seccheck::cli::register_profiles_command},
    {"explain", seccheck::cli::register_explain_command},
    {"completion", seccheck::cli::register_completion_command},
};

// Declaring every subcommand's options takes about 1 ms, a share of a short workload's run. A
// command line that starts with a subcommand's name needs only that one; anything else (help,
// --version, a typo) and `completion`, which describes the whole tree, get them all.
bool only_the_named_one(std::string_view named) {
  if (named == "completion") return false;
  for (const Registration& registration : kRegistrations)
    if (registration.name == named) return true;
  return false;
}

}  // namespace

// Exceptions end in the try blocks below; what could escape before them (declaring the options)
// is a programming error, which should abort loudly.
// NOLINTNEXTLINE(bugprone-exception-escape)
int main(int argc, char** argv) {
  using namespace seccheck;
  CLI::App app{
      "seccheck: which syscalls of a workload would a container runtime's default seccomp profile block?",
      "seccheck"};
  app.set_version_flag("--version", version_text());
  app.require_subcommand(1);

  std::vector<cli::Command> commands;
  const std::string_view named = argc > 1 ? argv[1] : "";
  for (const Registration& registration : kRegistrations) {
    if (only_the_named_one(named) && named != registration.name) continue;
    commands.push_back(registration.add(app));
  }
  one_value_per_occurrence(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ExtrasError& e) {
    // Before `--` this is most often a second value after a repeatable option: `--profile docker crio`.
    const bool has_workload = std::find(argv + 1, argv + argc, std::string_view("--")) != argv + argc;
    std::cerr << "seccheck: " << e.what()
              << (has_workload ? " (an option takes one value; repeat it for more, e.g. --profile docker "
                                 "--profile crio; see seccheck --help)\n"
                               : " (see seccheck --help)\n");
    return static_cast<int>(ExitCode::kUsage);
  } catch (const CLI::ParseError& e) {
    std::cerr << "seccheck: " << e.what() << " (see seccheck --help)\n";
    return static_cast<int>(ExitCode::kUsage);
  }

  try {
    for (const cli::Command& command : commands) {
      if (command.app->parsed()) return command.action();
    }
  } catch (const UserError& e) {
    std::cerr << "seccheck: " << e.what() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << "seccheck: internal error: " << e.what() << "\n";
    return static_cast<int>(ExitCode::kToolFailure);
  }
  return static_cast<int>(ExitCode::kUsage);
}
