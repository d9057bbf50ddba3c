// seccheck verify --profile NAME|FILE -- CMD: run the workload with the profile enforced and
// report which calls it denied and whether the workload exited as it does without the profile.
//
// The workload runs twice: first plain (no tracer, no filter; stdin, stdout and stderr on
// /dev/null) for the reference exit status, then under the profile. The enforced run loads
// the profile compiled by libseccomp with its blocking actions rewritten to SECCOMP_RET_TRACE,
// so the kernel decides with the real arguments which calls the profile denies; the tracer
// records each one and denies it with the profile's action and errno. The as-is filter is not
// stacked under it: the kernel applies the most severe action of all stacked filters, so an
// ERRNO or KILL of the real filter would answer the call before the tracer saw it (measured in
// tests/generate/generate_live_test.cpp).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "analysis/check_findings.h"
#include "analysis/evaluate.h"
#include "cli/check_support.h"
#include "cli/commands.h"
#include "cli/context_options.h"
#include "cli/help_example.h"
#include "core/error.h"

extern char** environ;

namespace seccheck::cli {
namespace {

struct VerifyOptions {
  std::string profile;
  int stack_frames = 5;
  std::vector<std::string> command;
  ReportOptions report;
  ContextOptions context;
};

// Runs the command without tracer or filter; its shell-style exit status (128+N for signal N).
int plain_exit_status(const std::vector<std::string>& command) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int fd : {0, 1, 2})
    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  std::vector<char*> argv;
  argv.reserve(command.size() + 1);
  for (const std::string& arg : command)
    argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    throw UserError(ExitCode::kUsage, command.front() + ": cannot run the workload: " + std::strerror(rc));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      throw UserError(ExitCode::kToolFailure, "waitpid: " + std::string(std::strerror(errno)));
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

int run_verify(VerifyOptions& options) {
  if (options.command.empty())
    throw UserError(ExitCode::kUsage,
                    "no command to run; usage: seccheck verify --profile FILE -- CMD [ARGS...]");
  bool verbose = options.report.verbosity > 0;
  analysis::Context context = make_context(options.context);
  SelectedProfiles selected = select_profiles({options.profile}, context, verbose);
  if (selected.resolved.size() != 1)
    throw UserError(ExitCode::kUsage, "--profile " + options.profile + ": names " +
                                          std::to_string(selected.resolved.size()) +
                                          " profiles; name exactly one (e.g. docker or a file)");
  const analysis::ResolvedProfile& profile = selected.resolved.front();

  int reference_status = plain_exit_status(options.command);

  WorkloadRunOptions run_options;
  run_options.command = options.command;
  run_options.filters.push_back(compile_trace_filter(profile, 0, verbose));
  analysis::ArgRelevance relevance = argument_relevance(selected.profiles);
  run_options.stop_rules = [&relevance, &profile] { return StopRules{&relevance, &profile}; };
  run_options.stack_frames = options.stack_frames;
  run_options.progress = !options.report.quiet && isatty(STDERR_FILENO);
  WorkloadRun run = run_workload(run_options);

  analysis::CheckReport report = report_for_run(options.command, context, run, selected.resolved);
  bool status_matched = run.summary.exit_status == reference_status;
  report.notices.push_back(
      status_matched
          ? "verify: the workload exited with status " + std::to_string(reference_status) +
                " under the profile, as it does without it"
          : "verify: the workload exited with status " + std::to_string(run.summary.exit_status) +
                " under the profile, but with " + std::to_string(reference_status) + " without it");
  if (!options.report.quiet)
    for (const std::string& notice : report.notices)
      std::cerr << "seccheck: note: " << notice << "\n";

  int gate = emit_report(report, options.report);
  if (gate == static_cast<int>(ExitCode::kOk) && !status_matched)
    return static_cast<int>(ExitCode::kWouldBlock);
  return gate;
}

}  // namespace

Command register_verify_command(CLI::App& app) {
  auto options = std::make_shared<VerifyOptions>();
  CLI::App* sub = app.add_subcommand(
      "verify",
      "Run a workload under a profile for real: report denied calls and whether it exited as without it");
  sub->add_option("--profile", options->profile,
                  "The profile to enforce: a file or a catalog name (docker, crio)")
      ->required();
  add_context_options(sub, options->context);
  sub->add_option("--stack", options->stack_frames, "Call-site frames to show per denied call (0: none)")
      ->check(CLI::Range(0, 64))
      ->default_str("5");
  add_report_options(sub, options->report);
  sub->add_option("command", options->command, "The workload: -- CMD [ARGS...]")->required();
  set_example(sub, "seccheck verify --profile myapp.json -- ./myapp --self-test");
  return {sub, [options] { return run_verify(*options); }};
}

}  // namespace seccheck::cli
