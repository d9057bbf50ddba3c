// Calls for the audit end-to-end tests, each harmless once the seccomp filter has judged it:
//   nr:N      syscall number N with zero arguments (an unassigned number fails with ENOSYS)
//   storm:N   acct(bad pointer) N times in a row (EPERM without CAP_SYS_PACCT, else EFAULT)
// Prints one line per word: `WORD = RESULT`.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (int i = 1; i < argc; ++i) {
    long result = 0;
    if (!strncmp(argv[i], "nr:", 3)) {
      result = syscall(strtol(argv[i] + 3, NULL, 10), 0, 0, 0, 0, 0, 0);
    } else if (!strncmp(argv[i], "storm:", 6)) {
      long count = strtol(argv[i] + 6, NULL, 10);
      for (long n = 0; n < count; ++n)
        result = syscall(SYS_acct, (void*)16);
    } else {
      fprintf(stderr, "audit_calls: unknown word %s\n", argv[i]);
      return 2;
    }
    printf("%s = %ld%s%s\n", argv[i], result, result < 0 ? " " : "", result < 0 ? strerror(errno) : "");
  }
  return 0;
}
