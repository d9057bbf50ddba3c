#include "cli/check_support.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <optional>

#include "analysis/catalog.h"
#include "analysis/check_findings.h"
#include "analysis/compile.h"
#include "analysis/evaluate.h"
#include "analysis/profile.h"
#include "core/error.h"
#include "report/baseline.h"
#include "report/renderer.h"

namespace seccheck::cli {
namespace {

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
                 static_cast<unsigned long long>(processes), static_cast<unsigned long long>(calls),
                 distinct);
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

class CallRecorder : public tracer::TraceObserver {
 public:
  CallRecorder(std::function<StopRules()> stop_rules, std::function<void()> on_started, int stack_frames,
               ProgressLine& progress)
      : stop_rules_(std::move(stop_rules)), on_started_(std::move(on_started)), stack_frames_(stack_frames),
        progress_(progress) {}

  tracer::SeccompDecision on_syscall_entry(const SyscallEvent& event,
                                           tracer::StoppedTracee& tracee) override {
    if (!aggregator_) {
      const StopRules rules = stop_rules_ ? stop_rules_() : StopRules{};
      aggregator_.emplace(rules.relevance != nullptr ? *rules.relevance : no_relevance_);
      enforced_ = rules.enforced;
    }
    auto [call, is_new] = aggregator_->add(event);
    if (is_new) {
      ++distinct_;
      const tracer::ProcessInfo& process = tracee.process();
      call->executable = process.executable;
      call->command_line = process.argv;
      if (stack_frames_ > 0) call->stack = tracee.stack(stack_frames_);
    }
    progress_.update(processes_, aggregator_->calls_seen(), distinct_);
    if (!enforced_) return tracer::SeccompDecision::proceed();
    analysis::Verdict verdict = analysis::evaluate(*enforced_, event.arch, event.nr, event.args);
    return decision_for(verdict.action);
  }

  void on_process_start(pid_t) override { ++processes_; }
  void on_workload_started() override {
    if (on_started_) on_started_();
  }
  void on_notice(std::string_view message) override { notices_.emplace_back(message); }

  std::uint64_t calls_seen() const { return aggregator_ ? aggregator_->calls_seen() : 0; }
  std::vector<analysis::RecordedCall> take_calls() {
    return aggregator_ ? aggregator_->take_calls() : std::vector<analysis::RecordedCall>{};
  }
  std::vector<std::string>& notices() { return notices_; }

 private:
  // What the enforced profile's action does to the call, as the runtime's filter would.
  static tracer::SeccompDecision decision_for(const analysis::Action& action) {
    using analysis::ActionKind;
    switch (action.kind) {
      case ActionKind::kAllow:
      case ActionKind::kLog: return tracer::SeccompDecision::proceed();
      case ActionKind::kErrno:
        return tracer::SeccompDecision::fail(static_cast<int>(action.value.value_or(1)));
      // Without a tracer or a listener attached, the kernel fails these calls with ENOSYS.
      case ActionKind::kTrace:
      case ActionKind::kNotify: return tracer::SeccompDecision::fail(38);
      case ActionKind::kTrap:
      case ActionKind::kKillThread:
      case ActionKind::kKillProcess: return tracer::SeccompDecision::kill();
    }
    return tracer::SeccompDecision::proceed();
  }

  std::function<StopRules()> stop_rules_;
  std::function<void()> on_started_;
  analysis::ArgRelevance no_relevance_;
  std::optional<analysis::CallAggregator> aggregator_;  // made at the first stop
  const analysis::ResolvedProfile* enforced_ = nullptr;
  int stack_frames_;
  ProgressLine& progress_;
  std::vector<std::string> notices_;
  std::uint64_t processes_ = 1;
  std::size_t distinct_ = 0;
};

std::string kernel_release() {
  utsname name{};
  uname(&name);
  return name.release;
}

}  // namespace

