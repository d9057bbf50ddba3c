#include "cli/commands.h"
#include "core/error.h"

namespace seccheck::cli {

// Placeholder until the explain command lands.
Command register_explain_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("explain", "(not built yet)");
  return {sub, [] () -> int { throw UserError(ExitCode::kToolFailure, "explain is not built yet"); }};
}

}  // namespace seccheck::cli
