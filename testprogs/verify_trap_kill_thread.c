// Relies on the kernel's TRAP and KILL_THREAD as a profile that answers getcpu with TRAP and
// sysinfo with KILL_THREAD gives them: its SIGSYS handler must see si_code SYS_SECCOMP,
// si_syscall getcpu, si_arch x86_64 and si_call_addr in this program, and a second thread whose
// sysinfo kills only that thread must not end the process. Exits 0 then (and without the
// profile, where both calls just work), 1 when the handler saw something else, 2 when the
// handler never ran under a filter.
#define _GNU_SOURCE
#include <linux/audit.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

static volatile sig_atomic_t trapped;
static volatile sig_atomic_t bad;

static void on_sigsys(int sig, siginfo_t* info, void* context) {
  (void)sig;
  (void)context;
  trapped = 1;
  if (info->si_code != SYS_SECCOMP || info->si_syscall != SYS_getcpu || info->si_arch != AUDIT_ARCH_X86_64 ||
      info->si_call_addr == NULL)
    bad = 1;
}

static void* worker(void* arg) {
  struct sysinfo si;
  syscall(SYS_sysinfo, &si);  // KILL_THREAD ends this thread here under the profile
  return arg;
}

int main(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = on_sigsys;
  action.sa_flags = SA_SIGINFO;
  sigaction(SIGSYS, &action, NULL);
  unsigned cpu = 0;
  long got = syscall(SYS_getcpu, &cpu, NULL, NULL);
  pthread_t id;
  if (pthread_create(&id, NULL, worker, NULL) != 0) return 3;
  pthread_join(id, NULL);
  if (bad) return 1;
  if (got != 0 && !trapped) return 2;
  printf("ok\n");
  return 0;
}
