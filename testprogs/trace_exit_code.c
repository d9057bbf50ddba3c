// Exits with argv[1] ("segv": dies by SIGSEGV; "kill": SIGKILLs itself after one getppid and a
// sleep, so it is killed mid-run). Makes one getpid() first so traces are never empty.
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char** argv) {
  syscall(SYS_getpid);
  if (argc > 1 && strcmp(argv[1], "segv") == 0) {
    volatile int* p = (volatile int*)0;
    *p = 1;
  }
  if (argc > 1 && strcmp(argv[1], "kill") == 0) {
    syscall(SYS_getppid);
    kill(getpid(), SIGKILL);
    pause();
  }
  return argc > 1 ? atoi(argv[1]) : 0;
}
