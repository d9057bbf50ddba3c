// Probes io_uring as libuv does: io_uring_setup, and on any failure (EPERM from the runtime
// profiles that deny it) reads its input with read() instead. Prints what it read; exits 0
// either way, so a profile that denies io_uring_setup does not break it.
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  unsigned char params[120];  // struct io_uring_params
  memset(params, 0, sizeof params);
  long ring = syscall(SYS_io_uring_setup, 4, params);
  if (ring >= 0) {
    close((int)ring);
    printf("io_uring: yes\n");
  } else {
    printf("io_uring: no\n");
  }
  // The work itself: the same either way (read() here; a real program would submit it to the ring).
  int fd = open("/proc/self/stat", O_RDONLY);
  char buffer[16];
  long n = fd >= 0 ? read(fd, buffer, sizeof buffer) : -1;
  printf("read: %s\n", n > 0 ? "ok" : "failed");
  return n > 0 ? 0 : 1;
}
