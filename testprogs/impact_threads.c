// Starts two threads with pthread_create and prints what they computed. glibc calls clone3 and,
// when clone3 fails with ENOSYS (Docker's and containerd's answer without CAP_SYS_ADMIN), falls
// back to clone: the workload recovers. Exits 0 with the same output either way.
#include <pthread.h>
#include <stdio.h>

static void* square(void* arg) {
  long* value = arg;
  *value = *value * *value;
  return NULL;
}

int main(void) {
  long values[2] = {6, 7};
  pthread_t ids[2];
  for (int i = 0; i < 2; ++i)
    if (pthread_create(&ids[i], NULL, square, &values[i]) != 0) return 1;
  for (int i = 0; i < 2; ++i)
    pthread_join(ids[i], NULL);
  printf("%ld %ld\n", values[0], values[1]);
  return 0;
}
