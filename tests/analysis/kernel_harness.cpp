#include "tests/analysis/kernel_harness.h"

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

struct Shared {
  std::atomic<int> done;
  std::atomic<int> trapped;
  long ret;
  int err;
  char setup_error[128];
};

Shared* g_shared = nullptr;

void on_sigsys(int) {
  g_shared->trapped.store(1);
  g_shared->done.store(1);
  // rt_sigreturn would meet the filters too: wait here for the parent's SIGKILL.
  for (;;) {
  }
}

[[noreturn]] void child_fail(const char* what) {
  std::snprintf(g_shared->setup_error, sizeof g_shared->setup_error, "%s: %s", what, std::strerror(errno));
  g_shared->done.store(1);
  _exit(99);
}

long load(const sock_filter* instructions, std::size_t count) {
  sock_fprog prog{static_cast<unsigned short>(count), const_cast<sock_filter*>(instructions)};
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

}  // namespace

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
  void* memory = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  Observation obs;
  if (memory == MAP_FAILED) {
    obs.setup_error = "mmap failed";
    return obs;
  }
  Shared* shared = new (memory) Shared{};
  const long raw_nr = arch == Arch::kX32 ? (nr | static_cast<long>(kX32SyscallBit)) : nr;
  pid_t pid = fork();
  if (pid == 0) {
    g_shared = shared;
    struct sigaction action {};
    action.sa_handler = on_sigsys;
    sigaction(SIGSYS, &action, nullptr);
    rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);  // a SIGSYS kill must not write a core file
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) child_fail("PR_SET_NO_NEW_PRIVS");
    if (backstop) {
      const sock_filter trace_all[] = {
          BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
          BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
          BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
          BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_seccomp, 0, 1),
          BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
          BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
      };
      if (load(trace_all, std::size(trace_all)) != 0) child_fail("loading the backstop");
    }
    if (load(program.instructions.data(), program.instructions.size()) != 0) child_fail("loading the program");
    long ret = syscall(raw_nr, args[0], args[1], args[2], args[3], args[4], args[5]);
    shared->err = ret == -1 ? errno : 0;
    shared->ret = ret;
    shared->done.store(1);
    for (;;) syscall(SYS_exit_group, 0);  // may be refused: the parent kills us
  }
  if (pid < 0) {
    obs.setup_error = std::string("fork: ") + std::strerror(errno);
    munmap(memory, sizeof(Shared));
    return obs;
  }
  int status = 0;
  bool exited = false;
  for (int i = 0; i < 200000; ++i) {  // up to ~10 s
    if (shared->done.load()) break;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      exited = true;
      break;
    }
    timespec pause{0, 50000};
    nanosleep(&pause, nullptr);
  }
  if (!exited) {
    obs.timed_out = !shared->done.load();
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  if (shared->setup_error[0] != '\0') {
    obs.setup_error = shared->setup_error;
  } else if (exited && WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) {
    obs.killed = true;
  } else if (shared->trapped.load()) {
    obs.trapped = true;
  } else if (shared->done.load()) {
    obs.ret = shared->ret;
    obs.err = shared->err;
    obs.timed_out = false;
  } else if (exited) {
    obs.setup_error = "child ended unexpectedly, status " + std::to_string(status);
  }
  munmap(memory, sizeof(Shared));
  return obs;
}

Observation expected_with_backstop(const analysis::Verdict& verdict) {
  Observation obs;
  switch (verdict.action.kind) {
    case analysis::ActionKind::kKillProcess:
    case analysis::ActionKind::kKillThread: obs.killed = true; break;
    case analysis::ActionKind::kTrap: obs.trapped = true; break;
    case analysis::ActionKind::kErrno:
      obs.ret = -1;
      obs.err = static_cast<int>(verdict.action.value.value_or(EPERM));
      break;
    default:  // ALLOW, LOG, TRACE, NOTIFY: the backstop's TRACE without a tracer
      obs.ret = -1;
      obs.err = ENOSYS;
      break;
  }
  return obs;
}

bool same_observation(const Observation& a, const Observation& b) {
  if (!a.setup_error.empty() || !b.setup_error.empty() || a.timed_out || b.timed_out) return false;
  if (a.killed || b.killed) return a.killed == b.killed;
  if (a.trapped || b.trapped) return a.trapped == b.trapped;
  return a.ret == b.ret && a.err == b.err;
}

}  // namespace seccheck::testing
