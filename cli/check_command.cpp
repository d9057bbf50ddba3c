// seccheck check: run a workload once and report every call the selected RuntimeDefault
// profiles would block (session/check.h says how).
#include <unistd.h>

#include "analysis/run_record.h"
#include "cli/commands.h"
#include "cli/context_options.h"
#include "cli/help_example.h"
#include "cli/report_output.h"
#include "cli/value_kind.h"
#include "core/error.h"
#include "session/check.h"

namespace seccheck::cli {
namespace {

struct CheckOptions {
  std::vector<std::string> profiles;
  std::string enforce;
  std::string record_path;
  int stack_frames = 5;
  bool pin_cpu = false;
  bool impact = false;
  bool impact_output = false;
  double impact_timeout = 0;
  std::string gate;  // "" default: breaking with --impact, any without
  std::vector<std::string> command;
  ReportOptions report;
  ContextOptions context;
};

int run_check(const CheckOptions& options) {
  session::CheckRequest request;
  request.run.command = options.command;
  request.run.stack_frames = options.stack_frames;
  request.run.pin_cpu = options.pin_cpu;
  request.run.progress = !options.report.quiet && isatty(STDERR_FILENO);
  request.run.diagnostics = diagnostics_for(options.report.verbosity);
  request.profiles = options.profiles;
  request.enforce = options.enforce;
  request.context = make_context(options.context);
  request.record_everything = !options.record_path.empty();
  if (!options.impact && (options.impact_output || options.impact_timeout > 0 || options.gate == "breaking"))
    throw UserError(ExitCode::kUsage, "--impact-output, --impact-timeout and --gate breaking need --impact");
  if (options.impact) request.impact = session::ImpactSettings{options.impact_output, options.impact_timeout};

  session::PtraceRunner runner;
  session::CheckOutcome outcome = session::run_check(request, runner);
  if (!options.gate.empty()) outcome.report.gate = *analysis::parse_gate_mode(options.gate);
  print_notices(outcome.report, options.report);
  if (request.record_everything)
    write_text_file(options.record_path, analysis::run_record_to_json(outcome.record), "record");
  return emit_report(outcome.report, options.report);
}

}  // namespace

Command register_check_command(CLI::App& app) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* sub = app.add_subcommand(
      "check", "Run a workload and report every call the RuntimeDefault seccomp profiles would block");
  completes_as(sub->add_option(
                   "--profile", options->profiles,
                   "Profile to check against: a catalog name (docker, containerd, crio, podman, docker@24.0, "
                   "runtime-default) or a profile file; repeatable. Default: runtime-default"),
               ValueKind::kProfile);
  add_context_options(sub, options->context);
  completes_as(
      sub->add_option("--enforce", options->enforce,
                      "Make calls this profile blocks fail with its action and errno, as the runtime would"),
      ValueKind::kProfile);
  completes_as(
      sub->add_option(
          "--record", options->record_path,
          "Save the run as a JSON record for `seccheck diff` (stops every call, not only flagged ones)"),
      ValueKind::kFile);
  completes_as(
      sub->add_option("--stack", options->stack_frames, "Call-site frames to show per finding (0: none)"),
      ValueKind::kNone)
      ->check(CLI::Range(0, 64))
      ->default_str("5");
  sub->add_flag("--pin-cpu", options->pin_cpu, "Run seccheck and the workload on one CPU");
  sub->add_flag(
      "--impact", options->impact,
      "Re-run the workload with the findings answered as each profile would and report which ones it "
      "survives (recovers/breaks/unstable) and the smallest fix for those it does not");
  sub->add_flag("--impact-output", options->impact_output,
                "With --impact: compare a digest of the workload's stdout too, not only its exit status");
  completes_as(
      sub->add_option("--impact-timeout", options->impact_timeout,
                      "With --impact: seconds a re-run may take before it counts as breaking (default: 4x "
                      "the discovery run, at least 30)"),
      ValueKind::kNone)
      ->check(CLI::PositiveNumber);
  sub->add_option(
         "--gate", options->gate,
         "What fails the gate: any (every new blocked finding; the default without --impact) or breaking "
         "(only findings that break the workload; the default with --impact)")
      ->check(CLI::IsMember({"any", "breaking"}));
  add_report_options(sub, options->report);
  completes_as(sub->add_option("command", options->command, "The workload: -- CMD [ARGS...]"),
               ValueKind::kCommand)
      ->required();
  set_example(sub, "seccheck check --profile docker --profile crio -- ./my-server --self-test");
  return {sub, [options] { return run_check(*options); }};
}

}  // namespace seccheck::cli
