// One pthread_create from a function of its own (start_worker), then a join. glibc's
// pthread_create calls clone3 through its __clone3 wrapper: a stack taken at that clone3 must
// reach pthread_create, start_worker and main.
#include <pthread.h>
#include <stddef.h>

static void* worker(void* arg) {
  return arg;
}

__attribute__((noinline)) int start_worker(void) {
  pthread_t id;
  if (pthread_create(&id, NULL, worker, NULL) != 0) return 1;
  return pthread_join(id, NULL) != 0;
}

int main(void) {
  return start_worker();
}
