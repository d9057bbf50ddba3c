// Workloads that interrupt seccheck, for the "an interrupted run cannot pass a gate" tests.
//   term-parent: sends SIGTERM to its parent (seccheck, which traces it), then makes a keyctl
//                call that RuntimeDefault profiles block, and exits 0.
//   hup-parent:  the same with SIGHUP.
//   wait:        prints "ready", then sleeps 10 s before the keyctl call: a signal sent to
//                seccheck after "ready" arrives before any finding.
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void blocked_call(void) {
  syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0);
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "term-parent") == 0 || strcmp(mode, "hup-parent") == 0) {
    kill(getppid(), strcmp(mode, "term-parent") == 0 ? SIGTERM : SIGHUP);
    usleep(200 * 1000);
    blocked_call();
    return 0;
  }
  if (strcmp(mode, "wait") == 0) {
    printf("ready\n");
    fflush(stdout);
    sleep(10);
    blocked_call();
    return 0;
  }
  fprintf(stderr, "usage: check_interrupt term-parent|hup-parent|wait\n");
  return 2;
}
