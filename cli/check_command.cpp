// seccheck check: run a workload once and report every call the selected RuntimeDefault
// profiles would block. Fast path: each profile is compiled with its blocking actions
// rewritten to SECCOMP_RET_TRACE and the filters are stacked, so the kernel evaluates every
// call with its real arguments and only would-be-blocked calls stop the workload; each stop is
// then evaluated in user space against every profile for the report. --record stops every
// call instead, to save a complete record for offline `seccheck diff`.
#include <unistd.h>

#include <iostream>
#include <optional>

#include "analysis/check_findings.h"
#include "analysis/evaluate.h"
#include "analysis/run_record.h"
#include "cli/check_support.h"
#include "cli/commands.h"
#include "cli/context_options.h"
#include "cli/help_example.h"
#include "core/error.h"

namespace seccheck::cli {
namespace {

struct CheckOptions {
  std::vector<std::string> profiles;
  std::string enforce;
  std::string record_path;
  int stack_frames = 5;
  bool pin_cpu = false;
  std::vector<std::string> command;
  ReportOptions report;
  ContextOptions context;
};

int run_check(CheckOptions& options) {
  if (options.command.empty())
    throw UserError(ExitCode::kUsage, "no command to run; usage: seccheck check [OPTIONS] -- CMD [ARGS...]");
  bool verbose = options.report.verbosity > 0;
  analysis::Context context = make_context(options.context);
  SelectedProfiles selected = select_profiles(options.profiles, context, verbose);

  const analysis::ResolvedProfile* enforced = nullptr;
  std::optional<analysis::ResolvedProfile> enforced_storage;
  if (!options.enforce.empty()) {
    SelectedProfiles enforce_selection = select_profiles({options.enforce}, context, verbose);
    if (enforce_selection.resolved.size() != 1)
      throw UserError(ExitCode::kUsage, "--enforce " + options.enforce + ": names " +
                                            std::to_string(enforce_selection.resolved.size()) +
                                            " profiles; name exactly one (e.g. docker)");
    enforced_storage = std::move(enforce_selection.resolved.front());
    enforced = &*enforced_storage;
    // The enforced profile must stop the calls it blocks, so it joins the stacked filters.
    selected.profiles.push_back(std::move(enforce_selection.profiles.front()));
  }

  bool record_all = !options.record_path.empty();
  WorkloadRunOptions run_options;
  run_options.command = options.command;
  run_options.pin_cpu = options.pin_cpu;
  std::vector<const analysis::ResolvedProfile*> to_compile;
  analysis::ResolvedProfile everything = trace_everything_profile();
  if (record_all) {
    to_compile.push_back(&everything);
  } else {
    for (const analysis::ResolvedProfile& profile : selected.resolved)
      to_compile.push_back(&profile);
    if (enforced) to_compile.push_back(enforced);
  }
  for (std::size_t i = 0; i < to_compile.size(); ++i)
    run_options.filters.push_back(
        compile_trace_filter(*to_compile[i], static_cast<std::uint16_t>(i), verbose));

  analysis::ArgRelevance relevance = argument_relevance(selected.profiles);
  run_options.relevance = &relevance;
  run_options.enforced = enforced;
  run_options.stack_frames = options.stack_frames;
  run_options.progress = !options.report.quiet && isatty(STDERR_FILENO);

  WorkloadRun run = run_workload(run_options);
  analysis::CheckReport report = report_for_run(options.command, context, run, selected.resolved);
  if (!options.report.quiet)
    for (const std::string& notice : report.notices)
      std::cerr << "seccheck: note: " << notice << "\n";

  if (record_all)
    write_text_file(options.record_path, analysis::run_record_to_json(full_record(options.command, run)),
                    "record");
  return emit_report(report, options.report);
}

}  // namespace

Command register_check_command(CLI::App& app) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* sub = app.add_subcommand(
      "check", "Run a workload and report every call the RuntimeDefault seccomp profiles would block");
  sub->add_option("--profile", options->profiles,
                  "Profile to check against: a catalog name (docker, containerd, crio, podman, docker@24.0, "
                  "runtime-default) or a profile file; repeatable. Default: runtime-default");
  add_context_options(sub, options->context);
  sub->add_option("--enforce", options->enforce,
                  "Make calls this profile blocks fail with its action and errno, as the runtime would");
  sub->add_option(
      "--record", options->record_path,
      "Save the run as a JSON record for `seccheck diff` (stops every call, not only flagged ones)");
  sub->add_option("--stack", options->stack_frames, "Call-site frames to show per finding (0: none)")
      ->check(CLI::Range(0, 64))
      ->default_str("5");
  sub->add_flag("--pin-cpu", options->pin_cpu, "Run seccheck and the workload on one CPU");
  add_report_options(sub, options->report);
  sub->add_option("command", options->command, "The workload: -- CMD [ARGS...]")->required();
  set_example(sub, "seccheck check --profile docker --profile crio -- ./my-server --self-test");
  return {sub, [options] { return run_check(*options); }};
}

}  // namespace seccheck::cli
