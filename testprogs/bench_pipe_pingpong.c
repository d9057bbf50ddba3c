// Benchmark: two processes bounce one byte over two pipes N times (default 100,000): each
// round is a write and a read in each process plus two context switches.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 100000;
  int ping[2], pong[2];
  if (pipe(ping) != 0 || pipe(pong) != 0) return 1;
  pid_t child = fork();
  if (child < 0) return 1;
  char byte = 'x';
  if (child == 0) {
    for (long i = 0; i < n; ++i) {
      if (read(ping[0], &byte, 1) != 1 || write(pong[1], &byte, 1) != 1) _exit(1);
    }
    _exit(0);
  }
  for (long i = 0; i < n; ++i) {
    if (write(ping[1], &byte, 1) != 1 || read(pong[0], &byte, 1) != 1) return 1;
  }
  int status = 0;
  waitpid(child, &status, 0);
  printf("rounds=%ld\n", n);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
