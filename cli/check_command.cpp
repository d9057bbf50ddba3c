// seccheck check: run a workload once and report every call the selected RuntimeDefault
// profiles would block (session/check.h says how).
#include <unistd.h>

#include "analysis/run_record.h"
#include "cli/bundle_check.h"
#include "cli/commands.h"
#include "cli/context_options.h"
#include "cli/help_example.h"
#include "cli/report_output.h"
#include "cli/value_kind.h"
#include "core/error.h"
#include "scan/scan_report.h"
#include "session/check.h"

namespace seccheck::cli {
namespace {

int run_check(const CheckOptions& options) {
  if (options.gate == "reachable" && !options.scan)
    throw UserError(ExitCode::kUsage, "--gate reachable: reachable findings come from --scan; add it");
  if (options.impact && (!options.bundle_dir.empty() || !options.image.empty()))
    throw UserError(ExitCode::kUsage, "--impact runs on the host only (not with --bundle or --image)");
  if (options.scan && (!options.bundle_dir.empty() || !options.image.empty()))
    throw UserError(
        ExitCode::kUsage,
        "--scan runs on the host only: scan a bundle's or image's root with `seccheck scan --bundle "
        "DIR` or `seccheck scan --rootfs DIR`");
  if (!options.bundle_dir.empty()) return run_bundle_check(options);
  if (!options.image.empty()) return run_image_check(options);
  if (!options.user.empty() || !options.env.empty() || !options.volumes.empty() || !options.network.empty())
    throw UserError(ExitCode::kUsage, "--user, --env, --volume and --network apply only with --image");
  if (options.command.empty())
    throw UserError(ExitCode::kUsage,
                    "check: give the workload (-- CMD [ARGS...]), --bundle DIR or --image IMAGE");
  // Everything the run's results go to is checked before the workload starts.
  const OutputFile record_file("--record", options.record_path);
  const ReportTarget target = prepare_report(options.report, {&record_file});

  session::CheckRequest request;
  request.run.command = options.command;
  request.run.stack_frames = options.stack_frames;
  request.run.pin_cpu = options.pin_cpu;
  // Process 1 of a PID namespace is a container's init whether or not --init says so.
  request.run.init = options.init || getpid() == 1;
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
  if (options.scan) {
    const scan::ScanRun scanned = scan::scan_executables(outcome.record.executables, "");
    if (request.run.diagnostics.verbose)
      for (const std::string& note : scanned.notes)
        request.run.diagnostics.verbose("scan: " + note);
    scan::add_reachable(outcome.report, scanned, outcome.selection, request.context, outcome.record);
  }
  if (!options.gate.empty()) outcome.report.gate_mode = *analysis::parse_gate_mode(options.gate);
  print_notices(outcome.report, options.report);
  if (request.record_everything) record_file.write(analysis::run_record_to_json(outcome.record));
  return emit_report(outcome.report, options.report, target);
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
  sub->add_flag("--init", options->init,
                "Behave as a container's init (implied as process 1): pass signals on to the workload, reap "
                "orphans, stop 1 s after the workload's main process ends");
  sub->add_flag(
      "--scan", options->scan,
      "Also scan the programs the run executed (and their libraries) for blocked calls they can make "
      "that the run did not: reported as \"reachable, not exercised\"");
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
  sub->add_option("--gate", options->gate,
                  "What fails the gate: any (every new blocked finding of the run; the default without "
                  "--impact), breaking (only findings that break the workload; the default with --impact) or "
                  "reachable (with --scan: reachable ones too)")
      ->check(CLI::IsMember({"any", "breaking", "reachable"}));
  add_report_options(sub, options->report);
  const std::string container = "Containers (the check run inside a real container)";
  completes_as(
      sub->add_option("--bundle", options->bundle_dir,
                      "Run the check inside this OCI bundle (config.json + rootfs) with the real OCI "
                      "runtime; context and declared profile from its config.json"),
      ValueKind::kFile)
      ->group(container);
  sub->add_option("--oci-runtime", options->oci_runtime, "The OCI runtime that runs --bundle: runc or crun")
      ->group(container)
      ->check(CLI::IsMember({"runc", "crun"}))
      ->default_str("runc");
  completes_as(sub->add_option("--oci-runtime-arg", options->runtime_args,
                               "A global option for the OCI runtime (before `run`), e.g. "
                               "--oci-runtime-arg=--cgroup-manager=disabled; repeatable"),
               ValueKind::kNone)
      ->group(container)
      ->allow_extra_args(false);
  completes_as(sub->add_option("--image", options->image,
                               "Run the check inside a container of this image with a real engine (docker or "
                               "podman): the image's entrypoint and cmd, or -- CMD"),
               ValueKind::kNone)
      ->group(container);
  sub->add_option("--engine", options->engine, "The engine that runs --image: docker or podman")
      ->group(container)
      ->check(CLI::IsMember({"docker", "podman"}))
      ->default_str("docker");
  completes_as(
      sub->add_option("--user", options->user, "With --image: the container's user (the engine's --user)"),
      ValueKind::kNone)
      ->group(container);
  completes_as(
      sub->add_option("--env", options->env, "With --image: NAME=VALUE for the container; repeatable"),
      ValueKind::kNone)
      ->group(container)
      ->allow_extra_args(false);
  completes_as(sub->add_option("--volume", options->volumes,
                               "With --image: a volume or bind mount (the engine's --volume); repeatable"),
               ValueKind::kNone)
      ->group(container)
      ->allow_extra_args(false);
  completes_as(
      sub->add_option("--network", options->network, "With --image: the container's network (e.g. none)"),
      ValueKind::kNone)
      ->group(container);
  completes_as(
      sub->add_option("command", options->command,
                      "The workload: -- CMD [ARGS...] (with --bundle: replaces process.args; with --image: "
                      "replaces the image's entrypoint and cmd)"),
      ValueKind::kCommand);
  set_example(sub, "seccheck check --profile docker --profile crio -- ./my-server --self-test");
  return {sub, [options] { return run_check(*options); }};
}

}  // namespace seccheck::cli
