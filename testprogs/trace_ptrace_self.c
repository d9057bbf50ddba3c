// A workload that uses ptrace itself (issue 19, item 21), as debuggers and tracers do: a child
// calls PTRACE_TRACEME, and the parent PTRACE_SEIZEs a second child. Under another tracer both
// fail with EPERM (a process has one tracer). Prints each outcome; exits 0 when both worked.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  int good = 0;
  pid_t child = fork();
  if (child == 0) {
    if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0) {
      printf("PTRACE_TRACEME: %s\n", strerror(errno));
      _exit(1);
    }
    printf("PTRACE_TRACEME: ok\n");
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  good += WIFEXITED(status) && WEXITSTATUS(status) == 0;

  child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  if (ptrace(PTRACE_SEIZE, child, NULL, NULL) != 0) {
    printf("PTRACE_SEIZE: %s\n", strerror(errno));
  } else {
    printf("PTRACE_SEIZE: ok\n");
    ++good;
  }
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  return good == 2 ? 0 : 1;
}
