// execve from a non-leader thread: a second thread execs `trace_exit_code 3` while the main
// thread sleeps. The tracer must follow the tid change and pass exit status 3 through.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char target[4096];

static void* run(void* arg) {
  (void)arg;
  execl(target, target, "3", (char*)NULL);
  return NULL;
}

int main(int argc, char** argv) {
  (void)argc;
  snprintf(target, sizeof target, "%s", argv[0]);
  char* slash = strrchr(target, '/');
  strcpy(slash ? slash + 1 : target, "trace_exit_code");
  pthread_t thread;
  pthread_create(&thread, NULL, run, NULL);
  for (;;) pause();
}
