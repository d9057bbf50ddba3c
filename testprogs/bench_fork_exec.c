// Benchmark: N fork+exec+wait rounds (default 2,000) of a tiny program (this binary with
// "child"), the cost of following a process tree.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) return 0;
  long n = argc > 1 ? atol(argv[1]) : 2000;
  for (long i = 0; i < n; ++i) {
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
      execl("/proc/self/exe", argv[0], "child", (char*)NULL);
      _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
  }
  printf("rounds=%ld\n", n);
  return 0;
}
