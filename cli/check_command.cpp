#include "cli/commands.h"
#include "core/error.h"

namespace seccheck::cli {

// Placeholder until the check command lands.
Command register_check_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("check", "(not built yet)");
  return {sub, [] () -> int { throw UserError(ExitCode::kToolFailure, "check is not built yet"); }};
}

}  // namespace seccheck::cli
