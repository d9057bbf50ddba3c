// Stress: a process that SIGKILLs its own children mid-syscall. 20 children each make 10
// getppid calls, tell the parent through a pipe, then block: even ones in read(2) on a pipe
// nobody writes, odd ones in a nanosleep loop. The parent SIGKILLs each and checks it died of
// SIGKILL. Prints the exact getppid count; exits 0 only if every child died as expected.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20;
  int ready[2], never[2];
  if (pipe(ready) != 0 || pipe(never) != 0) return 2;
  pid_t* pids = calloc((size_t)n, sizeof *pids);
  for (int i = 0; i < n; ++i) {
    pids[i] = fork();
    if (pids[i] < 0) return 3;
    if (pids[i] == 0) {
      for (int k = 0; k < 10; ++k)
        syscall(SYS_getppid);
      char byte = 'r';
      if (write(ready[1], &byte, 1) != 1) _exit(4);
      if (i % 2 == 0) {
        char sink;
        for (;;)
          (void)read(never[0], &sink, 1);
      }
      struct timespec ms = {0, 1000000};
      for (;;)
        nanosleep(&ms, NULL);
    }
  }
  for (int i = 0; i < n; ++i) {
    char byte;
    if (read(ready[0], &byte, 1) != 1) return 5;
  }
  struct timespec settle = {0, 20000000};
  nanosleep(&settle, NULL); // let the children reach their blocking call
  int bad = 0;
  for (int i = 0; i < n; ++i)
    kill(pids[i], SIGKILL);
  for (int i = 0; i < n; ++i) {
    int status = 0;
    if (waitpid(pids[i], &status, 0) != pids[i] || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) ++bad;
  }
  syscall(SYS_getppid);
  printf("getppid_calls=%d bad_children=%d\n", n * 10 + 1, bad);
  free(pids);
  return bad == 0 ? 0 : 1;
}
