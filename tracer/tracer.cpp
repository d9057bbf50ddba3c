#include "tracer/tracer.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "core/fd.h"
#include "core/syscall_table.h"
#include "tracer/trace_filter.h"
#include "tracer/unwinder.h"
#include "tracer/wait_policy.h"
#include "tracer/wait_status.h"

namespace seccheck::tracer {
namespace {

volatile sig_atomic_t g_interrupt_signal = 0;

extern "C" void record_interrupt(int sig) {
  g_interrupt_signal = sig;
}

// SIGINT/SIGTERM end the run cleanly: the handler only records the signal; no SA_RESTART, so
// waitpid returns EINTR and the loop acts on it.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupt_signal = 0;
    struct sigaction action {};
    action.sa_handler = record_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~InterruptGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

std::int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A "Name:\tvalue" field of /proc/PID/status, or -1.
long status_field(pid_t tid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(tid) + "/status");
  std::string line;
  const size_t length = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, length, field) == 0 && line.size() > length && line[length] == ':')
      return std::strtol(line.c_str() + length + 1, nullptr, 10);
  }
  return -1;
}

std::uint64_t status_mask(pid_t tid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(tid) + "/status");
  std::string line;
  const size_t length = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, length, field) == 0 && line.size() > length && line[length] == ':')
      return std::strtoull(line.c_str() + length + 1, nullptr, 16);
  }
  return 0;
}

std::string ptrace_denied_reason(pid_t target, bool attaching) {
  std::string reason;
  std::string scope = read_text("/proc/sys/kernel/yama/ptrace_scope");
  while (!scope.empty() && (scope.back() == '\n' || scope.back() == ' '))
    scope.pop_back();
  if (attaching && target > 0) {
    long tracer = status_field(target, "TracerPid");
    if (tracer > 0)
      return "process " + std::to_string(target) + " is already traced by pid " + std::to_string(tracer);
  }
  if (!scope.empty() && scope != "0") {
    reason = "Yama ptrace_scope is " + scope + " (/proc/sys/kernel/yama/ptrace_scope)";
    if (scope == "3") return reason + ": ptrace is disabled until reboot";
    if (attaching) return reason + ": attach needs CAP_SYS_PTRACE (run as root) or ptrace_scope 0";
    return reason + " or seccheck lacks CAP_SYS_PTRACE";
  }
  if (attaching)
    return "seccheck lacks CAP_SYS_PTRACE for a process of another user, or the process is already traced";
  return "ptrace is not permitted here (no CAP_SYS_PTRACE in this container, or a seccomp policy forbids "
         "ptrace)";
}

bool executable_file(const std::string& path, bool& exists) {
  struct stat st;
  exists = stat(path.c_str(), &st) == 0;
  if (!exists) return false;
  return S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

// PATH lookup as execvp does it, so not-found and not-executable are told apart before fork.
Result<std::string> resolve_command(const std::string& name, LaunchError& kind) {
  if (name.empty()) {
    kind = LaunchError::kNotFound;
    return make_error("empty command name");
  }
  if (name.find('/') != std::string::npos) {
    bool exists = false;
    if (executable_file(name, exists)) return name;
    kind = exists ? LaunchError::kNotExecutable : LaunchError::kNotFound;
    return make_error(name + (exists ? ": not executable (check its mode, or whether it is a directory)"
                                     : ": no such file"));
  }
  const char* path_env = getenv("PATH");
  std::string path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  bool seen_non_executable = false;
  std::string non_executable;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    bool exists = false;
    if (executable_file(candidate, exists)) return candidate;
    if (exists && !seen_non_executable) {
      seen_non_executable = true;
      non_executable = candidate;
    }
    start = end + 1;
  }
  if (seen_non_executable) {
    kind = LaunchError::kNotExecutable;
    return make_error(non_executable + ": not executable (check its mode)");
  }
  kind = LaunchError::kNotFound;
  return make_error(name + ": command not found in PATH");
}

constexpr long kSeizeOptions = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK |
                               PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC;

