// Stress: execve from a non-leader thread. 8 threads make getppid calls; then the leader
// blocks in pthread_join while thread 3 execs this program again with "after N" (N = calls
// so far). The new image makes 5 more calls, prints the total and exits 9.
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static atomic_long calls;
static pthread_barrier_t barrier;
static char self[4096];

static void* worker(void* arg) {
  long index = (long)arg;
  for (int i = 0; i < 100; ++i) {
    syscall(SYS_getppid);
    atomic_fetch_add(&calls, 1);
  }
  pthread_barrier_wait(&barrier);
  if (index == 3) {
    char count[32];
    snprintf(count, sizeof count, "%ld", atomic_load(&calls));
    execl(self, self, "after", count, (char*)NULL);
    _exit(126);
  }
  for (;;)
    pause(); // the exec ends this thread
}

int main(int argc, char** argv) {
  if (argc > 2 && strcmp(argv[1], "after") == 0) {
    long before = atol(argv[2]);
    for (int i = 0; i < 5; ++i)
      syscall(SYS_getppid);
    printf("getppid_calls=%ld\n", before + 5);
    return 9;
  }
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) return 2;
  self[len] = '\0';
  pthread_barrier_init(&barrier, NULL, 8);
  pthread_t ids[8];
  for (long i = 0; i < 8; ++i)
    pthread_create(&ids[i], NULL, worker, (void*)i);
  pthread_join(ids[0], NULL); // never returns: thread 3's exec replaces the process
  return 1;
}
