// CLONE_UNTRACED (issue 19, item 1): a process made by clone(CLONE_UNTRACED | SIGCHLD), one made
// by clone3 with CLONE_UNTRACED, and a thread made by clone(CLONE_THREAD | ... | CLONE_UNTRACED)
// each call getppid and unshare(0) and check both ran: under a tracer that lost them, seccheck's
// filter would fail them with ENOSYS (and a filter that stops exit_group would keep them from
// exiting). The parent also checks that clone3's struct has its flags back after the call.
// Prints one line per task and exits 0 when all three are right, 1 otherwise.
#define _GNU_SOURCE
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int calls_run(void) {
  long parent = syscall(SYS_getppid);
  long shared = syscall(SYS_unshare, 0);
  return parent > 0 && shared == 0;
}

static int wait_child(pid_t child, const char* how) {
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) != child) {
    printf("%s: no child\n", how);
    return 0;
  }
  int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  printf("%s: child %s\n", how, ok ? "ok" : "failed");
  return ok;
}

static atomic_int thread_result = -1;

static int thread_main(void* arg) {
  (void)arg;
  atomic_store(&thread_result, calls_run());
  syscall(SYS_exit, 0);  // the thread alone
  return 0;
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  int good = 0;

  pid_t child = (pid_t)syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
  if (child == 0) _exit(calls_run() ? 0 : 1);
  good += wait_child(child, "clone");

  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.flags = CLONE_UNTRACED;
  args.exit_signal = SIGCHLD;
  child = (pid_t)syscall(SYS_clone3, &args, sizeof args);
  if (child == 0) _exit(calls_run() ? 0 : 1);
  int restored = args.flags == CLONE_UNTRACED;
  printf("clone3: flags %s\n", restored ? "as given" : "changed");
  good += wait_child(child, "clone3") && restored;

  static char stack[64 * 1024];
  int flags =
      CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_UNTRACED;
  if (clone(thread_main, stack + sizeof stack, flags, NULL) < 0) {
    printf("thread: clone failed\n");
  } else {
    while (atomic_load(&thread_result) < 0)
      usleep(1000);
    printf("thread: %s\n", atomic_load(&thread_result) ? "ok" : "failed");
    good += atomic_load(&thread_result);
  }
  return good == 3 ? 0 : 1;
}