constexpr std::uint64_t kCloneUntraced = 0x00800000;
constexpr std::uint64_t kCloneThread = 0x00010000;

// What the tracer keeps per process; `info` is filled on demand and dropped at execve.
struct ProcessState {
  std::optional<ProcessInfo> info;
};

ProcessInfo read_process_info(pid_t pid) {
  ProcessInfo info;
  info.pid = pid;
  char exe[4096];
  ssize_t n = readlink(("/proc/" + std::to_string(pid) + "/exe").c_str(), exe, sizeof exe - 1);
  if (n > 0) info.executable.assign(exe, static_cast<size_t>(n));
  std::string cmdline = read_text("/proc/" + std::to_string(pid) + "/cmdline");
  size_t start = 0;
  while (start < cmdline.size()) {
    size_t end = cmdline.find('\0', start);
    if (end == std::string::npos) end = cmdline.size();
    info.argv.push_back(cmdline.substr(start, end - start));
    start = end + 1;
  }
  return info;
}

class Tracee final : public StoppedTracee {
 public:
  Tracee(pid_t pid, pid_t tid, Unwinder& unwinder, ProcessState& process)
      : pid_(pid), tid_(tid), unwinder_(unwinder), process_(process) {}
  pid_t tid() const override { return tid_; }

  const ProcessInfo& process() override {
    if (!process_.info) process_.info = read_process_info(pid_);
    return *process_.info;
  }

  std::optional<std::string> read_bytes(std::uint64_t address, std::size_t size) override {
    std::string out(size, '\0');
    size_t done = 0;
    while (done < size) {
      iovec local{out.data() + done, size - done};
      iovec remote{reinterpret_cast<void*>(address + done), size - done};
      ssize_t n = process_vm_readv(tid_, &local, 1, &remote, 1, 0);
      if (n <= 0) return std::nullopt;
      done += static_cast<size_t>(n);
    }
    return out;
  }

  std::optional<std::string> read_string(std::uint64_t address, std::size_t max_bytes) override {
    if (address == 0) return std::nullopt;
    std::string out;
    // Read up to page boundaries so an unmapped page after the string does not fail the read.
    while (out.size() < max_bytes) {
      const std::uint64_t at = address + out.size();
      size_t chunk = 4096 - static_cast<size_t>(at % 4096);
      chunk = std::min(chunk, max_bytes - out.size());
      char buffer[4096];
      iovec local{buffer, chunk};
      iovec remote{reinterpret_cast<void*>(at), chunk};
      ssize_t n = process_vm_readv(tid_, &local, 1, &remote, 1, 0);
      if (n <= 0) return out.empty() ? std::nullopt : std::optional<std::string>(out);
      const void* nul = std::memchr(buffer, '\0', static_cast<size_t>(n));
      if (nul != nullptr) {
        out.append(buffer, static_cast<const char*>(nul) - buffer);
        return out;
      }
      out.append(buffer, static_cast<size_t>(n));
    }
    return out;
  }

  std::vector<StackFrame> stack(int max_frames) override { return unwinder_.stack(pid_, tid_, max_frames); }

 private:
  pid_t pid_;
  pid_t tid_;
  Unwinder& unwinder_;
  ProcessState& process_;
};

std::int64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::size_t usable_cpus() {
  cpu_set_t set;
  return sched_getaffinity(0, sizeof set, &set) == 0 ? static_cast<std::size_t>(CPU_COUNT(&set)) : 1;
}

// On a VM a ptrace stop of a new process lets the scheduler move it or its parent to the other
// CPU, and the address-space changes of fork, exec and exit then flush that CPU's TLB by IPI.
// While processes are being created the tracer therefore stays on the CPU it is on; a run of
// syscall stops gives it back its own mask. Only seccheck's affinity changes, never the workload's
// (the workload was forked before, and its children inherit from it).
class TracerAffinity {
 public:
  TracerAffinity() {
    CPU_ZERO(&own_);
    usable_ = sched_getaffinity(0, sizeof own_, &own_) == 0 && CPU_COUNT(&own_) >= 2;
  }
  ~TracerAffinity() { release(); }
  TracerAffinity(const TracerAffinity&) = delete;
  TracerAffinity& operator=(const TracerAffinity&) = delete;

