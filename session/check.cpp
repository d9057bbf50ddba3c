#include "session/check.h"

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "analysis/check_report.h"
#include "analysis/compile.h"
#include "analysis/evaluate.h"
#include "core/error.h"
#include "core/exec_argv.h"
#include "session/impact.h"
#include "tracer/interrupt.h"

extern char** environ;

namespace seccheck::session {
namespace {

WorkloadRequest workload_request(const RunSettings& settings) {
  WorkloadRequest request;
  request.command = settings.command;
  request.stack_frames = settings.stack_frames;
  request.pin_cpu = settings.pin_cpu;
  request.init = settings.init;
  request.progress = settings.progress;
  return request;
}

}  // namespace

CheckOutcome run_check(const CheckRequest& request, WorkloadRunner& runner) {
  if (request.run.command.empty())
    throw UserError(ExitCode::kUsage, "no command to run; usage: seccheck check [OPTIONS] -- CMD [ARGS...]");
  if (request.impact && !request.enforce.empty())
    throw UserError(ExitCode::kUsage,
                    "--impact and --enforce cannot be combined: --impact answers the calls itself");
  const Diagnostics& diagnostics = request.run.diagnostics;
  analysis::ProfileSelection selected = select_profiles(request.profiles, request.context, diagnostics);
  std::optional<analysis::ProfileSelection> enforced;
  if (!request.enforce.empty())
    enforced = select_one_profile(request.enforce, request.context, "--enforce", diagnostics);

  // The enforced profile's arguments matter for the record too.
  std::vector<analysis::Profile> conditioned = selected.profiles;
  if (enforced) conditioned.push_back(enforced->profiles.front());
  const analysis::ArgRelevance relevance = analysis::argument_relevance(conditioned);

  WorkloadRequest workload = workload_request(request.run);
  workload.relevance = &relevance;
  const bool record_everything = request.record_everything || request.impact.has_value();
  workload.complete = record_everything;
  if (record_everything) {
    workload.filters.push_back(record_everything_filter(diagnostics));
  } else {
    // One filter per profile; the enforced one must stop the calls it blocks too.
    std::uint16_t tag = 0;
    for (const analysis::ResolvedProfile& profile : selected.resolved)
      workload.filters.push_back(trace_filter_for(profile, tag++, diagnostics));
    if (enforced) workload.filters.push_back(trace_filter_for(enforced->resolved.front(), tag, diagnostics));
  }
  std::optional<EnforceProfile> policy;
  if (enforced) {
    policy.emplace(enforced->resolved.front());
    workload.policy = &*policy;
  }

  CheckOutcome outcome;
  if (!request.impact) {
    outcome.record = run_workload(workload, runner);
    outcome.report = analysis::make_report(outcome.record, selected.resolved, request.context);
    outcome.selection = std::move(selected);
    return outcome;
  }
  // The discovery run's outcome is the reference; its stdout is shown as usual.
  OutcomeRunner discovery(runner, OutcomeOptions{request.impact->compare_output, true, false, 0});
  outcome.record = run_workload(workload, discovery);
  outcome.report = analysis::make_report(outcome.record, selected.resolved, request.context);
  outcome.report.gate_mode = analysis::GateMode::kBreaking;
  outcome.selection = std::move(selected);
  if (outcome.record.interrupted) return outcome;
  ImpactRequest impact;
  impact.run = request.run;
  impact.profiles = &outcome.selection.resolved;
  impact.relevance = &relevance;
  impact.compare_output = request.impact->compare_output;
  impact.timeout_seconds = request.impact->timeout_seconds > 0
                               ? request.impact->timeout_seconds
                               : std::max(30.0, 4 * outcome.record.duration_seconds);
  assess_impact(impact, outcome.record, discovery.last(), outcome.report, runner);
  return outcome;
}

int plain_exit_status(const std::vector<std::string>& command) {
  // The signals that interrupt a traced run (SIGINT, SIGTERM, SIGHUP, ...: tracer/interrupt.h)
  // end this one too: the workload is killed and the result is incomplete. They are blocked and
  // waited for together with SIGCHLD, so none is missed between the checks (one seccheck was
  // started with ignored stays ignored); the workload starts with the signal mask seccheck had.
  sigset_t waited;
  sigemptyset(&waited);
  for (int signal = 1; signal <= SIGRTMAX; ++signal)
    if (tracer::signal_role(signal) == tracer::SignalRole::kInterrupt) sigaddset(&waited, signal);
  sigaddset(&waited, SIGCHLD);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &waited, &previous);
  struct MaskRestore {
    const sigset_t& mask;
    ~MaskRestore() { pthread_sigmask(SIG_SETMASK, &mask, nullptr); }
  } restore{previous};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int fd : {0, 1, 2})
    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setsigmask(&attributes, &previous);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> argv = exec_argv(command);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0)
    throw UserError(ExitCode::kUsage, command.front() + ": cannot run the workload: " + std::strerror(rc));
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR)
      throw UserError(ExitCode::kToolFailure, "waitpid: " + std::string(std::strerror(errno)));
    const int signal = sigwaitinfo(&waited, nullptr);
    if (signal > 0 && signal != SIGCHLD) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      const char* name = sigabbrev_np(signal);
      throw UserError(ExitCode::kIncomplete,
                      (name ? "SIG" + std::string(name) : "signal " + std::to_string(signal)) +
                          " during the workload's plain run (for its reference exit status): nothing was "
                          "verified");
    }
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

