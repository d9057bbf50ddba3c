// Stress: a fork storm to interrupt (issue 20). FORKERS processes (default 4) fork children for
// ever; each child makes a getppid call and sleeps 60 s, every 4th child first forks a
// grandchild that sleeps 60 s too. A forker keeps at most 25 children: past that it SIGKILLs and
// reaps the oldest before forking the next, so forks never stop and the tree stays bounded. One
// more process creates and joins threads for ever (clone in flight). Prints "started" first, "ready" once
// every forker has forked; runs until killed. With FORKERS 0 the first process is the one forker (for
// attaching to it) and prints "ready PID". Nothing here ends by itself within a minute, so a
// task a tracer forgets shows up as a leftover process or a run over its time bound.
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void* thread_main(void* arg) {
  (void)arg;
  syscall(SYS_getppid);
  return NULL;
}

static void sleeper(void) {
  syscall(SYS_getppid);
  sleep(60);
  _exit(0);
}

static void forker(int ready_fd) {
  pid_t children[25];  // a ring: `oldest` is the next to go once it is full
  int count = 0, oldest = 0;
  for (long n = 0;; ++n) {
    if (count == 25) {
      kill(children[oldest], SIGKILL);
      waitpid(children[oldest], NULL, 0);
      oldest = (oldest + 1) % 25;
      --count;
    }
    pid_t child = fork();
    if (child == 0) {
      if (n % 4 == 0 && fork() == 0) sleeper();
      sleeper();
    }
    if (child < 0) continue;
    children[(oldest + count) % 25] = child;
    ++count;
    if (n == 0 && ready_fd < 0) {
      printf("ready %d\n", (int)getpid());
      fflush(stdout);
    } else if (n == 0) {
      char byte = 'r';
      if (write(ready_fd, &byte, 1) != 1) _exit(2);
      close(ready_fd);
    }
  }
}

int main(int argc, char** argv) {
  int forkers = argc > 1 ? atoi(argv[1]) : 4;
  printf("started\n");
  fflush(stdout);
  if (forkers == 0) forker(-1);
  int ready[2];
  if (pipe(ready) != 0) return 2;
  for (int i = 0; i < forkers; ++i) {
    if (fork() == 0) {
      close(ready[0]);
      forker(ready[1]);
    }
  }
  if (fork() == 0) {
    for (;;) {
      pthread_t thread;
      if (pthread_create(&thread, NULL, thread_main, NULL) == 0) pthread_join(thread, NULL);
    }
  }
  close(ready[1]);
  char byte;
  for (int i = 0; i < forkers; ++i)
    if (read(ready[0], &byte, 1) != 1) return 3;
  printf("ready\n");
  fflush(stdout);
  for (;;)
    pause();
}
