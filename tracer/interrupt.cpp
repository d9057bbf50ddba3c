#include "tracer/interrupt.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstring>

namespace seccheck::tracer {
namespace {

constexpr std::array<SignalRoleRow, 31> kClassicRoles = {{
    {SIGHUP, SignalRole::kInterrupt},   {SIGINT, SignalRole::kInterrupt},
    {SIGQUIT, SignalRole::kInterrupt},  {SIGILL, SignalRole::kFault},
    {SIGTRAP, SignalRole::kFault},      {SIGABRT, SignalRole::kFault},
    {SIGBUS, SignalRole::kFault},       {SIGFPE, SignalRole::kFault},
    {SIGKILL, SignalRole::kFixed},      {SIGUSR1, SignalRole::kInterrupt},
    {SIGSEGV, SignalRole::kFault},      {SIGUSR2, SignalRole::kInterrupt},
    {SIGPIPE, SignalRole::kWriteError}, {SIGALRM, SignalRole::kInterrupt},
    {SIGTERM, SignalRole::kInterrupt},  {SIGSTKFLT, SignalRole::kInterrupt},
    {SIGCHLD, SignalRole::kHarmless},   {SIGCONT, SignalRole::kHarmless},
    {SIGSTOP, SignalRole::kFixed},      {SIGTSTP, SignalRole::kHarmless},
    {SIGTTIN, SignalRole::kHarmless},   {SIGTTOU, SignalRole::kHarmless},
    {SIGURG, SignalRole::kHarmless},    {SIGXCPU, SignalRole::kInterrupt},
    {SIGXFSZ, SignalRole::kWriteError}, {SIGVTALRM, SignalRole::kInterrupt},
    {SIGPROF, SignalRole::kInterrupt},  {SIGWINCH, SignalRole::kHarmless},
    {SIGIO, SignalRole::kInterrupt},    {SIGPWR, SignalRole::kInterrupt},
    {SIGSYS, SignalRole::kFault},
}};

constexpr int kMaxSignal = 65;

volatile sig_atomic_t g_count = 0;
volatile sig_atomic_t g_first = 0;
std::atomic<std::uint64_t> g_calls{0};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "read from a signal handler");

// Dispositions found before the first InterruptHandlers; `ours` marks the signals handled here.
struct Saved {
  bool installed = false;
  std::array<struct sigaction, kMaxSignal> old{};
  std::array<bool, kMaxSignal> ours{};
};
Saved g_saved;

// Async-signal-safe: decimal digits of `value` into `out`, returns the length.
std::size_t format_decimal(std::uint64_t value, char* out) {
  char digits[24];
  std::size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = digits[n - 1 - i];
  return n;
}

[[noreturn]] void end_at_once() {
  // One line when stderr can take it now: a full pipe must not block the exit.
  pollfd err{STDERR_FILENO, POLLOUT, 0};
  if (poll(&err, 1, 0) == 1 && (err.revents & POLLOUT) != 0) {
    char line[200];
    std::size_t length = 0;
    auto add = [&](const char* text) {
      const std::size_t n = std::strlen(text);
      // A byte buffer written with its length, not a C string: no terminator is wanted.
      // NOLINTNEXTLINE(bugprone-not-null-terminated-result)
      std::memcpy(line + length, text, n);
      length += n;
    };
    add("seccheck: interrupted a third time: exiting now, without waiting for the workload (");
    length += format_decimal(g_calls.load(std::memory_order_relaxed), line + length);
    add(" calls recorded); the report is incomplete or missing\n");
    ssize_t ignored = write(STDERR_FILENO, line, length);
    (void)ignored;
  }
  _exit(128 + g_first);
}

volatile sig_atomic_t g_forward = 0;
std::array<volatile sig_atomic_t, kMaxSignal> g_pending{};

extern "C" void count_interrupt(int sig) {
  if (g_forward != 0) {
    if (sig > 0 && sig < kMaxSignal) g_pending[static_cast<std::size_t>(sig)] = 1;
    return;
  }
  // The other interrupt signals are blocked while this runs (sa_mask), so the count is exact.
  if (g_first == 0) g_first = sig;
  g_count = g_count + 1;
  if (g_count >= 3) end_at_once();
}

// A write to a closed pipe or past RLIMIT_FSIZE then fails with EPIPE or EFBIG instead.
extern "C" void ignore_write_signal(int) {}

bool handled_here(SignalRole role) {
  return role == SignalRole::kInterrupt || role == SignalRole::kWriteError;
}

void install(bool restart) {
  struct sigaction action {};
  sigemptyset(&action.sa_mask);
  for (int sig = 1; sig < kMaxSignal && sig <= SIGRTMAX; ++sig)
    if (g_saved.ours[static_cast<std::size_t>(sig)] && signal_role(sig) == SignalRole::kInterrupt)
      sigaddset(&action.sa_mask, sig);
  for (int sig = 1; sig < kMaxSignal && sig <= SIGRTMAX; ++sig) {
    if (!g_saved.ours[static_cast<std::size_t>(sig)]) continue;
    const bool interrupt = signal_role(sig) == SignalRole::kInterrupt;
    action.sa_handler = interrupt ? count_interrupt : ignore_write_signal;
    // No SA_RESTART during the run: the tracer's waitpid must return EINTR.
    action.sa_flags = restart ? SA_RESTART : 0;
    sigaction(sig, &action, nullptr);
  }
}

}  // namespace