int exit_status_under_filter(const std::vector<std::string>& command, const BpfProgram& filter) {
  std::vector<char*> argv = exec_argv(command);
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(filter.instructions.size());
  prog.filter = const_cast<sock_filter*>(filter.instructions.data());
  int error_pipe[2];
  if (pipe2(error_pipe, O_CLOEXEC) != 0)
    throw UserError(ExitCode::kToolFailure, "pipe: " + std::string(std::strerror(errno)));
  const pid_t pid = fork();
  if (pid < 0) throw UserError(ExitCode::kToolFailure, "fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    // Only async-signal-safe calls from here to execve.
    close(error_pipe[0]);
    const int null_fd = open("/dev/null", O_RDWR);
    for (int fd : {0, 1, 2})
      dup2(null_fd, fd);
    int stage = 0;
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
      stage = 1;
      if (errno == EACCES && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
          syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
        stage = 0;
    }
    if (stage == 0) {
      execvp(argv[0], argv.data());
      stage = 2;
    }
    const int failure[2] = {stage, errno};
    ssize_t ignored = write(error_pipe[1], failure, sizeof failure);
    (void)ignored;
    _exit(127);
  }
  close(error_pipe[1]);
  int failure[2] = {0, 0};
  const ssize_t got = read(error_pipe[0], failure, sizeof failure);
  close(error_pipe[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      throw UserError(ExitCode::kToolFailure, "waitpid: " + std::string(std::strerror(errno)));
  }
  if (got == static_cast<ssize_t>(sizeof failure))
    throw UserError(
        failure[0] == 2 ? ExitCode::kUsage : ExitCode::kToolFailure,
        command.front() +
            (failure[0] == 2 ? ": cannot run the workload: " : ": cannot load the profile's filter: ") +
            std::strerror(failure[1]));
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

namespace {

// TRAP and KILL_THREAD: the tracer answers a stopped call by failing it or killing the whole
// process; it cannot deliver the kernel's SIGSYS (si_code SYS_SECCOMP, si_syscall, si_arch,
// si_call_addr) to a handler, nor end one thread of several.
bool needs_real_filter(const analysis::ResolvedProfile& profile) {
  auto cannot_emulate = [](const analysis::Action& action) {
    return action.kind == analysis::ActionKind::kTrap || action.kind == analysis::ActionKind::kKillThread;
  };
  if (cannot_emulate(profile.default_action)) return true;
  for (const analysis::ResolvedRule& rule : profile.rules)
    if (cannot_emulate(rule.action)) return true;
  return false;
}

// verify's traced run when the real filter judges the exit status: TRAP and KILL_THREAD calls
// fail with ENOSYS (skipped, as the kernel skips them) and the workload goes on, so the calls it
// makes after them are found too.
class TrapsGoOn final : public CallPolicy {
 public:
  explicit TrapsGoOn(const analysis::ResolvedProfile& profile) : profile_(profile) {}
  tracer::SeccompDecision decide(const SyscallEvent& event) override {
    const analysis::Action action = analysis::evaluate(profile_, event.arch, event.nr, event.args).action;
    if (action.kind == analysis::ActionKind::kTrap || action.kind == analysis::ActionKind::kKillThread)
      return tracer::SeccompDecision::fail(ENOSYS);
    return decision_for(action);
  }

 private:
  const analysis::ResolvedProfile& profile_;
};

}  // namespace

VerifyOutcome run_verify(const VerifyRequest& request, WorkloadRunner& runner) {
  if (request.run.command.empty())
    throw UserError(ExitCode::kUsage,
                    "no command to run; usage: seccheck verify --profile FILE -- CMD [ARGS...]");
  const Diagnostics& diagnostics = request.run.diagnostics;
  const analysis::ProfileSelection selected =
      select_one_profile(request.profile, request.context, "--profile", diagnostics);
  const analysis::ResolvedProfile& profile = selected.resolved.front();

  VerifyOutcome outcome;
  outcome.reference_exit_status = plain_exit_status(request.run.command);

  // The as-is filter is not stacked under the trace filter: the kernel applies the most severe
  // action of all stacked filters, so an ERRNO or KILL of the real filter would answer the call
  // before the tracer saw it.
  const analysis::ArgRelevance relevance = analysis::argument_relevance(selected.profiles);
  const bool real_filter = needs_real_filter(profile);
  EnforceProfile enforce(profile);
  TrapsGoOn traps_go_on(profile);
  WorkloadRequest workload = workload_request(request.run);
  workload.filters.push_back(trace_filter_for(profile, 0, diagnostics));
  workload.relevance = &relevance;
  workload.policy = real_filter ? static_cast<CallPolicy*>(&traps_go_on) : &enforce;
  outcome.check.record = run_workload(workload, runner);
  outcome.check.report = analysis::make_report(outcome.check.record, selected.resolved, request.context);
  outcome.profile_exit_status = outcome.check.record.exit_status;
  if (real_filter) {
    auto real = analysis::compile(profile, analysis::CompileMode::kAsIs);
    if (!real) throw UserError(ExitCode::kToolFailure, real.error().message);
    outcome.profile_exit_status = exit_status_under_filter(request.run.command, *real);
    outcome.under_real_filter = true;
    outcome.check.report.notices.push_back(
        "verify: the profile answers calls with TRAP or KILL_THREAD, which seccheck cannot reproduce under "
        "ptrace; the exit status under the profile is from a run under the real filter (the traced run, "
        "which made the findings, answered those calls with ENOSYS and went on; it exited with status " +
        std::to_string(outcome.check.record.exit_status) + ")");
  }
  outcome.exit_status_matched = outcome.profile_exit_status == outcome.reference_exit_status;
  outcome.check.report.notices.push_back(
      outcome.exit_status_matched
          ? "verify: the workload exited with status " + std::to_string(outcome.reference_exit_status) +
                " under the profile, as it does without it"
          : "verify: the workload exited with status " + std::to_string(outcome.profile_exit_status) +
                " under the profile, but with " + std::to_string(outcome.reference_exit_status) +
                " without it");
  return outcome;
}

analysis::RunRecord record_run(const RunSettings& settings,
                               const std::vector<analysis::Profile>& base_profiles, WorkloadRunner& runner) {
  const analysis::ArgRelevance relevance = analysis::argument_relevance(base_profiles);
  WorkloadRequest workload = workload_request(settings);
  workload.filters.push_back(record_everything_filter(settings.diagnostics));
  workload.relevance = &relevance;
  workload.complete = true;
  return run_workload(workload, runner);
}

}  // namespace seccheck::session
