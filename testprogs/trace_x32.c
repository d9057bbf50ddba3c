// x32-numbered calls on an x86_64 kernel without x32 support: getpid (39) and getppid (110)
// with __X32_SYSCALL_BIT. The seccomp filter sees them (AUDIT_ARCH_X86_64, nr | 0x40000000),
// then the kernel fails them with ENOSYS. Prints what they returned; exits 0 when both failed
// with ENOSYS.
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  long a = syscall(0x40000000L | 39);
  int ea = errno;
  long b = syscall(0x40000000L | 110);
  int eb = errno;
  printf("x32 getpid=%ld errno=%d getppid=%ld errno=%d\n", a, ea, b, eb);
  return a == -1 && ea == ENOSYS && b == -1 && eb == ENOSYS ? 0 : 1;
}