void add_report_options(CLI::App* sub, ReportOptions& options) {
  sub->add_option("--format", options.format, "Report format: text, json, sarif, junit, markdown")
      ->check(CLI::IsMember(report::format_names()))
      ->default_str("text");
  sub->add_option("-o,--output", options.output_path, "Write the report to FILE instead of standard output");
  sub->add_option("--baseline", options.baseline_path,
                  "A previous JSON report: its findings are shown as known and do not fail the gate");
  sub->add_flag("--fail-on-workload-error", options.fail_on_workload_error,
                "Exit 1 also when the workload itself exits non-zero");
  sub->add_flag("-q,--quiet", options.quiet, "No progress line and no notes on standard error");
  sub->add_flag("-v,--verbose", options.verbosity,
                "Explain what seccheck does (filters, profiles, fallbacks)");
}

SelectedProfiles select_profiles(const std::vector<std::string>& specs, const analysis::Context& context,
                                 bool verbose) {
  SelectedProfiles selected;
  std::vector<std::string> names = specs.empty() ? std::vector<std::string>{"runtime-default"} : specs;
  for (const std::string& name : names) {
    auto loaded = analysis::load_profiles(name);
    if (!loaded) throw UserError(ExitCode::kUsage, loaded.error().message);
    for (analysis::Profile& profile : *loaded) {
      for (const std::string& warning : profile.warnings)
        std::cerr << "seccheck: warning: " << warning << "\n";
      selected.profiles.push_back(std::move(profile));
    }
  }
  for (const analysis::Profile& profile : selected.profiles) {
    selected.resolved.push_back(analysis::resolve(profile, context));
    if (verbose) {
      const analysis::ResolvedProfile& resolved = selected.resolved.back();
      std::cerr << "seccheck: " << resolved.name << ": " << resolved.rules.size()
                << " rules after resolution\n";
      for (const std::string& note : resolved.notes)
        std::cerr << "seccheck:   " << note << "\n";
    }
  }
  return selected;
}

analysis::ArgRelevance argument_relevance(const std::vector<analysis::Profile>& selected) {
  analysis::ArgRelevance relevance;
  for (const analysis::CatalogEntry& entry : analysis::catalog_entries()) {
    auto profiles = analysis::catalog_profiles(entry.name);
    if (!profiles) continue;
    for (const analysis::Profile& profile : *profiles)
      relevance.add_profile(profile);
  }
  for (const analysis::Profile& profile : selected)
    relevance.add_profile(profile);
  return relevance;
}

std::string utc_timestamp_now() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

int emit_report(analysis::CheckReport& report, const ReportOptions& options) {
  report.fail_on_workload_error = options.fail_on_workload_error;
  if (!options.baseline_path.empty()) {
    auto keys = report::load_baseline_keys(options.baseline_path);
    if (!keys) throw UserError(ExitCode::kUsage, keys.error().message);
    report::apply_baseline(report, *keys);
  }
  auto format = report::parse_format(options.format);
  if (!format) throw UserError(ExitCode::kUsage, "--format " + options.format + ": unknown format");
  report::RenderOptions render_options;
  if (options.output_path.empty()) {
    render_options.color =
        *format == report::Format::kText && isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
    report::make_renderer(*format, render_options)->render(report, std::cout);
    std::cout.flush();
  } else {
    std::ofstream out(options.output_path, std::ios::binary | std::ios::trunc);
    if (!out) throw UserError(ExitCode::kUsage, options.output_path + ": cannot write the report");
    report::make_renderer(*format, render_options)->render(report, out);
    if (!out.flush()) throw UserError(ExitCode::kToolFailure, options.output_path + ": write failed");
  }
  return static_cast<int>(report.gate_failed() ? ExitCode::kWouldBlock : ExitCode::kOk);
}

