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
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "core/exec_argv.h"
#include "core/fd.h"
#include "core/syscall_table.h"
#include "core/text_escape.h"
#include "tracer/interrupt.h"
#include "tracer/trace_filter.h"
#include "tracer/unwinder.h"
#include "tracer/wait_policy.h"
#include "tracer/wait_status.h"

namespace seccheck::tracer {
namespace {

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
constexpr std::uint64_t kCloneVm = 0x00000100;

// How long the tracer waits for the workload's tasks to go after an interrupt (SIGKILL or
// detach); what is left then goes when seccheck exits (PTRACE_O_EXITKILL, or the kernel's detach).
constexpr std::int64_t kInterruptGraceNs = 1000000000;

// Notices said at most once per process (bits of ProcessState::noticed).
enum Notice : std::uint8_t {
  kNoticeOwnFilter = 1,
  kNoticeStrictMode = 2,
  kNoticeUntraced = 4,
  kNoticePtrace = 8,
};

// What the tracer keeps per process; `info` is filled on demand and dropped at execve.
struct ProcessState {
  std::optional<ProcessInfo> info;
  std::uint8_t noticed = 0;  // Notice bits
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

Heuristics heuristics_from_environment() {
  const char* text = std::getenv("SECCHECK_TRACER_HEURISTICS");
  return parse_heuristics(text ? text : "");
}

enum class Mode { kSeccomp, kStep };

// A clone or clone3 whose CLONE_UNTRACED the tracer cleared at entry, so the new task stays
// traced: the caller's register or clone_args word is put back at the fork/clone event stop
// (the kernel has read it by then) or, if the call failed, at its exit stop.
struct UntracedFixup {
  bool in_memory = false;     // clone3: the flags word of struct clone_args at `address`
  bool i386 = false;          // clone: the flags register is ebx, not rdi
  std::uint64_t address = 0;  // clone3
  std::uint64_t original = 0;
};

// A call whose outcome decides a notice, looked at in its exit stop.
enum class ExitCheck : std::uint8_t { kNone, kOwnFilter, kStrictMode, kPtrace };

struct ThreadState {
  pid_t tgid = 0;
  bool awaiting_exit = false;      // resumed with PTRACE_SYSCALL after an entry; the exit stop is next
  bool report_exit = false;        // pass that exit stop to the observer
  bool detaching = false;          // attach mode, interrupted: detach at the next stop
  bool announced = false;          // named by its parent's fork/clone event, or a first task
  bool waiting_for_child = false;  // entered wait4, waitid or waitpid, and no stop since
  ExitCheck exit_check = ExitCheck::kNone;
  std::uint64_t exit_check_arg = 0;  // seccomp(2) flags; the ptrace request
  std::optional<UntracedFixup> untraced;
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
  void set_init(bool init) { init_ = init; }
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
  void inspect_entry(pid_t tid, ThreadState& thread, const SyscallEvent& event, Tracee& tracee);
  void keep_traced(pid_t tid, ThreadState& thread, const SyscallEvent& event, Tracee& tracee);
  void restore_untraced(pid_t tid, ThreadState& thread, bool child_running = false);
  void inspect_exit(ThreadState& thread, std::int64_t result);
  void notice_once(pid_t pid, Notice kind, const std::string& message);
  std::string process_label(pid_t pid);
  pid_t wait_for_stop(int& status);
  pid_t wait_while_ending(int& status);
  void resume(pid_t tid, int sig);
  void check_interrupts();
  void end_task(pid_t tid, ThreadState& thread);
  void detach(pid_t tid, int sig);
  void set_waiting_for_child(ThreadState& thread, bool waiting);
  void forget_thread(std::unordered_map<pid_t, ThreadState>::iterator it);

