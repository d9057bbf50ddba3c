// Stress: a SIGSTOP/SIGCONT storm. The parent forks a child with 2 threads that make
// getppid calls (20,000 in all), and sends it SIGSTOP and SIGCONT 300 times each while it
// runs. Then the child exits 0, and finally the parent stops and continues itself once.
// Prints the exact getppid count; exits 0 only if the child exited 0.
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PER_THREAD 10000

static void* worker(void* arg) {
  (void)arg;
  for (int i = 0; i < PER_THREAD; ++i)
    syscall(SYS_getppid);
  return NULL;
}

int main(int argc, char** argv) {
  int storms = argc > 1 ? atoi(argv[1]) : 300;
  int go[2];
  if (pipe(go) != 0) return 2;
  pid_t child = fork();
  if (child < 0) return 3;
  if (child == 0) {
    char byte;
    if (read(go[0], &byte, 1) != 1) _exit(5);
    pthread_t a, b;
    pthread_create(&a, NULL, worker, NULL);
    pthread_create(&b, NULL, worker, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    _exit(0);
  }
  if (write(go[1], "g", 1) != 1) return 4;
  struct timespec pause_time = {0, 200000};
  for (int i = 0; i < storms; ++i) {
    kill(child, SIGSTOP);
    nanosleep(&pause_time, NULL);
    kill(child, SIGCONT);
    nanosleep(&pause_time, NULL);
  }
  kill(child, SIGCONT);
  int status = 0;
  if (waitpid(child, &status, 0) != child) return 6;
  // A stop of the traced process itself, continued by a helper.
  pid_t helper = fork();
  if (helper == 0) {
    struct timespec wait_time = {0, 50000000};
    nanosleep(&wait_time, NULL);
    kill(getppid(), SIGCONT); // libc getppid: one more getppid call
    _exit(0);
  }
  raise(SIGSTOP);
  waitpid(helper, NULL, 0);
  syscall(SYS_getppid);
  printf("getppid_calls=%d child_status=%d\n", 2 * PER_THREAD + 2, status);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
