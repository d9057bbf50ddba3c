// Makes a call every runtime profile blocks (acct), then prints something different on every
// run (its pid and the time in nanoseconds): with --impact-output two plain runs differ, so no
// finding can be judged.
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  syscall(SYS_acct, NULL);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  printf("%d %ld\n", (int)getpid(), (long)now.tv_nsec);
  return 0;
}
