// How seccheck reacts to signals sent to it while it traces (used by tracer.cpp).
//
// Promises: every signal whose default action ends a process and that comes from outside (the
// terminal, kill, a supervisor: HUP, INT, QUIT, TERM, USR1, USR2, ALRM, the real-time ones, ...)
// is an interrupt: the first ends the run cleanly (the tracer kills or detaches the workload
// and hands back what was recorded, with the signal); the second stops waiting for the
// workload at once; the third ends seccheck at once (exit 128+N of the first), with one line on
// stderr when stderr can take it. SIGPIPE and SIGXFSZ are seccheck's own write failures, not
// interrupts: the write fails (EPIPE, EFBIG) and the writer reports it, so a closed pipe on
// stdout neither loses the report file nor ends the workload early. A signal seccheck was
// started with ignored (nohup, a background job) stays ignored, for seccheck and for the
// workload, which is forked from it. The workload gets its own dispositions back at execve.
#pragma once

#include <cstdint>
#include <span>

namespace seccheck::tracer {

enum class SignalRole {
  kInterrupt,   // ends the run cleanly (see above)
  kWriteError,  // seccheck's own write failed: handled so the write fails instead
  kFault,       // seccheck's own fault (SIGSEGV, abort()): left to the default action
  kHarmless,    // default action is to ignore, stop or continue
  kFixed,       // SIGKILL, SIGSTOP: cannot be handled
  kLibc,        // 32 and 33: glibc's own (thread cancellation, setxid)
};

// The role of signal `sig` (1..SIGRTMAX); real-time signals from SIGRTMIN up are interrupts.
SignalRole signal_role(int sig);
// Classic signals (1..31) with their roles, as data (tested for coverage).
struct SignalRoleRow {
  int signal;
  SignalRole role;
};
std::span<const SignalRoleRow> classic_signal_roles();

// Installs the handlers for the duration of a run. Without an interrupt the old dispositions
// come back at the end; after one they stay (with SA_RESTART, so the report is written
// undisturbed), so a signal while seccheck finishes still counts toward the third.
class InterruptHandlers {
 public:
  InterruptHandlers();
  ~InterruptHandlers();
  InterruptHandlers(const InterruptHandlers&) = delete;
  InterruptHandlers& operator=(const InterruptHandlers&) = delete;
};

// Interrupt signals received since the current InterruptHandlers were made.
int interrupt_count();
// The first of them (0 when none).
int first_interrupt_signal();
// For the third signal's message: how many calls were recorded so far.
void set_calls_recorded(std::uint64_t calls);

}  // namespace seccheck::tracer
