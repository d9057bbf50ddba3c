// Benchmark: open/fstat/close of one file N times (default 300,000).
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 300000;
  const char* path = argc > 2 ? argv[2] : "/etc/hostname";
  struct stat st;
  for (long i = 0; i < n; ++i) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) return 1;
    close(fd);
  }
  printf("iterations=%ld\n", n);
  return 0;
}
