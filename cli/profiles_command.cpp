#include "cli/commands.h"
#include "core/error.h"

namespace seccheck::cli {

// Placeholder until the profiles command lands.
Command register_profiles_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("profiles", "(not built yet)");
  return {sub, [] () -> int { throw UserError(ExitCode::kToolFailure, "profiles is not built yet"); }};
}

}  // namespace seccheck::cli
