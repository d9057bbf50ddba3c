// A process to attach to with `trace -p`: prints "ready", then for up to 60 s writes one byte to
// /dev/null, calls getppid and opens and closes /dev/null every millisecond, so a trace of it
// sees write and other calls interleaved.
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  printf("ready\n");
  fflush(stdout);
  const int null_fd = open("/dev/null", O_WRONLY);
  const struct timespec ms = {0, 1000000};
  for (int i = 0; i < 60000; ++i) {
    if (write(null_fd, "x", 1) != 1) return 1;
    syscall(SYS_getppid);
    close(open("/dev/null", O_RDONLY));
    nanosleep(&ms, NULL);
  }
  return 0;
}
