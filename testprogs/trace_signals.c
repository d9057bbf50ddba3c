// A signal storm: a child sends SIGUSR1 to the parent 200 times while the parent loops on
// getppid; the handler counts. Then the parent stops itself with SIGSTOP and the child wakes it
// with SIGCONT. Exits 0 when every SIGUSR1 was handled (signals were re-injected) and the parent
// came back from its stop. The SIGCONTs go by tgkill, so a trace of kill sees exactly the 200.
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t received = 0;
static void on_usr1(int sig) { (void)sig; received++; }

int main(void) {
  struct sigaction action = {0};
  action.sa_handler = on_usr1;
  action.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &action, NULL);
  pid_t parent = getpid();
  int pipefd[2], wokefd[2];
  if (pipe(pipefd) != 0 || pipe2(wokefd, O_NONBLOCK) != 0) return 2;
  pid_t child = fork();
  if (child == 0) {
    for (int i = 0; i < 200; ++i) {
      kill(parent, SIGUSR1);
      char ack;
      if (read(pipefd[0], &ack, 1) != 1) _exit(3);  // one at a time, so none merge
    }
    // Wake the parent from its stop. /proc shows a traced process stopped ('t') at every ptrace
    // stop too, so a SIGCONT may come before the SIGSTOP: repeat it until the parent says it woke.
    // With no SIGCONT handler an early one changes nothing.
    for (;;) {
      char woke;
      if (read(wokefd[0], &woke, 1) == 1) break;
      char path[64], state = 0;
      snprintf(path, sizeof path, "/proc/%d/stat", parent);
      FILE* f = fopen(path, "r");
      if (f) {
        if (fscanf(f, "%*d %*s %c", &state) != 1) state = 0;
        fclose(f);
      }
      if (state == 'T' || state == 't') syscall(SYS_tgkill, parent, parent, SIGCONT);
      usleep(1000);
    }
    _exit(0);
  }
  int seen = 0;
  while (received < 200) {
    syscall(SYS_getppid);
    if (received > seen) {
      seen = received;
      if (write(pipefd[1], "a", 1) != 1) return 4;
    }
  }
  // The last signal may land after the ack check above: ack it here, or the child waits forever.
  if (received > seen && write(pipefd[1], "a", 1) != 1) return 4;
  raise(SIGSTOP);  // returns only after a SIGCONT
  if (write(wokefd[1], "w", 1) != 1) return 4;
  int status = 0;
  waitpid(child, &status, 0);
  printf("received=%d continued\n", (int)received);
  return received == 200 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