  void hold_current_cpu() {
    if (!usable_ || held_) return;
    const int cpu = sched_getcpu();
    if (cpu < 0) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    held_ = sched_setaffinity(0, sizeof one, &one) == 0;
  }
  void release() {
    if (held_) sched_setaffinity(0, sizeof own_, &own_);
    held_ = false;
  }

 private:
  cpu_set_t own_;
  bool usable_ = false;
  bool held_ = false;
};

enum class Mode { kSeccomp, kStep };

struct ThreadState {
  pid_t tgid = 0;
  bool awaiting_exit = false;  // resumed with PTRACE_SYSCALL after an entry; the exit stop is next
  bool report_exit = false;    // pass that exit stop to the observer
  bool detaching = false;      // attach mode, interrupted: detach at the next stop
  SyscallEvent entry;
};

class Session {
 public:
  Session(TraceObserver& observer, Mode mode, bool return_values, bool notice_filter, bool attached)
      : observer_(observer), mode_(mode), return_values_(return_values), notice_filter_(notice_filter),
        attached_(attached) {}

  void set_root(pid_t root) {
    root_ = root;
    summary_.root_pid = root;
  }
  ThreadState& add_thread(pid_t tid, pid_t tgid_hint = 0);
  void run();
  TraceSummary& summary() { return summary_; }
  bool root_exec_seen() const { return root_exec_seen_; }

 private:
  void handle(pid_t tid, int status);
  void handle_entry(pid_t tid, ThreadState& thread, const __ptrace_syscall_info& info, bool seccomp_stop);
  void handle_exit_stop(pid_t tid, ThreadState& thread, const __ptrace_syscall_info& info);
  void handle_exec(pid_t tid);
  void handle_gone(pid_t tid, int status);
  void apply(pid_t tid, ThreadState& thread, const SeccompDecision& decision);
  void check_notices(const SyscallEvent& event, Tracee& tracee);
  pid_t wait_for_stop(int& status);
  void resume(pid_t tid, int sig);
  void interrupt();
  void detach(pid_t tid, int sig);

  TraceObserver& observer_;
  Mode mode_;
  bool return_values_;
  bool notice_filter_;
  bool attached_;
  bool interrupted_ = false;
  pid_t root_ = 0;
  bool root_exec_seen_ = false;
  std::size_t usable_cpus_ = usable_cpus();
  bool last_wait_was_short_ = true;
  WaitPolicy wait_policy_;
  TracerAffinity affinity_;
  TraceSummary summary_;
  Unwinder unwinder_{[this](const std::string& why) { observer_.on_notice("no call-site stacks: " + why); }};
  std::unordered_map<pid_t, ThreadState> threads_;
  std::unordered_map<pid_t, ProcessState> processes_;
};

ThreadState& Session::add_thread(pid_t tid, pid_t tgid_hint) {
  auto it = threads_.find(tid);
  if (it != threads_.end()) return it->second;
  ThreadState state;
  long tgid = tgid_hint > 0 ? tgid_hint : status_field(tid, "Tgid");
  state.tgid = tgid > 0 ? static_cast<pid_t>(tgid) : tid;
  ++summary_.threads;
  if (processes_.emplace(state.tgid, ProcessState{}).second) {
    ++summary_.processes;
    observer_.on_process_start(state.tgid);
  }
  return threads_.emplace(tid, state).first->second;
}

void Session::resume(pid_t tid, int sig) {
  auto it = threads_.find(tid);
  if (it != threads_.end() && it->second.detaching) {
    detach(tid, sig);
    return;
  }
  const bool step = mode_ == Mode::kStep || (it != threads_.end() && it->second.awaiting_exit);
  // ESRCH: the tracee was killed while stopped; its exit is reported by waitpid.
  ptrace(step ? PTRACE_SYSCALL : PTRACE_CONT, tid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig)));
}

