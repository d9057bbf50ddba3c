// The workload of the container end-to-end tests, linked -static so it runs in a busybox root
// filesystem. One mode per run (argv[1]):
//   clone-ns     clone(CLONE_NEWUTS|SIGCHLD): Docker's profile allows namespace flags only with
//                CAP_SYS_ADMIN. Prints "clone: ok" or "clone: ERRNO".
//   exit N       makes one getpid() and exits N.
//   wait-term    prints "ready", waits for SIGTERM, prints "got SIGTERM", exits 143.
//   orphan       forks a child that outlives this process (sleeps 300 s in its own session),
//                prints "orphan PID", exits 0.
//   zombies N    forks N children that exit at once and never waits for them, then exits 0
//                (its children become orphans the init must reap).
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got_term = 0;
static void on_term(int sig) {
  (void)sig;
  got_term = 1;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const char* mode = argc > 1 ? argv[1] : "exit";
  if (strcmp(mode, "clone-ns") == 0) {
    long pid = syscall(SYS_clone, (unsigned long)CLONE_NEWUTS | SIGCHLD, 0L, 0L, 0L, 0L);
    if (pid < 0) {
      printf("clone: %s\n", strerror(errno));
      return 1;
    }
    if (pid == 0) _exit(0);
    int status = 0;
    waitpid((pid_t)pid, &status, 0);
    printf("clone: ok\n");
    return 0;
  }
  if (strcmp(mode, "exit") == 0) {
    syscall(SYS_getpid);
    return argc > 2 ? atoi(argv[2]) : 0;
  }
  if (strcmp(mode, "wait-term") == 0) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_term;
    sigaction(SIGTERM, &action, NULL);
    printf("ready\n");
    while (!got_term)
      pause();
    printf("got SIGTERM\n");
    return 143;
  }
  if (strcmp(mode, "orphan") == 0) {
    pid_t pid = fork();
    if (pid == 0) {
      setsid();
      sleep(300);
      _exit(0);
    }
    printf("orphan %d\n", (int)pid);
    return 0;
  }
  if (strcmp(mode, "zombies") == 0) {
    int count = argc > 2 ? atoi(argv[2]) : 3;
    for (int i = 0; i < count; ++i) {
      if (fork() == 0) _exit(0);
    }
    return 0;
  }
  fprintf(stderr, "unknown mode %s\n", mode);
  return 2;
}
