// seccheck verify --profile NAME|FILE -- CMD: run the workload with the profile enforced and
// report which calls it denied and whether the workload exited as it does without the profile
// (session/check.h says how).
#include <unistd.h>

#include "cli/commands.h"
#include "cli/context_options.h"
#include "cli/help_example.h"
#include "cli/report_output.h"
#include "cli/value_kind.h"
#include "core/error.h"
#include "session/check.h"

namespace seccheck::cli {
namespace {

struct VerifyOptions {
  std::string profile;
  int stack_frames = 5;
  std::vector<std::string> command;
  ReportOptions report;
  ContextOptions context;
};

int run_verify(const VerifyOptions& options) {
  session::VerifyRequest request;
  request.run.command = options.command;
  request.run.stack_frames = options.stack_frames;
  request.run.progress = !options.report.quiet && isatty(STDERR_FILENO);
  request.run.diagnostics = diagnostics_for(options.report.verbosity);
  request.profile = options.profile;
  request.context = make_context(options.context);

  session::PtraceRunner runner;
  session::VerifyOutcome outcome = session::run_verify(request, runner);
  print_notices(outcome.check.report, options.report);
  const int gate = emit_report(outcome.check.report, options.report);
  if (gate == static_cast<int>(ExitCode::kOk) && !outcome.exit_status_matched)
    return static_cast<int>(ExitCode::kWouldBlock);
  return gate;
}

}  // namespace

Command register_verify_command(CLI::App& app) {
  auto options = std::make_shared<VerifyOptions>();
  CLI::App* sub = app.add_subcommand(
      "verify",
      "Run a workload under a profile for real: report denied calls and whether it exited as without it");
  completes_as(sub->add_option("--profile", options->profile,
                               "The profile to enforce: a file or a catalog name (docker, crio)"),
               ValueKind::kProfile)
      ->required();
  add_context_options(sub, options->context);
  completes_as(
      sub->add_option("--stack", options->stack_frames, "Call-site frames to show per denied call (0: none)"),
      ValueKind::kNone)
      ->check(CLI::Range(0, 64))
      ->default_str("5");
  add_report_options(sub, options->report);
  completes_as(sub->add_option("command", options->command, "The workload: -- CMD [ARGS...]"),
               ValueKind::kCommand)
      ->required();
  set_example(sub, "seccheck verify --profile myapp.json -- ./myapp --self-test");
  return {sub, [options] { return run_verify(*options); }};
}

}  // namespace seccheck::cli
