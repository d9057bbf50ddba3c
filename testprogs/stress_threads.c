// Stress: 64 threads, each creating and joining short-lived threads in a loop while making
// getppid calls. Prints the exact number of getppid calls every thread made together.
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static atomic_long calls;
static int rounds = 20;
static int calls_per_thread = 50;

static void* leaf(void* arg) {
  (void)arg;
  for (int i = 0; i < calls_per_thread; ++i) {
    syscall(SYS_getppid);
    atomic_fetch_add(&calls, 1);
  }
  return NULL;
}

static void* worker(void* arg) {
  (void)arg;
  for (int r = 0; r < rounds; ++r) {
    pthread_t child;
    if (pthread_create(&child, NULL, leaf, NULL) != 0) abort();
    syscall(SYS_getppid);
    atomic_fetch_add(&calls, 1);
    pthread_join(child, NULL);
  }
  return NULL;
}

int main(int argc, char** argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 64;
  if (argc > 2) rounds = atoi(argv[2]);
  if (threads < 1 || threads > 1024) return 2;
  pthread_t* ids = calloc((size_t)threads, sizeof *ids);
  for (int i = 0; i < threads; ++i)
    if (pthread_create(&ids[i], NULL, worker, NULL) != 0) return 3;
  for (int i = 0; i < threads; ++i)
    pthread_join(ids[i], NULL);
  printf("getppid_calls=%ld\n", atomic_load(&calls));
  free(ids);
  return 0;
}
