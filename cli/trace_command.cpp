#include "cli/commands.h"
#include "core/error.h"

namespace seccheck::cli {

// Placeholder until the trace command lands.
Command register_trace_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("trace", "(not built yet)");
  return {sub, [] () -> int { throw UserError(ExitCode::kToolFailure, "trace is not built yet"); }};
}

}  // namespace seccheck::cli