  TraceObserver& observer_;
  Mode mode_;
  bool return_values_;
  bool notice_filter_;
  bool attached_;
  bool interrupted_ = false;
  int interrupts_handled_ = 0;
  bool stop_waiting_ = false;  // a second interrupt: end the run now
  std::int64_t interrupt_deadline_ns_ = 0;
  pid_t root_ = 0;
  bool root_exec_seen_ = false;
  bool init_ = false;                      // LaunchOptions::init
  bool root_gone_ = false;                 // the main process was reaped
  std::int64_t outlived_deadline_ns_ = 0;  // init mode: when to stop waiting for the rest
  std::size_t usable_cpus_ = usable_cpus();
  bool last_wait_was_short_ = true;
  WaitPolicy wait_policy_;
  Heuristics heuristics_ = heuristics_from_environment();
  TraceSummary summary_;
  Unwinder unwinder_{[this](const std::string& why) { observer_.on_notice("no call-site stacks: " + why); }};
  std::unordered_map<pid_t, ThreadState> threads_;
  std::size_t waiting_for_child_ = 0;  // threads_ with waiting_for_child set
  std::unordered_map<pid_t, ProcessState> processes_;
  // Tasks reaped before their parent's fork/clone event named them (their stops can come first,
  // and waitpid may report the parent late): that event must not bring them back.
  std::unordered_set<pid_t> reaped_unannounced_;
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
  ThreadState& added = threads_.emplace(tid, state).first->second;
  // A task first seen after the interrupt (created by a fork or clone in flight then, or
  // reported only now) goes the way of the others.
  if (interrupted_) end_task(tid, added);
  return added;
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
  auto it = threads_.find(tid);
  if (it != threads_.end()) restore_untraced(tid, it->second, true);
  ptrace(PTRACE_DETACH, tid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig)));
  if (it != threads_.end()) forget_thread(it);
}

void Session::set_waiting_for_child(ThreadState& thread, bool waiting) {
  if (thread.waiting_for_child == waiting) return;
  thread.waiting_for_child = waiting;
  if (waiting)
    ++waiting_for_child_;
  else
    --waiting_for_child_;
}

void Session::forget_thread(std::unordered_map<pid_t, ThreadState>::iterator it) {
  set_waiting_for_child(it->second, false);
  threads_.erase(it);
}

// A launched workload is killed (documented): PTRACE_O_EXITKILL would do it anyway when seccheck
// exits, this way the exit statuses are collected first. An attached process is let go: each
// thread must be stopped to be detached, so it is interrupted and detached at that stop.
void Session::end_task(pid_t tid, ThreadState& thread) {
  if (attached_) {
    thread.detaching = true;
    ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
    return;
  }
  // The tid is ours until waitpid reaps it, so it names no other process; SIGKILL to one thread
  // ends its whole process.
  kill(tid, SIGKILL);
}

// The first interrupt ends every task and waits (bounded) for them to go; the second ends them
// again and stops waiting; the third never gets here (interrupt.h).
void Session::check_interrupts() {
  const int count = interrupt_count();
  if (count <= interrupts_handled_) return;
  interrupts_handled_ = count;
  if (!interrupted_) {
    interrupted_ = true;
    summary_.interrupted = true;
    summary_.interrupt_signal = first_interrupt_signal();
    interrupt_deadline_ns_ = monotonic_ns() + kInterruptGraceNs;
  } else {
    stop_waiting_ = true;
  }
  // Every live task is in threads_ (from its first stop or its parent's event until it is
  // reaped), and only those ids are surely not reused.
  for (auto& [tid, thread] : threads_)
    end_task(tid, thread);
}

// In a long run of syscall stops (wait_policy.h) that follow each other within the poll window,
// the tracer polls for the next stop instead of sleeping; a longer gap switches back to sleeping.
// It polls only while a CPU is left over for it (no more tracees than CPUs, leaving out those
// asleep in wait4, waitid or waitpid), and yields in the loop. Polling whatever the number of tracees made
// a compiler's tree (parents asleep in wait4) 1.8x faster but a 2-thread redis server 27x slower:
// the poller kept a CPU that the server's runnable threads then queued for
// (bench/results/history.md).
pid_t Session::wait_for_stop(int& status) {
  const std::int64_t started = monotonic_ns();
  const std::size_t wanting_cpu =
      threads_.size() - (heuristics_.discount_waiting_parents ? waiting_for_child_ : 0);
  if (heuristics_.poll && wait_policy_.polling() && last_wait_was_short_ && usable_cpus_ >= 2 &&
      wanting_cpu <= usable_cpus_) {
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

// After an interrupt the wait is bounded: 0 when nothing was there within a millisecond.
pid_t Session::wait_while_ending(int& status) {
  pid_t tid = waitpid(-1, &status, __WALL | WNOHANG);
  if (tid != 0) return tid;
  timespec pause{0, 1000000};
  nanosleep(&pause, nullptr);
  return 0;
}

void Session::run() {
  while (true) {
    if (init_) {
      // As init: pass signals on while the main process lives; once it is gone, wait a bounded
      // time for the rest (traced or not) and reap them, never longer.
      for (int sig = take_forwarded_signal(); sig != 0; sig = take_forwarded_signal())
        if (!root_gone_) kill(root_, sig);
      if (root_gone_) {
        if (outlived_deadline_ns_ == 0)
          outlived_deadline_ns_ = monotonic_ns() + std::int64_t{kOutlivedGraceMs} * 1000000;
        if (threads_.empty()) {
          while (waitpid(-1, nullptr, __WALL | WNOHANG) > 0) {
          }
          break;
        }
        if (monotonic_ns() >= outlived_deadline_ns_) {
          std::string pids;
          std::set<pid_t> processes;
          for (const auto& [tid, thread] : threads_)
            processes.insert(thread.tgid != 0 ? thread.tgid : tid);
          for (pid_t pid : processes)
            pids += (pids.empty() ? "" : ", ") + std::to_string(pid);
          summary_.outlived = processes.size();
          summary_.tasks_left = threads_.size();
          observer_.on_notice(std::to_string(processes.size()) +
                              " process(es) outlived the workload's main process (pid " + pids +
                              "); seccheck " + "stopped waiting " + std::to_string(kOutlivedGraceMs) +
                              " ms after it ended, and they are killed when seccheck exits");
          break;
        }
      }
    } else {
      check_interrupts();
    }
    if (interrupted_ && (stop_waiting_ || monotonic_ns() >= interrupt_deadline_ns_)) break;
    int status = 0;
    pid_t tid = interrupted_ || (init_ && root_gone_) ? wait_while_ending(status) : wait_for_stop(status);
    if (tid == 0) continue;
    if (tid < 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: every tracee is gone (attached ones detached)
    }
    // After a fork, exec or exit the next stop is far off: the next wait sleeps.
    const StopKind kind = classify_wait_status(status);
    if (kind != StopKind::kSeccomp && kind != StopKind::kSyscall) {
      last_wait_was_short_ = false;
      if (kind == StopKind::kFork || kind == StopKind::kVfork || kind == StopKind::kExec ||
          kind == StopKind::kClone)
        wait_policy_.on_process_event();
    } else {
      wait_policy_.on_syscall_stop();
    }
    handle(tid, status);
  }
  if (interrupted_ && !threads_.empty()) {
    summary_.tasks_left = threads_.size();

    observer_.on_notice(std::to_string(threads_.size()) +
                        " task(s) of the workload were still there when seccheck stopped waiting after the "
                        "interrupt; " +
                        (attached_ ? "the kernel detaches them when seccheck exits"
                                   : "they are killed when seccheck exits (PTRACE_O_EXITKILL)"));
  }
}

void Session::handle(pid_t tid, int status) {
  const StopKind kind = classify_wait_status(status);
  if (kind == StopKind::kExited || kind == StopKind::kKilled) {
    handle_gone(tid, status);
    return;
  }
  reaped_unannounced_.erase(tid);  // a stop: the id was reused
  ThreadState& thread = add_thread(tid);
  set_waiting_for_child(thread, false);  // a stop: it runs again
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
      bool child_running = true;
      if (ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &child) == 0 && child > 0) {
        // fork and vfork make a process; clone may make a thread, whose group /proc names.
        const pid_t new_tid = static_cast<pid_t>(child);
        child_running = threads_.count(new_tid) > 0;  // its first stop came first and was resumed
        // A child already reaped is not added: its id may belong to another process by now.
        if (reaped_unannounced_.erase(new_tid) == 0)
          add_thread(new_tid, kind == StopKind::kClone ? 0 : new_tid).announced = true;
      }
      // The kernel has read the clone's flags: the caller gets its own back.
      restore_untraced(tid, thread, child_running);
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
  thread.exit_check = ExitCheck::kNone;
  // The launcher's own calls (loading seccheck's filters) are no notice.
  if (!(thread.tgid == root_ && !root_exec_seen_ && !attached_)) inspect_entry(tid, thread, event, tracee);

  const std::string_view name = syscall_name(event.arch, event.nr).value_or("");
  const bool exec_call = name == "execve" || name == "execveat";
  set_waiting_for_child(thread, name == "wait4" || name == "waitid" || name == "waitpid");
  bool report = true;
  // The launcher's own calls between PTRACE_SEIZE and execve are not the workload's.
  if (thread.tgid == root_ && !root_exec_seen_ && !attached_ && !exec_call) report = false;
  if (seccomp_stop && notice_filter_ && event.seccomp_data == kNoticeTraceTag) report = false;
  if (interrupted_) report = false;

  thread.report_exit = false;
  if (report) {
    ++summary_.syscall_stops;
    set_calls_recorded(summary_.syscall_stops);
    SeccompDecision decision = observer_.on_syscall_entry(event, tracee);
    apply(tid, thread, decision);
    thread.report_exit = return_values_;
  }
  thread.entry = event;
  // Seccomp mode: only a call whose return value is wanted, or that decides a notice or must be
  // put back, is stepped to its exit stop. Step mode: every entry is followed by an exit stop.
  thread.awaiting_exit = mode_ == Mode::kStep || thread.report_exit ||
                         thread.exit_check != ExitCheck::kNone || thread.untraced.has_value();
  resume(tid, 0);
}

void Session::handle_exit_stop(pid_t tid, ThreadState& thread, const __ptrace_syscall_info& info) {
  const bool expected = thread.awaiting_exit;
  thread.awaiting_exit = false;
  if (expected) {
    restore_untraced(tid, thread, info.exit.rval > 0);
    inspect_exit(thread, info.exit.rval);
  }
  if (expected && thread.report_exit && !interrupted_) {
    // The entry's tid: after an execve from a non-leader thread `tid` is the leader's id, which
    // the thread took over; the call was made (and its entry reported) under its own.
    SyscallEvent event = thread.entry;
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

// "pid N (name)" for notices: the process and its executable's file name.
std::string Session::process_label(pid_t pid) {
  ProcessState& process = processes_[pid];
  if (!process.info) process.info = read_process_info(pid);
  const std::string& exe = process.info->executable;
  const std::string name = exe.substr(exe.rfind('/') + 1);
  return "pid " + std::to_string(pid) + (name.empty() ? "" : " (" + name + ")");
}

void Session::notice_once(pid_t pid, Notice kind, const std::string& message) {
  ProcessState& process = processes_[pid];
  if (process.noticed & kind) return;
  process.noticed |= kind;
  observer_.on_notice(message);
}

// Calls that change what the tracer can see. clone and clone3 with CLONE_UNTRACED are changed
// here; for the others the outcome decides, so they are looked at again at their exit stop.
void Session::inspect_entry(pid_t tid, ThreadState& thread, const SyscallEvent& event, Tracee& tracee) {
  const std::string_view name = syscall_name(event.arch, event.nr).value_or("");
  const std::uint8_t noticed = processes_[thread.tgid].noticed;
  const std::uint64_t op = event.args[0];
  if (name == "clone" || name == "clone3") {
    keep_traced(tid, thread, event, tracee);
  } else if ((name == "seccomp" && op == SECCOMP_SET_MODE_FILTER) ||
             (name == "prctl" && op == PR_SET_SECCOMP && event.args[1] == SECCOMP_MODE_FILTER)) {
    if (!(noticed & kNoticeOwnFilter)) thread.exit_check = ExitCheck::kOwnFilter;
    thread.exit_check_arg = name == "seccomp" ? event.args[1] : 0;
  } else if ((name == "seccomp" && op == SECCOMP_SET_MODE_STRICT) ||
             (name == "prctl" && op == PR_SET_SECCOMP && event.args[1] == SECCOMP_MODE_STRICT)) {
    // Only seccheck's own filter makes the kernel refuse strict mode.
    if (mode_ == Mode::kSeccomp && !(noticed & kNoticeStrictMode)) thread.exit_check = ExitCheck::kStrictMode;
  } else if (name == "ptrace" && (op == PTRACE_TRACEME || op == PTRACE_ATTACH || op == PTRACE_SEIZE)) {
    if (!(noticed & kNoticePtrace)) thread.exit_check = ExitCheck::kPtrace;
    thread.exit_check_arg = op;
  }
}

// A task cloned with CLONE_UNTRACED would escape ptrace yet keep seccheck's filter, and the kernel
// fails every SECCOMP_RET_TRACE call of a task without a tracer with ENOSYS (exit_group too, so
// under `trace` it could not even exit). The flag is cleared before the kernel reads it: in the
// flags register for clone, in struct clone_args for clone3 (PTRACE_POKEDATA: the struct may
// sit in read-only memory). The caller gets its value back once the kernel has read it; a new
// task sees the call's input with the flag cleared (its copy of the register, or of the memory
// of a new process), which nothing reads after the call.
void Session::keep_traced(pid_t tid, ThreadState& thread, const SyscallEvent& event, Tracee& tracee) {
  const std::string_view name = syscall_name(event.arch, event.nr).value_or("");
  std::uint64_t flags = 0;
  if (name == "clone") {
    flags = event.args[0];
    if (!(flags & kCloneUntraced)) return;
    user_regs_struct regs{};
    if (ptrace(PTRACE_GETREGS, tid, nullptr, &regs) != 0) return;
    const bool i386 = event.arch == Arch::kI386;
    unsigned long long& reg = i386 ? regs.rbx : regs.rdi;
    UntracedFixup fixup{false, i386, 0, reg};
    reg &= ~static_cast<unsigned long long>(kCloneUntraced);
    if (ptrace(PTRACE_SETREGS, tid, nullptr, &regs) != 0) return;
    thread.untraced = fixup;
  } else {
    // clone3(struct clone_args*, size): flags is the struct's first 64-bit field.
    if (event.args[0] == 0 || event.args[1] < sizeof flags) return;
    auto bytes = tracee.read_bytes(event.args[0], sizeof flags);
    if (!bytes) return;
    std::memcpy(&flags, bytes->data(), sizeof flags);
    if (!(flags & kCloneUntraced)) return;
    const std::uint64_t cleared = flags & ~kCloneUntraced;
    if (ptrace(PTRACE_POKEDATA, tid, reinterpret_cast<void*>(event.args[0]),
               reinterpret_cast<void*>(cleared)) != 0)
      return;
    thread.untraced = UntracedFixup{true, false, event.args[0], flags};
  }
  notice_once(thread.tgid, kNoticeUntraced,
              process_label(thread.tgid) + " calls " + std::string(name) +
                  " with CLONE_UNTRACED: seccheck clears the flag so the new " +
                  ((flags & kCloneThread) ? "thread" : "process") +
                  " stays traced (untraced it would keep seccheck's seccomp filter with no tracer, and every "
                  "call the filter stops would fail with ENOSYS)");
}

// `child_running`: a task that shares the memory may already run (its first stop was seen and
// resumed), and a vfork-style child runs on the caller's stack: the struct is not written then.
void Session::restore_untraced(pid_t tid, ThreadState& thread, bool child_running) {
  if (!thread.untraced) return;
  const UntracedFixup fixup = *thread.untraced;
  thread.untraced.reset();
  if (fixup.in_memory) {
    if (child_running && (fixup.original & kCloneVm)) return;
    ptrace(PTRACE_POKEDATA, tid, reinterpret_cast<void*>(fixup.address),
           reinterpret_cast<void*>(fixup.original));
    return;
  }
  user_regs_struct regs{};
  if (ptrace(PTRACE_GETREGS, tid, nullptr, &regs) != 0) return;
  (fixup.i386 ? regs.rbx : regs.rdi) = fixup.original;
  ptrace(PTRACE_SETREGS, tid, nullptr, &regs);
}

void Session::inspect_exit(ThreadState& thread, std::int64_t result) {
  const ExitCheck check = thread.exit_check;
  thread.exit_check = ExitCheck::kNone;
  if (check == ExitCheck::kNone) return;
  const pid_t pid = thread.tgid;
  const std::string call(syscall_name(thread.entry.arch, thread.entry.nr).value_or("?"));
  switch (check) {
    case ExitCheck::kOwnFilter: {
      // Installed: 0, or the listener fd with SECCOMP_FILTER_FLAG_NEW_LISTENER. With TSYNC alone a
      // positive result is the id of a thread that could not be synchronised: nothing installed.
      const bool listener = (thread.exit_check_arg & SECCOMP_FILTER_FLAG_NEW_LISTENER) != 0;
      if (result == 0 || (result > 0 && listener))
        notice_once(pid, kNoticeOwnFilter,
                    process_label(pid) + " installs its own seccomp filter (" + call +
                        "); a higher-precedence action from it (ERRNO, KILL, TRAP, USER_NOTIF) hides calls "
                        "from seccheck's SECCOMP_RET_TRACE, so later calls of this process may be missing");
      return;
    }
    case ExitCheck::kStrictMode:
      if (result == -EINVAL)
        notice_once(
            pid, kNoticeStrictMode,
            process_label(pid) + " asks for SECCOMP_MODE_STRICT (" + call +
                ") and gets EINVAL: the kernel refuses strict mode once a seccomp filter is installed "
                "(seccheck's here; a container runtime's under its profile, so it fails there too); "
                "`seccheck trace --no-seccomp` runs it without a filter");
      return;
    case ExitCheck::kPtrace: {
      if (result != -EPERM) return;
      const bool traceme = thread.exit_check_arg == PTRACE_TRACEME;
      const pid_t target = static_cast<pid_t>(thread.entry.args[1]);
      // PTRACE_ATTACH/SEIZE of a process seccheck does not trace failed for another reason.
      if (!traceme && status_field(target, "TracerPid") != static_cast<long>(syscall(SYS_gettid))) return;
      const char* request = traceme                                  ? "PTRACE_TRACEME"
                            : thread.exit_check_arg == PTRACE_ATTACH ? "PTRACE_ATTACH"
                                                                     : "PTRACE_SEIZE";
      notice_once(pid, kNoticePtrace,
                  process_label(pid) + " cannot use ptrace (" + request +
                      " fails with EPERM): seccheck traces " +
                      (traceme ? std::string("it") : "pid " + std::to_string(target)) +
                      " already and a process has one tracer, so debuggers and tracers (gdb, strace) fail "
                      "under seccheck as they do under strace -f");
      return;
    }
    case ExitCheck::kNone: return;
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
      forget_thread(current);
    }
    ThreadState moved;
    if (old != threads_.end()) {
      moved = old->second;
      moved.waiting_for_child = false;  // it was in execve
      forget_thread(old);
    }
    moved.tgid = tid;
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
  observer_.on_exec(pid);
  resume(tid, 0);
}

void Session::handle_gone(pid_t tid, int status) {
  auto it = threads_.find(tid);
  pid_t tgid = tid;
  if (it == threads_.end() || !it->second.announced) reaped_unannounced_.insert(tid);
  if (it != threads_.end()) {
    tgid = it->second.tgid;
    forget_thread(it);
    observer_.on_thread_exit(tid, status);
  }
  // The leader is reported last, after every other thread of its group.
  if (tid == tgid) {
    if (processes_.erase(tgid) > 0 || tid == root_) observer_.on_process_exit(tgid, status);
    unwinder_.flush(tgid);
  }
  if (tid == root_) {
    summary_.exit_status = shell_exit_status(status);
    root_gone_ = true;
  }
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
  int stage;  // 1: seccomp filter, 2: execve, 3: no_new_privs, 4: execve of /bin/sh for a script
  int error_number;
};

// Loading a seccomp filter without no_new_privs needs CAP_SYS_ADMIN in the current user
// namespace, which root in a container (Docker's default) lacks; uid 0 says nothing about it.
bool has_cap_sys_admin() {
  constexpr std::uint64_t kCapSysAdmin = 1ull << 21;
  return (status_mask(getpid(), "CapEff") & kCapSysAdmin) != 0;
}

// The interpreter a "#!" first line names, escaped for a message; "" when there is none.
std::string script_interpreter(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[256] = {};
  in.read(head, sizeof head);
  const std::string line(head, static_cast<size_t>(in.gcount()));
  if (line.rfind("#!", 0) != 0) return "";
  const size_t start = line.find_first_not_of(" \t", 2);
  if (start == std::string::npos) return "";
  const size_t end = line.find_first_of(" \t\n", start);
  return escape_terminal(line.substr(start, end == std::string::npos ? end : end - start));
}

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
  const bool set_no_new_privs = use_seccomp && !has_cap_sys_admin();
  if (set_no_new_privs)
    observer.on_notice("no CAP_SYS_ADMIN (not root, or root in a container without it): setting no_new_privs "
                       "so the seccomp filter can load; setuid and setgid programs and file capabilities "
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
  std::vector<char*> argv = exec_argv(options.argv);
  // For a file the kernel cannot execute, as execvp does: /bin/sh FILE ARGS... (made before fork:
  // the child of a threaded process must not allocate).
  static char shell[] = "/bin/sh";
  std::vector<char*> script_argv = {shell, const_cast<char*>(path->c_str())};
  script_argv.insert(script_argv.end(), argv.begin() + 1, argv.end());

  // From here a terminating signal interrupts the run (the child gets its dispositions back at
  // execve), so one that comes before the wait loop starts is not lost.
  InterruptHandlers handlers;
  set_forwarding(options.init);
  struct EndForwarding {
    ~EndForwarding() { set_forwarding(false); }
  } end_forwarding;
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
    if (set_no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) child_fail(error_pipe[1], 3);
    for (const BpfProgram& program : filters)
      if (!load_filter(program)) child_fail(error_pipe[1], 1);
    execv(path->c_str(), argv.data());
    if (errno != ENOEXEC) child_fail(error_pipe[1], 2);
    execv(shell, script_argv.data());
    child_fail(error_pipe[1], 4);
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
  Session session(observer, use_seccomp ? Mode::kSeccomp : Mode::kStep, options.return_values,
                  use_seccomp && options.watch_notices, false);
  session.set_root(child);
  session.set_init(options.init);
  session.add_thread(child, child).announced = true;
  // Stepping needs a first stop to start PTRACE_SYSCALL from; with filters the child runs free.
  if (!use_seccomp) ptrace(PTRACE_INTERRUPT, child, nullptr, nullptr);
  char go = 'g';
  if (write(go_fd.get(), &go, 1) != 1) {
    kill(child, SIGKILL);
  }
  go_fd.reset();
  session.run();

  TraceSummary summary = session.summary();
  // Interrupted before its execve, the child may still hold the error pipe: no read then.
  if (!session.root_exec_seen() && !summary.interrupted) {
    ChildFailure failure{};
    if (read(error_fd.get(), &failure, sizeof failure) == static_cast<ssize_t>(sizeof failure)) {
      const int error_number = failure.error_number;
      if (failure.stage == 2 || failure.stage == 4) {
        kind = error_number == ENOENT ? LaunchError::kNotFound : LaunchError::kNotExecutable;
        std::string why = std::strerror(error_number);
        const std::string interpreter = failure.stage == 2 ? script_interpreter(*path) : "";
        if (!interpreter.empty() && (error_number == ENOENT || error_number == EACCES))
          why = "its interpreter " + interpreter + " (from its #! line): " + why;
        if (failure.stage == 4)
          why = "not an executable, and " + std::string(shell) + " to run it as a script: " + why;
        return make_error(options.argv[0] + ": cannot execute: " + why);
      }
      kind = LaunchError::kOther;
      if (failure.stage == 1)
        return make_error(std::string("cannot load the seccomp filter in the child: ") +
                          std::strerror(failure.error_number) +
                          " (seccomp filters unavailable? try without filters)");
      return make_error(std::string("prctl(PR_SET_NO_NEW_PRIVS) failed: ") +
                        std::strerror(failure.error_number));
    }
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
  InterruptHandlers handlers;
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
        // A thread created since the last pass by one already seized is ours by auto-attach.
        if (saved == EPERM && status_field(tid, "TracerPid") == static_cast<long>(syscall(SYS_gettid)))
          continue;
        closedir(dir);
        kind = LaunchError::kPtrace;
        // Let go of the threads seized so far before reporting.
        for (auto& [other, ok] : seized)
          ptrace(PTRACE_DETACH, other, nullptr, nullptr);
        return make_error("cannot attach to pid " + std::to_string(pid) + " (PTRACE_SEIZE: " +
                          std::strerror(saved) + "): " + ptrace_denied_reason(pid, true));
      }
      session.add_thread(tid, pid).announced = true;
      ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
    }
    closedir(dir);
  }
  session.run();
  return session.summary();
}

}  // namespace seccheck::tracer
