// seccheck check: run a workload once and report every call the selected RuntimeDefault
// profiles would block. Fast path: each profile is compiled with its blocking actions
// rewritten to SECCOMP_RET_TRACE and the filters are stacked, so the kernel evaluates every
// call with its real arguments and only would-be-blocked calls stop the workload; each stop is
// then evaluated in user space against every profile for the report. --record stops every
// call instead, to save a complete record for offline `seccheck diff`.
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>

#include "analysis/check_findings.h"
#include "analysis/compile.h"
#include "analysis/evaluate.h"
#include "analysis/run_record.h"
#include "cli/check_support.h"
#include "cli/commands.h"
#include "cli/context_options.h"
#include "cli/help_example.h"
#include "core/error.h"
#include "core/syscall_table.h"
#include "tracer/tracer.h"

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

// A one-line status on a TTY: refreshed at most four times a second, cleared at the end.
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled) {}
  ~ProgressLine() { clear(); }

  void update(std::uint64_t processes, std::uint64_t calls, std::size_t distinct) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    std::fprintf(stderr, "\r\033[Kseccheck: %llu processes, %llu calls stopped, %zu distinct",
                 static_cast<unsigned long long>(processes), static_cast<unsigned long long>(calls), distinct);
    shown_ = true;
  }
  void clear() {
    if (shown_) std::fputs("\r\033[K", stderr);
    shown_ = false;
  }

 private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

class CheckObserver : public tracer::TraceObserver {
 public:
  CheckObserver(const analysis::ArgRelevance& relevance, const analysis::ResolvedProfile* enforced,
                int stack_frames, ProgressLine& progress)
      : aggregator_(relevance), enforced_(enforced), stack_frames_(stack_frames), progress_(progress) {}

  tracer::SeccompDecision on_syscall_entry(const SyscallEvent& event, tracer::StoppedTracee& tracee) override {
    auto [call, is_new] = aggregator_.add(event);
    if (is_new) {
      ++distinct_;
      const tracer::ProcessInfo& process = process_of(event.pid);
      call->executable = process.executable;
      call->command_line = process.argv;
      if (stack_frames_ > 0) call->stack = tracee.stack(stack_frames_);
    }
    progress_.update(processes_, aggregator_.calls_seen(), distinct_);
    if (!enforced_) return tracer::SeccompDecision::proceed();
    analysis::Verdict verdict = analysis::evaluate(*enforced_, event.arch, event.nr, event.args);
    return decision_for(verdict.action);
  }

  void on_process_start(pid_t pid, pid_t parent) override {
    ++processes_;
    tracer::ProcessInfo info = process_of(parent);
    info.pid = pid;
    info.parent = parent;
    processes_by_pid_[pid] = std::move(info);
  }
  void on_exec(const tracer::ProcessInfo& process) override { processes_by_pid_[process.pid] = process; }
  void on_process_exit(pid_t pid, int) override { processes_by_pid_.erase(pid); }
  void on_notice(std::string_view message) override { notices_.emplace_back(message); }

  analysis::CallAggregator& aggregator() { return aggregator_; }
  std::vector<std::string>& notices() { return notices_; }

 private:
  // What the enforced profile's action does to the call, as the runtime's filter would.
  static tracer::SeccompDecision decision_for(const analysis::Action& action) {
    using analysis::ActionKind;
    switch (action.kind) {
      case ActionKind::kAllow:
      case ActionKind::kLog: return tracer::SeccompDecision::proceed();
      case ActionKind::kErrno: return tracer::SeccompDecision::fail(static_cast<int>(action.value.value_or(1)));
      // Without a tracer or a listener attached, the kernel fails these calls with ENOSYS.
      case ActionKind::kTrace:
      case ActionKind::kNotify: return tracer::SeccompDecision::fail(38);
      case ActionKind::kTrap:
      case ActionKind::kKillThread:
      case ActionKind::kKillProcess: return tracer::SeccompDecision::kill();
    }
    return tracer::SeccompDecision::proceed();
  }

  const tracer::ProcessInfo& process_of(pid_t pid) {
    static const tracer::ProcessInfo unknown;
    auto it = processes_by_pid_.find(pid);
    return it == processes_by_pid_.end() ? unknown : it->second;
  }

  analysis::CallAggregator aggregator_;
  const analysis::ResolvedProfile* enforced_;
  int stack_frames_;
  ProgressLine& progress_;
  std::map<pid_t, tracer::ProcessInfo> processes_by_pid_;
  std::vector<std::string> notices_;
  std::uint64_t processes_ = 1;
  std::size_t distinct_ = 0;
};

