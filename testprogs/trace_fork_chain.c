// fork, vfork and exec chains: the parent forks a child that calls getppid 3 times and execs
// `trace_exit_code 0`; then vforks a child that execs `trace_exit_code 5`; then forks a child
// that forks a grandchild; each of those calls getppid once. Exits with the vfork child's code.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  (void)argc;
  char exit_prog[4096];
  snprintf(exit_prog, sizeof exit_prog, "%s", argv[0]);
  char* slash = strrchr(exit_prog, '/');
  snprintf(slash ? slash + 1 : exit_prog, sizeof exit_prog - (size_t)(slash ? slash + 1 - exit_prog : 0), "trace_exit_code");
  pid_t child = fork();
  if (child == 0) {
    for (int i = 0; i < 3; ++i) syscall(SYS_getppid);
    execl(exit_prog, exit_prog, "0", (char*)NULL);
    _exit(99);
  }
  int status = 0;
  waitpid(child, &status, 0);
  pid_t vchild = vfork();
  if (vchild == 0) {
    execl(exit_prog, exit_prog, "5", (char*)NULL);
    _exit(98);
  }
  int vstatus = 0;
  waitpid(vchild, &vstatus, 0);
  pid_t middle = fork();
  if (middle == 0) {
    syscall(SYS_getppid);
    pid_t grandchild = fork();
    if (grandchild == 0) {
      syscall(SYS_getppid);
      _exit(0);
    }
    waitpid(grandchild, NULL, 0);
    _exit(0);
  }
  waitpid(middle, NULL, 0);
  return WIFEXITED(vstatus) ? WEXITSTATUS(vstatus) : 1;
}