void Session::detach(pid_t tid, int sig) {
  ptrace(PTRACE_DETACH, tid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig)));
  threads_.erase(tid);
}

void Session::interrupt() {
  interrupted_ = true;
  summary_.interrupted = true;
  summary_.interrupt_signal = g_interrupt_signal;
  if (attached_) {
    // Detach from every thread: each must be stopped first, so interrupt and detach at the stop.
    for (auto& [tid, thread] : threads_) {
      thread.detaching = true;
      ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
    }
    return;
  }
  // A launched workload is killed (documented): PTRACE_O_EXITKILL would do it anyway when
  // seccheck exits, this way the exit statuses are collected first.
  for (auto& [pid, process] : processes_)
    kill(pid, SIGKILL);
  if (root_ > 0) kill(root_, SIGKILL);
}

// In a long run of syscall stops (wait_policy.h) that follow each other within the poll window,
// the tracer polls for the next stop instead of sleeping; a longer gap switches back to sleeping.
// It polls only while a CPU is left over for it (more tracees than CPUs can use every CPU), and
// yields in the loop.
pid_t Session::wait_for_stop(int& status) {
  const std::int64_t started = monotonic_ns();
  if (wait_policy_.polling() && last_wait_was_short_ && usable_cpus_ >= 2 &&
      threads_.size() <= usable_cpus_) {
    do {
      pid_t tid = waitpid(-1, &status, __WALL | WNOHANG);
      if (tid != 0) return tid;
      sched_yield();
    } while (monotonic_ns() - started < WaitPolicy::kPollWindowNs);
  }
  pid_t tid = waitpid(-1, &status, __WALL);
  last_wait_was_short_ = monotonic_ns() - started < WaitPolicy::kPollWindowNs;
  return tid;
}

void Session::run() {
  while (true) {
    if (g_interrupt_signal != 0 && !interrupted_) interrupt();
    if (interrupted_ && attached_ && threads_.empty()) break;
    int status = 0;
    pid_t tid = wait_for_stop(status);
    if (tid < 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: every tracee is gone
    }
    // After a fork, exec or exit the next stop is far off: the next wait sleeps.
    const StopKind kind = classify_wait_status(status);
    if (kind != StopKind::kSeccomp && kind != StopKind::kSyscall) {
      last_wait_was_short_ = false;
      // While processes are created the tracer holds its CPU and sleeps; a new thread only
      // makes it sleep.
      const bool process_event =
          kind == StopKind::kFork || kind == StopKind::kVfork || kind == StopKind::kExec;
      if (process_event) affinity_.hold_current_cpu();
      if (process_event || kind == StopKind::kClone) wait_policy_.on_process_event();
    } else {
      wait_policy_.on_syscall_stop();
      if (last_wait_was_short_) affinity_.release();
    }
    handle(tid, status);
  }
}

void Session::handle(pid_t tid, int status) {
  const StopKind kind = classify_wait_status(status);
  if (kind == StopKind::kExited || kind == StopKind::kKilled) {
    handle_gone(tid, status);
    return;
  }
  ThreadState& thread = add_thread(tid);
  switch (kind) {
    case StopKind::kSeccomp:
    case StopKind::kSyscall: {
      __ptrace_syscall_info info{};
      long size = ptrace(PTRACE_GET_SYSCALL_INFO, tid, reinterpret_cast<void*>(sizeof info), &info);
      if (size <= 0) {
        resume(tid, 0);
        return;
      }
      if (info.op == PTRACE_SYSCALL_INFO_SECCOMP) {
        handle_entry(tid, thread, info, true);
      } else if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
        handle_entry(tid, thread, info, false);
      } else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
        handle_exit_stop(tid, thread, info);
      } else {
        resume(tid, 0);
      }
      return;
    }
    case StopKind::kFork:
    case StopKind::kVfork:
    case StopKind::kClone: {
      unsigned long child = 0;
      if (ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &child) == 0 && child > 0) {
        // fork and vfork make a process; clone may make a thread, whose group /proc names.
        const pid_t new_tid = static_cast<pid_t>(child);
        add_thread(new_tid, kind == StopKind::kClone ? 0 : new_tid);
      }
      resume(tid, 0);
      return;
    }
    case StopKind::kExec: handle_exec(tid); return;
    case StopKind::kGroupStop:
      if (thread.detaching) {
        detach(tid, 0);
        return;
      }
      // PTRACE_LISTEN keeps the tracee in its group stop yet lets the next signal or SIGCONT wake it.
      if (ptrace(PTRACE_LISTEN, tid, nullptr, nullptr) != 0 && errno != ESRCH) resume(tid, 0);
      return;
    case StopKind::kSignal: resume(tid, WSTOPSIG(status)); return;
    default: resume(tid, 0); return;
  }
}

