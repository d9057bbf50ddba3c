#include "tests/support/seccomp_child.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>

namespace seccheck::testing {
namespace {

struct Result1 {
  long ret;
  int err;
};

struct Shared {
  std::atomic<int> progress;  // calls finished
  std::atomic<int> done;      // the child finished its last call
  std::atomic<int> trapped;   // the handler ran for call `progress`
  // What the child could not set up: a string literal (the same address in parent and child
  // after fork) and its errno, formatted by the parent: once a filter is loaded the child's own
  // calls fail, so it must not format (or allocate) anything itself.
  const char* failed_step;
  int failed_errno;
  Result1 results[1];  // really `count` entries
};

Shared* g_shared = nullptr;

void on_sigsys(int) {
  g_shared->trapped.store(1);
  // rt_sigreturn would meet the filters too: wait here for the parent's SIGKILL.
  for (;;) {
  }
}

long load(const sock_filter* instructions, std::size_t count) {
  sock_fprog prog{static_cast<unsigned short>(count), const_cast<sock_filter*>(instructions)};
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

[[noreturn]] void child_main(Shared* shared, const BpfProgram& program, bool backstop,
                             const std::vector<KernelCall>& calls, std::size_t first) {
  g_shared = shared;
  struct sigaction action {};
  action.sa_handler = on_sigsys;
  sigaction(SIGSYS, &action, nullptr);
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);  // a SIGSYS kill must not write a core file
  // Once a filter is loaded nothing here may call a noreturn function either: a sanitizer
  // checks the stack before such calls, with system calls that now fail, and then spins.
  const char* failed = nullptr;
  const sock_filter trace_all[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_seccomp, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
  };
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    failed = "PR_SET_NO_NEW_PRIVS";
  else if (backstop && load(trace_all, std::size(trace_all)) != 0)
    failed = "loading the backstop";
  else if (load(program.instructions.data(), program.instructions.size()) != 0)
    failed = "loading the program";
  if (failed != nullptr) {
    shared->failed_errno = errno;
    shared->failed_step = failed;
  }
  for (std::size_t i = first; failed == nullptr && i < calls.size(); ++i) {
    const KernelCall& call = calls[i];
    const long raw_nr = call.arch == Arch::kX32 ? (call.nr | static_cast<long>(kX32SyscallBit)) : call.nr;
    long ret =
        syscall(raw_nr, call.args[0], call.args[1], call.args[2], call.args[3], call.args[4], call.args[5]);
    shared->results[i].err = ret == -1 ? errno : 0;
    shared->results[i].ret = ret;
    shared->progress.store(static_cast<int>(i + 1));
  }
  shared->done.store(1);
  for (;;)
    syscall(SYS_exit_group, 0);  // may be refused: the parent kills us
}

}  // namespace

std::vector<Observation> run_batch_under_filter(const BpfProgram& program, bool backstop,
                                                const std::vector<KernelCall>& calls) {
  std::vector<Observation> out(calls.size());
  const std::size_t bytes = sizeof(Shared) + sizeof(Result1) * (calls.size() + 1);
  std::size_t next = 0;
  while (next < calls.size()) {
    void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
      out[next].setup_error = "mmap failed";
      return out;
    }
    Shared* shared = new (memory) Shared{};
    shared->progress.store(static_cast<int>(next));
    pid_t pid = fork();
    if (pid == 0) child_main(shared, program, backstop, calls, next);
    if (pid < 0) {
      out[next].setup_error = std::string("fork: ") + std::strerror(errno);
      munmap(memory, bytes);
      return out;
    }
    int status = 0;
    bool exited = false;
    int last_progress = shared->progress.load();
    int idle = 0;
    while (!shared->done.load() && !shared->trapped.load()) {
      if (waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        break;
      }
      int progress = shared->progress.load();
      if (progress != last_progress) {
        last_progress = progress;
        idle = 0;
      } else if (++idle > 100000) {  // ~5 s without progress
        break;
      }
      timespec pause{0, 50000};
      nanosleep(&pause, nullptr);
    }
    if (!exited) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
    }
    const std::size_t finished = static_cast<std::size_t>(shared->progress.load());
    for (std::size_t i = next; i < finished; ++i) {
      out[i].ret = shared->results[i].ret;
      out[i].err = shared->results[i].err;
    }
    next = finished;
    if (next < calls.size()) {
      Observation& current = out[next];
      if (shared->failed_step != nullptr) {
        current.setup_error = std::string(shared->failed_step) + ": " + std::strerror(shared->failed_errno);
      } else if (shared->trapped.load()) {
        current.trapped = true;
      } else if (exited && WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) {
        current.killed = true;
      } else if (exited) {
        current.setup_error = "child ended unexpectedly, status " + std::to_string(status);
      } else {
        current.timed_out = true;
      }
      ++next;
    }
    munmap(memory, bytes);
  }
  return out;
}

std::string Observation::describe() const {
  if (!setup_error.empty()) return "setup error: " + setup_error;
  if (timed_out) return "timed out";
  if (killed) return "killed by SIGSYS";
  if (trapped) return "SIGSYS trap";
  if (ret == -1) return "errno " + std::to_string(err);
  return "returned " + std::to_string(ret);
}

Observation run_under_filter(const BpfProgram& program, bool backstop, Arch arch, int nr,
                             const std::array<std::uint64_t, 6>& args) {
  return run_batch_under_filter(program, backstop, {KernelCall{arch, nr, args}}).front();
}

bool same_observation(const Observation& a, const Observation& b) {
  if (!a.setup_error.empty() || !b.setup_error.empty() || a.timed_out || b.timed_out) return false;
  if (a.killed || b.killed) return a.killed == b.killed;
  if (a.trapped || b.trapped) return a.trapped == b.trapped;
  return a.ret == b.ret && a.err == b.err;
}

bool kernel_filters_work() {
  BpfProgram allow;
  allow.instructions.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  Observation seen = run_under_filter(allow, true, Arch::kX86_64, SYS_getpid, {});
  return seen.setup_error.empty() && seen.err == ENOSYS;
}

}  // namespace seccheck::testing
