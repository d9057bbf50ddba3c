// clone(CLONE_NEWUTS|SIGCHLD) through syscall(2), or with argument "net" CLONE_NEWNET, or
// "ipc" CLONE_NEWIPC: Docker's default profile allows clone only without namespace flags.
// Exits 0 when the clone succeeded and the child exited 0, 1 otherwise.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  unsigned long flags = CLONE_NEWUTS;
  if (argc > 1 && strcmp(argv[1], "net") == 0) flags = CLONE_NEWNET;
  if (argc > 1 && strcmp(argv[1], "ipc") == 0) flags = CLONE_NEWIPC;
  long pid = syscall(SYS_clone, flags | SIGCHLD, 0L, 0L, 0L, 0L);
  if (pid < 0) {
    printf("clone: %s\n", strerror(errno));
    return 1;
  }
  if (pid == 0) _exit(0);
  int status = 0;
  if (waitpid((pid_t)pid, &status, 0) < 0) return 1;
  printf("clone: ok\n");
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
