// Stress: N short-lived processes (default 500), forked in batches of 50 so many live at once;
// each makes 3 getppid calls and exits with its index % 7. The parent checks every status and
// prints the exact getppid count of the whole tree; exits 0 only if every child exited right.
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 500;
  long calls = 0;
  int bad = 0;
  for (int base = 0; base < n; base += 50) {
    pid_t pids[50];
    int count = n - base < 50 ? n - base : 50;
    for (int i = 0; i < count; ++i) {
      pids[i] = fork();
      if (pids[i] < 0) return 3;
      if (pids[i] == 0) {
        for (int k = 0; k < 3; ++k)
          syscall(SYS_getppid);
        _exit((base + i) % 7);
      }
      calls += 3;
    }
    for (int i = 0; i < count; ++i) {
      int status = 0;
      if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
          WEXITSTATUS(status) != (base + i) % 7)
        ++bad;
    }
  }
  syscall(SYS_getppid);
  ++calls;
  printf("getppid_calls=%ld bad_children=%d\n", calls, bad);
  return bad == 0 ? 0 : 1;
}
