// Imports unshare but calls it only with --isolate, which no test run passes: a trace never sees
// the call, a scan finds it (unshare(CLONE_NEWUSER), from main). Exits 0.
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "--isolate") == 0) {
    if (unshare(CLONE_NEWUSER) != 0) {
      perror("unshare");
      return 1;
    }
  }
  puts("ok");
  return 0;
}
