// Stress: a workload that ignores SIGINT (and SIGTERM). It makes 1,000 getppid calls, sends
// itself SIGINT 10 times, and exits 5. With "forever" it prints "ready" and then makes a
// getppid call every millisecond until killed, so only SIGKILL ends it; "forever flagged"
// first makes a keyctl call (blocked by RuntimeDefault profiles), for `seccheck check`.
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  for (int i = 0; i < 1000; ++i)
    syscall(SYS_getppid);
  for (int i = 0; i < 10; ++i)
    kill(getpid(), SIGINT);
  if (argc > 1 && strcmp(argv[1], "forever") == 0) {
    if (argc > 2 && strcmp(argv[2], "flagged") == 0) syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0);
    printf("ready\n");
    fflush(stdout);
    struct timespec ms = {0, 1000000};
    for (;;) {
      syscall(SYS_getppid);
      nanosleep(&ms, NULL);
    }
  }
  printf("getppid_calls=1000\n");
  return 5;
}
