// Stress: a chain of processes DEPTH deep (default 200): each makes one getppid call, forks
// the next and exits with its child's exit status; the last exits 42. The first prints the
// exact getppid count of the chain and exits with the status that came up the chain (42).
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  int depth = argc > 1 ? atoi(argv[1]) : 200;
  int level = 0;
  for (;;) {
    syscall(SYS_getppid);
    if (level == depth) _exit(42);
    pid_t child = fork();
    if (child < 0) _exit(3);
    if (child == 0) {
      ++level;
      continue;
    }
    int status = 0;
    if (waitpid(child, &status, 0) != child) _exit(4);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (level == 0) {
      printf("getppid_calls=%d\n", depth + 1);
      fflush(stdout);
    }
    _exit(code);
  }
}
