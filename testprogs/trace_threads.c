// N threads (argv[1], default 4) each make K (argv[2], default 100) getppid() calls; the main
// thread makes none. A tracer must count exactly N*K getppid calls.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static long calls = 100;

static void* worker(void* arg) {
  (void)arg;
  for (long i = 0; i < calls; ++i) syscall(SYS_getppid);
  return NULL;
}

int main(int argc, char** argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 4;
  if (argc > 2) calls = atol(argv[2]);
  pthread_t ids[64];
  if (threads > 64) threads = 64;
  for (int i = 0; i < threads; ++i) pthread_create(&ids[i], NULL, worker, NULL);
  for (int i = 0; i < threads; ++i) pthread_join(ids[i], NULL);
  return 0;
}
