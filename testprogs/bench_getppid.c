// Benchmark: N getppid calls (default 2,000,000), the cheapest real syscall, so tracing
// overhead per call dominates. The last line gives CLOCK_REALTIME at the end of the work
// (end_ns=...), so the bench can measure how long a tracer takes to report after the exit.
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 2000000;
  for (long i = 0; i < n; ++i)
    syscall(SYS_getppid);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  printf("getppid_calls=%ld end_ns=%lld\n", n, (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
  return 0;
}
