// SECCOMP_MODE_STRICT (issue 19, item 3): asks for strict mode with prctl, then writes a line
// and leaves with exit(2), the only calls strict mode allows besides read and sigreturn. When
// the kernel refuses (a seccomp filter is installed: a tracer's, or a container runtime's), it
// prints why and exits 3. Exits 0 in strict mode.
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) != 0) {
    printf("strict mode refused: %s\n", strerror(errno));
    return 3;
  }
  static const char line[] = "strict mode on\n";
  if (write(STDOUT_FILENO, line, sizeof line - 1) < 0) syscall(SYS_exit, 4);
  syscall(SYS_exit, 0);
  return 5;
}
