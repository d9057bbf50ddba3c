// Benchmark: 4 threads (or argv[2]) each make N/threads getppid calls (N default 2,000,000).
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static long per_thread;

static void* worker(void* arg) {
  (void)arg;
  for (long i = 0; i < per_thread; ++i)
    syscall(SYS_getppid);
  return NULL;
}

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 2000000;
  int threads = argc > 2 ? atoi(argv[2]) : 4;
  if (threads < 1 || threads > 256) return 2;
  per_thread = n / threads;
  pthread_t ids[256];
  for (int i = 0; i < threads; ++i)
    pthread_create(&ids[i], NULL, worker, NULL);
  for (int i = 0; i < threads; ++i)
    pthread_join(ids[i], NULL);
  printf("getppid_calls=%ld threads=%d\n", per_thread * threads, threads);
  return 0;
}