WorkloadRun run_workload(const WorkloadRunOptions& options) {
  tracer::LaunchOptions launch;
  launch.argv = options.command;
  launch.pin_to_one_cpu = options.pin_cpu;
  launch.filters = options.filters;
  ProgressLine progress(options.progress);
  CallRecorder observer(options.stop_rules, options.on_started, options.stack_frames, progress);
  WorkloadRun run;
  run.started_at = utc_timestamp_now();
  auto started = std::chrono::steady_clock::now();
  tracer::LaunchError launch_error = tracer::LaunchError::kNone;
  auto summary = tracer::run_command(launch, observer, &launch_error);
  progress.clear();
  if (!summary) {
    // The workload never ran: a command that cannot be started is an input error, ptrace
    // trouble is seccheck's.
    bool input_error =
        launch_error == tracer::LaunchError::kNotFound || launch_error == tracer::LaunchError::kNotExecutable;
    throw UserError(input_error ? ExitCode::kUsage : ExitCode::kToolFailure, summary.error().message);
  }
  run.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  run.summary = *summary;
  run.calls_seen = observer.calls_seen();
  run.calls = observer.take_calls();
  run.notices = observer.notices();
  return run;
}

const analysis::FilterCache* user_filter_cache() {
  static const std::optional<analysis::FilterCache> cache = analysis::FilterCache::for_user();
  return cache ? &*cache : nullptr;
}

BpfProgram compile_trace_filter(const analysis::ResolvedProfile& profile, std::uint16_t tag, bool verbose) {
  const analysis::FilterCache* cache = user_filter_cache();
  auto program = analysis::compile(profile, analysis::CompileMode::kBlockingToTrace, tag, cache);
  if (!program) throw UserError(ExitCode::kToolFailure, program.error().message);
  if (verbose)
    std::cerr << "seccheck: filter for " << profile.name << ": " << program->instructions.size()
              << " BPF instructions"
              << (program->from_cache ? " (from " + cache->directory().string() + ")" : std::string())
              << "\n";
  return std::move(*program);
}

analysis::ResolvedProfile trace_everything_profile() {
  analysis::ResolvedProfile profile;
  profile.name = "record-everything";
  profile.default_action = {analysis::ActionKind::kTrace, 0};
  profile.architectures = {Arch::kX86_64, Arch::kI386, Arch::kX32};
  return profile;
}

analysis::RunRecord full_record(const std::vector<std::string>& command, const WorkloadRun& run) {
  analysis::RunRecord record;
  record.command = command;
  record.exit_status = run.summary.exit_status;
  record.interrupted = run.summary.interrupted;
  record.complete = true;
  record.started_at = run.started_at;
  record.duration_seconds = run.duration_seconds;
  record.kernel = kernel_release();
  record.processes = run.summary.processes;
  record.calls_seen = run.calls_seen;
  record.calls = run.calls;
  record.notices = run.notices;
  return record;
}

void write_text_file(const std::string& path, const std::string& text, const std::string& what) {
  FILE* out = std::fopen(path.c_str(), "w");
  if (!out) throw UserError(ExitCode::kUsage, path + ": cannot write the " + what);
  bool written = std::fwrite(text.data(), 1, text.size(), out) == text.size();
  if (std::fclose(out) != 0 || !written) throw UserError(ExitCode::kToolFailure, path + ": write failed");
}

analysis::CheckReport report_for_run(const std::vector<std::string>& command,
                                     const analysis::Context& context, const WorkloadRun& run,
                                     const std::vector<analysis::ResolvedProfile>& profiles) {
  analysis::CheckReport report;
  report.tool_version = SECCHECK_VERSION;
  report.command = command;
  report.context = analysis::describe(context);
  report.started_at = run.started_at;
  report.duration_seconds = run.duration_seconds;
  report.workload_exit_status = run.summary.exit_status;
  report.interrupted = run.summary.interrupted;
  report.calls_stopped = run.summary.syscall_stops;
  report.processes = run.summary.processes;
  report.notices = run.notices;
  report.findings = analysis::build_findings(run.calls, profiles);
  for (const analysis::ResolvedProfile& profile : profiles)
    report.profiles.push_back({profile.name, analysis::action_text(profile.default_action)});
  return report;
}

}  // namespace seccheck::cli