SignalRole signal_role(int sig) {
  if (sig >= 1 && sig <= 31) return kClassicRoles[static_cast<std::size_t>(sig - 1)].role;
  if (sig >= SIGRTMIN && sig <= SIGRTMAX) return SignalRole::kInterrupt;
  return SignalRole::kLibc;
}

std::span<const SignalRoleRow> classic_signal_roles() {
  return kClassicRoles;
}

InterruptHandlers::InterruptHandlers() {
  g_count = 0;
  g_first = 0;
  g_calls.store(0, std::memory_order_relaxed);
  if (!g_saved.installed) {
    for (int sig = 1; sig < kMaxSignal && sig <= SIGRTMAX; ++sig) {
      const auto index = static_cast<std::size_t>(sig);
      g_saved.ours[index] = false;
      if (!handled_here(signal_role(sig))) continue;
      if (sigaction(sig, nullptr, &g_saved.old[index]) != 0) continue;
      // Ignored when seccheck started (nohup, a background job): it stays ignored, and the
      // workload inherits that as it would without seccheck.
      g_saved.ours[index] = g_saved.old[index].sa_handler != SIG_IGN;
    }
    g_saved.installed = true;
  }
  install(false);
}

InterruptHandlers::~InterruptHandlers() {
  if (g_count != 0) {
    // seccheck is ending: keep counting while it writes its report.
    install(true);
    return;
  }
  for (int sig = 1; sig < kMaxSignal && sig <= SIGRTMAX; ++sig) {
    const auto index = static_cast<std::size_t>(sig);
    // SIGPIPE and SIGXFSZ keep their handler: seccheck writes its report after the run.
    if (g_saved.ours[index] && signal_role(sig) == SignalRole::kInterrupt)
      sigaction(sig, &g_saved.old[index], nullptr);
  }
}

void set_forwarding(bool forward) {
  for (auto& pending : g_pending)
    pending = 0;
  g_forward = forward ? 1 : 0;
}

int take_forwarded_signal() {
  for (int sig = 1; sig < kMaxSignal; ++sig) {
    if (g_pending[static_cast<std::size_t>(sig)] != 0) {
      g_pending[static_cast<std::size_t>(sig)] = 0;
      return sig;
    }
  }
  return 0;
}

int interrupt_count() {
  return g_count;
}

int first_interrupt_signal() {
  return g_first;
}

void set_calls_recorded(std::uint64_t calls) {
  g_calls.store(calls, std::memory_order_relaxed);
}

}  // namespace seccheck::tracer
