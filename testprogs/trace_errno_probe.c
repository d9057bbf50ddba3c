// Calls getppid once and exits with the errno it failed with, or 0 when it succeeded. A tracer
// that answers the call with SeccompDecision::fail(E) makes this exit with E.
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  long r = syscall(SYS_getppid);
  return r == -1 ? errno : 0;
}