void Session::handle_entry(pid_t tid, ThreadState& thread, const __ptrace_syscall_info& info,
                           bool seccomp_stop) {
  const std::uint64_t raw_nr = seccomp_stop ? info.seccomp.nr : info.entry.nr;
  const std::uint64_t* args = seccomp_stop ? info.seccomp.args : info.entry.args;
  SyscallEvent event;
  event.pid = thread.tgid;
  event.tid = tid;
  event.arch = arch_from_audit(info.arch, raw_nr).value_or(Arch::kX86_64);
  event.nr = static_cast<int>(raw_nr & ~static_cast<std::uint64_t>(kX32SyscallBit));
  if (raw_nr > 0xffffffffull) event.nr = -1;
  for (int i = 0; i < 6; ++i)
    event.args[static_cast<size_t>(i)] = args[i];
  event.instruction_pointer = info.instruction_pointer;
  event.stack_pointer = info.stack_pointer;
  event.seccomp_data = seccomp_stop ? info.seccomp.ret_data : 0;
  event.timestamp_ns = now_ns();

  Tracee tracee(thread.tgid, tid, unwinder_, processes_[thread.tgid]);
  check_notices(event, tracee);

  const std::string_view name = syscall_name(event.arch, event.nr).value_or("");
  const bool exec_call = name == "execve" || name == "execveat";
  bool report = true;
  // The launcher's own calls between PTRACE_SEIZE and execve are not the workload's.
  if (thread.tgid == root_ && !root_exec_seen_ && !attached_ && !exec_call) report = false;
  if (seccomp_stop && notice_filter_ && event.seccomp_data == kNoticeTraceTag) report = false;
  if (interrupted_) report = false;

  thread.report_exit = false;
  if (report) {
    ++summary_.syscall_stops;
    SeccompDecision decision = observer_.on_syscall_entry(event, tracee);
    apply(tid, thread, decision);
    thread.report_exit = return_values_;
  }
  thread.entry = event;
  // Seccomp mode: only a call whose return value is wanted is stepped to its exit stop.
  // Step mode: every entry is followed by an exit stop anyway.
  thread.awaiting_exit = mode_ == Mode::kStep || thread.report_exit;
  resume(tid, 0);
}

void Session::handle_exit_stop(pid_t tid, ThreadState& thread, const __ptrace_syscall_info& info) {
  const bool expected = thread.awaiting_exit;
  thread.awaiting_exit = false;
  if (expected && thread.report_exit && !interrupted_) {
    SyscallEvent event = thread.entry;
    event.tid = tid;
    event.pid = thread.tgid;
    event.return_value = info.exit.rval;
    Tracee tracee(thread.tgid, tid, unwinder_, processes_[thread.tgid]);
    observer_.on_syscall_exit(event, tracee);
  }
  thread.report_exit = false;
  resume(tid, 0);
}

