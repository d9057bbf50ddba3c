// A signal storm: a child sends SIGUSR1 to the parent 200 times while the parent loops on
// getppid; the handler counts. Then the parent stops itself with SIGSTOP and the child wakes it
// with SIGCONT. Exits 0 when every SIGUSR1 was handled (signals were re-injected) and the
// SIGCONT arrived; the parent's getppid count is printed.
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t received = 0;
static volatile sig_atomic_t continued = 0;
static void on_usr1(int sig) { (void)sig; received++; }
static void on_cont(int sig) { (void)sig; continued = 1; }

int main(void) {
  struct sigaction action = {0};
  action.sa_handler = on_usr1;
  action.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &action, NULL);
  action.sa_handler = on_cont;
  sigaction(SIGCONT, &action, NULL);
  pid_t parent = getpid();
  int pipefd[2];
  if (pipe(pipefd) != 0) return 2;
  pid_t child = fork();
  if (child == 0) {
    for (int i = 0; i < 200; ++i) {
      kill(parent, SIGUSR1);
      char ack;
      if (read(pipefd[0], &ack, 1) != 1) _exit(3);  // one at a time, so none merge
    }
    // Wait until the parent is stopped, then continue it.
    for (;;) {
      char path[64], state = 0;
      snprintf(path, sizeof path, "/proc/%d/stat", parent);
      FILE* f = fopen(path, "r");
      if (f) {
        if (fscanf(f, "%*d %*s %c", &state) != 1) state = 0;
        fclose(f);
      }
      if (state == 'T' || state == 't') break;
      usleep(1000);
    }
    kill(parent, SIGCONT);
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
  raise(SIGSTOP);
  int status = 0;
  waitpid(child, &status, 0);
  printf("received=%d continued=%d\n", (int)received, (int)continued);
  return received == 200 && continued && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
