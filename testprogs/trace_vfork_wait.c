// A process a tracer cannot stop for a while: it vforks a child that sleeps SECONDS (default
// 30) before it exits, so the parent waits in vfork and no ptrace stop or detach reaches it
// until then. Prints "ready" with the parent's pid once the child runs; exits 0.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  int seconds = argc > 1 ? atoi(argv[1]) : 30;
  printf("ready %d\n", (int)getpid());
  fflush(stdout);
  pid_t child = vfork();
  if (child == 0) {
    struct timespec wait = {seconds, 0};
    nanosleep(&wait, NULL);
    _exit(0);
  }
  return 0;
}