void Session::apply(pid_t tid, ThreadState& thread, const SeccompDecision& decision) {
  if (decision.kind == SeccompDecision::Kind::kContinue) return;
  // Skip the call: orig_rax -1 makes the kernel skip it, rax is what it returns.
  user_regs_struct regs{};
  if (ptrace(PTRACE_GETREGS, tid, nullptr, &regs) != 0) return;
  regs.orig_rax = static_cast<unsigned long long>(-1);
  regs.rax = decision.kind == SeccompDecision::Kind::kFailWithErrno
                 ? static_cast<unsigned long long>(-static_cast<long long>(decision.error_number))
                 : static_cast<unsigned long long>(-static_cast<long long>(ENOSYS));
  ptrace(PTRACE_SETREGS, tid, nullptr, &regs);
  if (decision.kind == SeccompDecision::Kind::kKillProcess) {
    // As SECCOMP_RET_KILL_PROCESS: the whole process dies by SIGSYS. If the workload catches,
    // ignores or blocks SIGSYS, that cannot be forced from outside, so SIGKILL it instead.
    const std::uint64_t bit = 1ull << (decision.kill_signal - 1);
    const bool handled =
        (status_mask(tid, "SigCgt") | status_mask(tid, "SigIgn") | status_mask(tid, "SigBlk")) & bit;
    if (handled || syscall(SYS_tgkill, thread.tgid, tid, decision.kill_signal) != 0)
      kill(thread.tgid, SIGKILL);
  }
}

void Session::check_notices(const SyscallEvent& event, Tracee& tracee) {
  const std::string_view name = syscall_name(event.arch, event.nr).value_or("");
  if (name.empty()) return;
  const bool in_launcher = event.pid == root_ && !root_exec_seen_ && !attached_;
  if (in_launcher) return;
  std::string where = "pid " + std::to_string(event.pid);
  if ((name == "seccomp" && event.args[0] == 1 /* SECCOMP_SET_MODE_FILTER */) ||
      (name == "prctl" && event.args[0] == PR_SET_SECCOMP)) {
    observer_.on_notice(where + " installs its own seccomp filter (" + std::string(name) +
                        "); a higher-precedence action from it (ERRNO, KILL, TRAP, USER_NOTIF) hides calls "
                        "from seccheck's SECCOMP_RET_TRACE, so later calls of this process may be missing");
  } else if (name == "clone" && (event.args[0] & kCloneUntraced)) {
    observer_.on_notice(where + " calls clone with CLONE_UNTRACED: the new " +
                        std::string((event.args[0] & kCloneThread) ? "thread" : "process") +
                        " is not traced and its calls are not recorded");
  } else if (name == "clone3" && event.args[0] != 0) {
    if (auto flags = tracee.read_bytes(event.args[0], 8)) {
      std::uint64_t value = 0;
      std::memcpy(&value, flags->data(), 8);
      if (value & kCloneUntraced)
        observer_.on_notice(
            where +
            " calls clone3 with CLONE_UNTRACED: the new task is not traced and its calls are not recorded");
    }
  }
}

void Session::handle_exec(pid_t tid) {
  unsigned long former = 0;
  ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &former);
  auto current = threads_.find(tid);
  if (former != 0 && static_cast<pid_t>(former) != tid) {
    // execve from a non-leader thread: it takes over the leader's tid, the old leader is gone
    // without an exit report, and the execing thread's id no longer exists.
    auto old = threads_.find(static_cast<pid_t>(former));
    if (current != threads_.end()) {
      observer_.on_thread_exit(tid, 0);
      threads_.erase(current);
    }
    ThreadState moved;
    if (old != threads_.end()) {
      moved = old->second;
      threads_.erase(old);
    }
    moved.tgid = tid;
    moved.entry.tid = tid;
    current = threads_.emplace(tid, moved).first;
  }
  if (current == threads_.end()) current = threads_.emplace(tid, add_thread(tid)).first;
  const pid_t pid = current->second.tgid;
  if (pid == root_ && !root_exec_seen_ && !attached_) {
    root_exec_seen_ = true;
    observer_.on_workload_started();
  }
  unwinder_.flush(pid);
  processes_[pid].info.reset();
  resume(tid, 0);
}

void Session::handle_gone(pid_t tid, int status) {
  auto it = threads_.find(tid);
  pid_t tgid = tid;
  if (it != threads_.end()) {
    tgid = it->second.tgid;
    threads_.erase(it);
    observer_.on_thread_exit(tid, status);
  }
  // The leader is reported last, after every other thread of its group.
  if (tid == tgid) {
    if (processes_.erase(tgid) > 0 || tid == root_) observer_.on_process_exit(tgid, status);
    unwinder_.flush(tgid);
  }
  if (tid == root_) summary_.exit_status = shell_exit_status(status);
}

