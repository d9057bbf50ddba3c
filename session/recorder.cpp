#include "session/recorder.h"

#include <cerrno>

#include "analysis/evaluate.h"

namespace seccheck::session {

tracer::SeccompDecision decision_for(const analysis::Action& action) {
  using analysis::ActionKind;
  switch (action.kind) {
    case ActionKind::kAllow:
    case ActionKind::kLog: return tracer::SeccompDecision::proceed();
    case ActionKind::kErrno:
      return tracer::SeccompDecision::fail(static_cast<int>(action.value.value_or(EPERM)));
    // Without a tracer or a listener attached, the kernel fails these calls with ENOSYS.
    case ActionKind::kTrace:
    case ActionKind::kNotify: return tracer::SeccompDecision::fail(ENOSYS);
    case ActionKind::kTrap:
    case ActionKind::kKillThread:
    case ActionKind::kKillProcess: return tracer::SeccompDecision::kill();
  }
  return tracer::SeccompDecision::proceed();
}

tracer::SeccompDecision EnforceProfile::decide(const SyscallEvent& event) {
  return decision_for(analysis::evaluate(profile_, event.arch, event.nr, event.args).action);
}

CallRecorder::CallRecorder(RecorderOptions options)
    : options_(std::move(options)),
      aggregator_(options_.relevance != nullptr ? *options_.relevance : no_relevance_) {}

tracer::SeccompDecision CallRecorder::on_syscall_entry(const SyscallEvent& event,
                                                       tracer::StoppedTracee& tracee) {
  auto [call, is_new] = aggregator_.add(event);
  if (is_new) {
    ++distinct_;
    const tracer::ProcessInfo& process = tracee.process();
    call->executable = process.executable;
    call->command_line = process.argv;
    if (options_.stack_frames > 0) call->stack = tracee.stack(options_.stack_frames);
  }
  if (options_.on_progress) options_.on_progress(processes_, aggregator_.calls_stopped(), distinct_);
  return options_.policy != nullptr ? options_.policy->decide(event) : tracer::SeccompDecision::proceed();
}

void CallRecorder::on_process_start(pid_t) {
  ++processes_;
}

void CallRecorder::on_notice(std::string_view message) {
  notices_.emplace_back(message);
}

}  // namespace seccheck::session
