// seccheck: which syscalls would a container runtime's default seccomp profile block?
// Thin entry point: wires the subcommands, maps errors to the documented exit codes.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string_view>
#include <vector>

#include "bpf/filter_context.h"
#include "cli/commands.h"
#include "cli/messages.h"
#include "cli/output_file.h"
#include "cli/value_kind.h"
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

// An empty value is a mistake, never "not given": `--record ''` must not silently record
// nothing, `-o ''` must not silently print to the terminal. Every option that takes a value
// refuses an empty one, except the workload's command line, whose arguments may be empty.
void refuse_empty_values(CLI::App& app) {
  const CLI::Validator non_empty(
      [](std::string& value) {
        return value.empty() ? std::string("an empty value is not allowed") : std::string();
      },
      "", "NON_EMPTY");
  for (CLI::Option* option : app.get_options()) {
    if (option->get_type_size() == 0 || option->get_expected_min() == 0) continue;  // a flag
    if (seccheck::cli::declared_value_kind(option) == seccheck::cli::ValueKind::kCommand) continue;
    option->check(non_empty);
  }
  for (CLI::App* sub : app.get_subcommands({}))
    refuse_empty_values(*sub);
}

// The last write of every command: standard output's buffer, flushed and checked, so a full
// disk or a closed pipe under `profiles`, `explain` or `--help` is an error too.
int finish(int status) {
  // A status from a run whose output was lost would claim what no one could read.
  if (seccheck::Result<void> flushed = seccheck::cli::flush_standard_output(); !flushed) {
    seccheck::cli::print_message(flushed.error().message);
    return static_cast<int>(seccheck::ExitCode::kToolFailure);
  }
  return status;
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
    {"scan", seccheck::cli::register_scan_command},
    {"audit", seccheck::cli::register_audit_command},
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
  cli::use_checked_standard_output();
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
  refuse_empty_values(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return finish(app.exit(e));
  } catch (const CLI::CallForAllHelp& e) {
    return finish(app.exit(e));
  } catch (const CLI::CallForVersion& e) {
    return finish(app.exit(e));
  } catch (const CLI::ExtrasError& e) {
    // Before `--` this is most often a second value after a repeatable option: `--profile docker crio`.
    const bool has_workload = std::find(argv + 1, argv + argc, std::string_view("--")) != argv + argc;
    cli::print_message(std::string(e.what()) +
                       (has_workload
                            ? " (an option takes one value; repeat it for more, e.g. --profile docker "
                              "--profile crio; see seccheck --help)"
                            : " (see seccheck --help)"));
    return static_cast<int>(ExitCode::kUsage);
  } catch (const CLI::ParseError& e) {
    cli::print_message(std::string(e.what()) + " (see seccheck --help)");
    return static_cast<int>(ExitCode::kUsage);
  }

  try {
    for (const cli::Command& command : commands) {
      if (command.app->parsed()) return finish(command.action());
    }
  } catch (const UserError& e) {
    cli::print_message(e.what());
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    cli::print_message("internal error", e.what());
    return static_cast<int>(ExitCode::kToolFailure);
  }
  return static_cast<int>(ExitCode::kUsage);
}