Result<void> load_filter(const BpfProgram& program) {
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(program.instructions.size());
  prog.filter = const_cast<sock_filter*>(program.instructions.data());
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) return make_error("seccomp");
  return {};
}

// Child -> parent over the CLOEXEC pipe when setting up or execve fails.
struct ChildFailure {
  int stage;  // 1: seccomp filter, 2: execve, 3: no_new_privs
  int error_number;
};

[[noreturn]] void child_fail(int fd, int stage) {
  ChildFailure failure{stage, errno};
  ssize_t ignored = write(fd, &failure, sizeof failure);
  (void)ignored;
  _exit(127);
}

}  // namespace

bool seccomp_filters_available() {
  return prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;
}

Result<TraceSummary> run_command(const LaunchOptions& options, TraceObserver& observer,
                                 LaunchError* error_kind) {
  LaunchError ignored_kind = LaunchError::kNone;
  LaunchError& kind = error_kind != nullptr ? *error_kind : ignored_kind;
  kind = LaunchError::kNone;
  if (options.argv.empty()) {
    kind = LaunchError::kOther;
    return make_error("no command given");
  }
  auto path = resolve_command(options.argv[0], kind);
  if (!path) return path.error();

  std::vector<BpfProgram> filters;
  const bool use_seccomp = !options.filters.empty();
  if (use_seccomp && options.watch_notices) {
    auto notice = build_notice_filter();
    if (!notice) {
      kind = LaunchError::kOther;
      return notice.error();
    }
    filters = std::move(*notice);
  }
  for (const BpfProgram& program : options.filters)
    filters.push_back(program);
  filters = combine_stacked(filters);
  if (!use_seccomp)
    observer.on_notice(
        "no seccomp filter: every call is stepped with PTRACE_SYSCALL (two stops per call, slower)");
  const bool root = geteuid() == 0;
  if (use_seccomp && !root)
    observer.on_notice(
        "not root: setting no_new_privs so the seccomp filter can load; setuid and setgid programs "
        "inside the workload run without their extra privileges");

  if (options.pin_to_one_cpu) {
    int cpu = sched_getcpu();
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu < 0 ? 0 : cpu, &set);
    sched_setaffinity(0, sizeof set, &set);  // the child inherits it
  }

  int go_pipe[2], error_pipe[2];
  if (pipe2(go_pipe, O_CLOEXEC) != 0 || pipe2(error_pipe, O_CLOEXEC) != 0) {
    kind = LaunchError::kOther;
    return make_error(std::string("pipe: ") + std::strerror(errno));
  }
  std::vector<char*> argv;
  for (const std::string& arg : options.argv)
    argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  pid_t child = fork();
  if (child < 0) {
    kind = LaunchError::kOther;
    return make_error(std::string("fork: ") + std::strerror(errno));
  }
  if (child == 0) {
    close(go_pipe[1]);
    close(error_pipe[0]);
    char go = 0;
    // Wait until the parent has seized us, so the filter's first TRACE finds a tracer.
    while (read(go_pipe[0], &go, 1) < 0 && errno == EINTR) {
    }
    if (go != 'g') _exit(125);
    if (use_seccomp && !root && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) child_fail(error_pipe[1], 3);
    for (const BpfProgram& program : filters)
      if (!load_filter(program)) child_fail(error_pipe[1], 1);
    execv(path->c_str(), argv.data());
    child_fail(error_pipe[1], 2);
  }
  close(go_pipe[0]);
  close(error_pipe[1]);
  Fd go_fd(go_pipe[1]);
  Fd error_fd(error_pipe[0]);

  if (ptrace(PTRACE_SEIZE, child, nullptr, reinterpret_cast<void*>(kSeizeOptions | PTRACE_O_EXITKILL)) != 0) {
    int saved = errno;
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    kind = LaunchError::kPtrace;
    return make_error(std::string("ptrace not permitted (PTRACE_SEIZE: ") + std::strerror(saved) +
                      "): " + ptrace_denied_reason(child, false));
  }
  InterruptGuard guard;
  Session session(observer, use_seccomp ? Mode::kSeccomp : Mode::kStep, options.return_values,
                  use_seccomp && options.watch_notices, false);
  session.set_root(child);
  session.add_thread(child, child);
  // Stepping needs a first stop to start PTRACE_SYSCALL from; with filters the child runs free.
  if (!use_seccomp) ptrace(PTRACE_INTERRUPT, child, nullptr, nullptr);
  char go = 'g';
  if (write(go_fd.get(), &go, 1) != 1) {
    kill(child, SIGKILL);
  }
  go_fd.reset();
  session.run();

  TraceSummary summary = session.summary();
  if (!session.root_exec_seen()) {
    ChildFailure failure{};
    if (read(error_fd.get(), &failure, sizeof failure) == static_cast<ssize_t>(sizeof failure)) {
      if (failure.stage == 2) {
        kind = failure.error_number == ENOENT ? LaunchError::kNotFound : LaunchError::kNotExecutable;
        return make_error(options.argv[0] + ": cannot execute: " + std::strerror(failure.error_number));
      }
      kind = LaunchError::kOther;
      if (failure.stage == 1)
        return make_error(std::string("cannot load the seccomp filter in the child: ") +
                          std::strerror(failure.error_number) +
                          " (seccomp filters unavailable? try without filters)");
      return make_error(std::string("prctl(PR_SET_NO_NEW_PRIVS) failed: ") +
                        std::strerror(failure.error_number));
    }
    if (summary.interrupted) return summary;
    kind = LaunchError::kOther;
    return make_error(options.argv[0] + ": the workload ended before its execve completed");
  }
  return summary;
}

