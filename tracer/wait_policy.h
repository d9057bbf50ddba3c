// How the event loop waits for the next syscall stop: by polling waitpid(WNOHANG) for a short
// window, or by sleeping in waitpid. On a VM whose idle vCPUs halt, waking a sleeping tracer
// costs as much as the stop itself, so polling pays during a run of syscall stops (getppid loop:
// 3x faster). But while processes are being created the scheduler keeps a new process and the
// tracer on one CPU only if the tracer sleeps; a polling tracer pushes each new process to the
// other CPU, and every one of its stops then costs a cross-CPU wake-up (fork+exec storm: polling
// about 2x slower than sleeping). So the tracer polls only once a run of syscall stops has gone on
// for a while since the last fork, vfork, clone or exec event. Pure logic, tested without a kernel.
#pragma once

#include <cstdint>
#include <string_view>

namespace seccheck::tracer {

// The event loop's one scheduling heuristic, on unless the bench turns it off through
// SECCHECK_TRACER_HEURISTICS=no-poll to measure what it pays (bench/README.md). A second one,
// holding the tracer's CPU while processes were created, was removed: in the bench's A/B it paid
// on none of a single-threaded, a 16-thread and a fork+exec row, and made trace of the fork+exec
// storm 1.6x slower.
struct Heuristics {
  bool poll = true;  // poll waitpid during a long run of syscall stops (WaitPolicy)
  // Polling needs a CPU no tracee wants: tracees asleep in wait4, waitid or waitpid want none
  // until a child ends, so they are left out of the count compared with the CPUs.
  // SECCHECK_TRACER_HEURISTICS=count-waiting-parents counts them, for the bench's A/B.
  bool discount_waiting_parents = true;
};

inline Heuristics parse_heuristics(std::string_view text) {
  Heuristics heuristics;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view word = text.substr(0, comma);
    if (word == "no-poll") heuristics.poll = false;
    if (word == "count-waiting-parents") heuristics.discount_waiting_parents = false;
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return heuristics;
}

class WaitPolicy {
 public:
  // Longest a poll waits for the next stop before sleeping (a few round trips of a slow VM).
  static constexpr std::int64_t kPollWindowNs = 100000;
  // Syscall stops after a process event before polling starts: a new process makes about 30
  // calls from its execve to its exit when it does nothing else, a python3 start-up about 360
  // (polling from its 256th call made trace -c of ten start-ups 1.33x slower than from the
  // 1024th), a cc1 about 2,000.
  static constexpr int kStopsBeforePolling = 1024;

  bool polling() const { return stops_since_process_event_ >= kStopsBeforePolling; }
  void on_syscall_stop() {
    if (stops_since_process_event_ < kStopsBeforePolling) ++stops_since_process_event_;
  }
  // A fork, vfork, clone or exec event.
  void on_process_event() { stops_since_process_event_ = 0; }

 private:
  int stops_since_process_event_ = 0;
};

}  // namespace seccheck::tracer