// A filter that stops every call on every ABI: the full-recording mode.
analysis::ResolvedProfile trace_everything_profile() {
  analysis::ResolvedProfile profile;
  profile.name = "record-everything";
  profile.default_action = {analysis::ActionKind::kTrace, 0};
  profile.architectures = {Arch::kX86_64, Arch::kI386, Arch::kX32};
  return profile;
}

std::string kernel_release() {
  utsname name{};
  uname(&name);
  return name.release;
}

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

  bool full_record = !options.record_path.empty();
  tracer::LaunchOptions launch;
  launch.argv = options.command;
  launch.pin_to_one_cpu = options.pin_cpu;
  std::vector<const analysis::ResolvedProfile*> to_compile;
  analysis::ResolvedProfile everything = trace_everything_profile();
  if (full_record) {
    to_compile.push_back(&everything);
  } else {
    for (const analysis::ResolvedProfile& profile : selected.resolved) to_compile.push_back(&profile);
    if (enforced) to_compile.push_back(enforced);
  }
  for (std::size_t i = 0; i < to_compile.size(); ++i) {
    auto program = analysis::compile(*to_compile[i], analysis::CompileMode::kBlockingToTrace,
                                     static_cast<std::uint16_t>(i));
    if (!program) throw UserError(ExitCode::kToolFailure, program.error().message);
    if (verbose)
      std::cerr << "seccheck: filter for " << to_compile[i]->name << ": " << program->instructions.size()
                << " BPF instructions\n";
    launch.filters.push_back(std::move(*program));
  }

  analysis::ArgRelevance relevance = argument_relevance(selected.profiles);
  ProgressLine progress(!options.report.quiet && isatty(STDERR_FILENO));
  CheckObserver observer(relevance, enforced, options.stack_frames, progress);

  analysis::CheckReport report;
  report.tool_version = SECCHECK_VERSION;
  report.command = options.command;
  report.context = analysis::describe(context);
  report.started_at = utc_timestamp_now();
  auto started = std::chrono::steady_clock::now();
  tracer::LaunchError launch_error = tracer::LaunchError::kNone;
  auto summary = tracer::run_command(launch, observer, &launch_error);
  progress.clear();
  if (!summary) {
    // The workload never ran: a command that cannot be started is an input error, ptrace
    // trouble is seccheck's.
    bool input_error = launch_error == tracer::LaunchError::kNotFound ||
                       launch_error == tracer::LaunchError::kNotExecutable;
    throw UserError(input_error ? ExitCode::kUsage : ExitCode::kToolFailure, summary.error().message);
  }
  report.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  report.workload_exit_status = summary->exit_status;
  report.interrupted = summary->interrupted;
  report.calls_stopped = summary->syscall_stops;
  report.processes = summary->processes;
  report.notices = observer.notices();
  if (!options.report.quiet)
    for (const std::string& notice : report.notices) std::cerr << "seccheck: note: " << notice << "\n";

  std::uint64_t calls_seen = observer.aggregator().calls_seen();
  std::vector<analysis::RecordedCall> calls = observer.aggregator().take_calls();
  report.findings = analysis::build_findings(calls, selected.resolved);
  for (const analysis::ResolvedProfile& profile : selected.resolved)
    report.profiles.push_back({profile.name, analysis::action_text(profile.default_action)});

  if (full_record) {
    analysis::RunRecord record;
    record.command = options.command;
    record.exit_status = summary->exit_status;
    record.interrupted = summary->interrupted;
    record.complete = true;
    record.started_at = report.started_at;
    record.duration_seconds = report.duration_seconds;
    record.kernel = kernel_release();
    record.processes = summary->processes;
    record.calls_seen = calls_seen;
    record.calls = std::move(calls);
    record.notices = report.notices;
    FILE* out = std::fopen(options.record_path.c_str(), "w");
    if (!out) throw UserError(ExitCode::kUsage, options.record_path + ": cannot write the record");
    std::string json = analysis::run_record_to_json(record);
    bool written = std::fwrite(json.data(), 1, json.size(), out) == json.size();
    if (std::fclose(out) != 0 || !written)
      throw UserError(ExitCode::kToolFailure, options.record_path + ": write failed");
  }
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
  sub->add_option("--record", options->record_path,
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
