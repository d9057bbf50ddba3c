// seccheck check: run a workload once and report every call the selected RuntimeDefault
// profiles would block. Fast path: each profile is compiled with its blocking actions
// rewritten to SECCOMP_RET_TRACE and the filters are stacked, so the kernel evaluates every
// call with its real arguments and only would-be-blocked calls stop the workload; each stop is
// then evaluated in user space against every profile for the report. --record stops every
// call instead, to save a complete record for offline `seccheck diff`.
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <future>
#include <iostream>
#include <optional>

#include "analysis/check_findings.h"
#include "analysis/evaluate.h"
#include "analysis/run_record.h"
#include "cli/check_plan.h"
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

// What the stops and the report need from the catalog.
struct CheckInputs {
  SelectedProfiles selected;  // with --enforce, its profile is last in `selected.profiles`
  std::optional<analysis::ResolvedProfile> enforced;
  analysis::ArgRelevance relevance;
};

CheckInputs resolve_inputs(const CheckOptions& options, const analysis::Context& context, bool verbose) {
  CheckInputs inputs;
  inputs.selected = select_profiles(options.profiles, context, verbose);
  if (!options.enforce.empty()) {
    SelectedProfiles enforce_selection = select_profiles({options.enforce}, context, verbose);
    if (enforce_selection.resolved.size() != 1)
      throw UserError(ExitCode::kUsage, "--enforce " + options.enforce + ": names " +
                                            std::to_string(enforce_selection.resolved.size()) +
                                            " profiles; name exactly one (e.g. docker)");
    inputs.enforced = std::move(enforce_selection.resolved.front());
    // The enforced profile's arguments matter for the record too.
    inputs.selected.profiles.push_back(std::move(enforce_selection.profiles.front()));
  }
  inputs.relevance = argument_relevance(inputs.selected.profiles);
  return inputs;
}

// One filter per selected profile, plus the enforced one, which must stop the calls it blocks;
// --record stops every call instead.
std::vector<BpfProgram> compile_filters(const CheckInputs& inputs, bool record_all, bool verbose) {
  std::vector<const analysis::ResolvedProfile*> to_compile;
  const analysis::ResolvedProfile everything = trace_everything_profile();
  if (record_all) {
    to_compile.push_back(&everything);
  } else {
    for (const analysis::ResolvedProfile& profile : inputs.selected.resolved)
      to_compile.push_back(&profile);
    if (inputs.enforced) to_compile.push_back(&*inputs.enforced);
  }
  std::vector<BpfProgram> filters;
  for (std::size_t i = 0; i < to_compile.size(); ++i)
    filters.push_back(compile_trace_filter(*to_compile[i], static_cast<std::uint16_t>(i), verbose));
  return filters;
}

// Signals stay with the tracer's thread (SIGINT must interrupt its waitpid), so the worker
// starts with every signal blocked.
template <typename Work> auto start_in_background(Work work) {
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  auto future = std::async(std::launch::async, std::move(work)).share();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return future;
}

// With the filters from the plan cache the workload starts first and the profiles are resolved
// beside it; the worker starts once the workload has its own memory (after its execve), as a
// thread writing the heap while the child still shares it copy-on-write costs both a fault
// storm.
class BackgroundInputs {
 public:
  BackgroundInputs(const CheckOptions& options, const analysis::Context& context, bool verbose)
      : options_(options), context_(context), verbose_(verbose) {
    sched_getaffinity(0, sizeof own_cpus_, &own_cpus_);
  }
  void start() {
    if (inputs_.valid()) return;
    inputs_ = start_in_background([this] {
      // The tracer may hold its CPU while processes start (tracer.cpp); the worker must not.
      if (!options_.pin_cpu) sched_setaffinity(0, sizeof own_cpus_, &own_cpus_);
      return resolve_inputs(options_, context_, verbose_);
    });
  }
  const CheckInputs& get() {
    start();
    return inputs_.get();
  }

 private:
  const CheckOptions& options_;
  const analysis::Context& context_;
  bool verbose_;
  cpu_set_t own_cpus_{};
  std::shared_future<CheckInputs> inputs_;
};

int run_check(CheckOptions& options) {
  if (options.command.empty())
    throw UserError(ExitCode::kUsage, "no command to run; usage: seccheck check [OPTIONS] -- CMD [ARGS...]");
  const bool verbose = options.report.verbosity > 0;
  const bool record_all = !options.record_path.empty();
  const analysis::Context context = make_context(options.context);
  // A warm run launches with the filters of its plan; -v shows how the filters are built, so
  // it always builds them.
  const analysis::FilterCache* cache = user_filter_cache();
  std::optional<std::string> plan_key;
  if (cache != nullptr && !verbose)
    plan_key = check_plan_key(options.profiles, options.enforce, context, record_all);
  std::optional<std::vector<BpfProgram>> filters =
      plan_key ? find_check_plan(*cache, *plan_key) : std::nullopt;
  std::optional<CheckInputs> resolved_now;
  BackgroundInputs background(options, context, verbose);
  if (!filters) {
    resolved_now = resolve_inputs(options, context, verbose);
    filters = compile_filters(*resolved_now, record_all, verbose);
    if (plan_key) store_check_plan(*cache, *plan_key, *filters);
  }
  auto inputs = [&]() -> const CheckInputs& { return resolved_now ? *resolved_now : background.get(); };

  WorkloadRunOptions run_options;
  run_options.command = options.command;
  run_options.pin_cpu = options.pin_cpu;
  run_options.filters = std::move(*filters);
  if (!resolved_now) run_options.on_started = [&background] { background.start(); };
  run_options.stop_rules = [&inputs]() -> StopRules {
    try {
      const CheckInputs& resolved = inputs();
      return {&resolved.relevance, resolved.enforced ? &*resolved.enforced : nullptr};
    } catch (...) {
      return {};  // raised again below, once the workload has been let go
    }
  };
  run_options.stack_frames = options.stack_frames;
  run_options.progress = !options.report.quiet && isatty(STDERR_FILENO);

  WorkloadRun run = run_workload(run_options);
  const CheckInputs& resolved = inputs();
  analysis::CheckReport report = report_for_run(options.command, context, run, resolved.selected.resolved);
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
