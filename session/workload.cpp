#include "session/workload.h"

#include <sys/utsname.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include "core/error.h"

namespace seccheck::session {
namespace {

// A one-line status on a TTY: refreshed at most four times a second, cleared at the end.
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled) {}
  ~ProgressLine() { clear(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

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

std::string kernel_release() {
  utsname name{};
  uname(&name);
  return name.release;
}

}  // namespace

Result<tracer::TraceSummary> PtraceRunner::launch(const tracer::LaunchOptions& options,
                                                  tracer::TraceObserver& observer,
                                                  tracer::LaunchError* error) {
  return tracer::run_command(options, observer, error);
}

Result<tracer::TraceSummary> PtraceRunner::attach(pid_t pid, bool return_values,
                                                  tracer::TraceObserver& observer,
                                                  tracer::LaunchError* error) {
  return tracer::attach_process(pid, return_values, observer, error);
}

std::string utc_timestamp_now() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

analysis::RunRecord run_workload(const WorkloadRequest& request, WorkloadRunner& runner) {
  tracer::LaunchOptions launch;
  launch.argv = request.command;
  launch.pin_to_one_cpu = request.pin_cpu;
  launch.filters = request.filters;
  ProgressLine progress(request.progress);
  RecorderOptions recorder_options;
  recorder_options.relevance = request.relevance;
  recorder_options.policy = request.policy;
  recorder_options.stack_frames = request.stack_frames;
  if (request.progress)
    recorder_options.on_progress = [&progress](std::uint64_t processes, std::uint64_t calls,
                                               std::size_t distinct) {
      progress.update(processes, calls, distinct);
    };
  CallRecorder recorder(std::move(recorder_options));

  analysis::RunRecord record;
  record.command = request.command;
  record.complete = request.complete;
  record.kernel = kernel_release();
  record.started_at = utc_timestamp_now();
  const auto started = std::chrono::steady_clock::now();
  tracer::LaunchError launch_error = tracer::LaunchError::kNone;
  Result<tracer::TraceSummary> summary = runner.launch(launch, recorder, &launch_error);
  progress.clear();
  if (!summary) {
    // The workload never ran: a command that cannot be started is an input error, ptrace
    // trouble is seccheck's.
    const bool input_error =
        launch_error == tracer::LaunchError::kNotFound || launch_error == tracer::LaunchError::kNotExecutable;
    throw UserError(input_error ? ExitCode::kUsage : ExitCode::kToolFailure, summary.error().message);
  }
  record.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  record.exit_status = summary->exit_status;
  record.interrupted = summary->interrupted;
  record.processes = summary->processes;
  record.calls_stopped = recorder.calls_stopped();
  record.calls = recorder.take_calls();
  record.notices = recorder.notices();
  return record;
}

}  // namespace seccheck::session