Result<TraceSummary> attach_process(pid_t pid, bool return_values, TraceObserver& observer,
                                    LaunchError* error_kind) {
  LaunchError ignored_kind = LaunchError::kNone;
  LaunchError& kind = error_kind != nullptr ? *error_kind : ignored_kind;
  kind = LaunchError::kNone;
  std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  if (access(task_dir.c_str(), F_OK) != 0) {
    kind = LaunchError::kOther;
    return make_error("no process with pid " + std::to_string(pid));
  }
  InterruptGuard guard;
  Session session(observer, Mode::kStep, return_values, false, true);
  session.set_root(pid);
  observer.on_notice("attached to a running process: no seccomp filter can be added to it, so every call is "
                     "stepped with PTRACE_SYSCALL (two stops per call)");
  // Threads may be created while we attach: repeat until a pass finds no new thread.
  std::unordered_map<pid_t, bool> seized;
  bool found_new = true;
  while (found_new) {
    found_new = false;
    DIR* dir = opendir(task_dir.c_str());
    if (dir == nullptr) break;
    while (dirent* entry = readdir(dir)) {
      if (entry->d_name[0] == '.') continue;
      pid_t tid = static_cast<pid_t>(std::strtol(entry->d_name, nullptr, 10));
      if (tid <= 0 || seized.count(tid)) continue;
      seized[tid] = true;
      found_new = true;
      if (ptrace(PTRACE_SEIZE, tid, nullptr, reinterpret_cast<void*>(kSeizeOptions)) != 0) {
        int saved = errno;
        if (saved == ESRCH) continue;  // the thread exited meanwhile
        closedir(dir);
        kind = LaunchError::kPtrace;
        // Let go of the threads seized so far before reporting.
        for (auto& [other, ok] : seized)
          ptrace(PTRACE_DETACH, other, nullptr, nullptr);
        return make_error("cannot attach to pid " + std::to_string(pid) + " (PTRACE_SEIZE: " +
                          std::strerror(saved) + "): " + ptrace_denied_reason(pid, true));
      }
      session.add_thread(tid, pid);
      ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
    }
    closedir(dir);
  }
  session.run();
  return session.summary();
}

}  // namespace seccheck::tracer
