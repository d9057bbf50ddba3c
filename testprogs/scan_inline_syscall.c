// A `syscall` instruction of its own, not through libc: socket(AF_VSOCK, SOCK_STREAM, 0) with
// every argument a constant, so a scan evaluates the profiles' AF_VSOCK rules exactly. Closes
// the socket if one was made; exits 0.
#include <unistd.h>

static long vsock_socket(void) {
  long ret;
  __asm__ volatile("mov $41, %%eax\n\t"  // SYS_socket
                   "mov $40, %%edi\n\t"  // AF_VSOCK
                   "mov $1, %%esi\n\t"   // SOCK_STREAM
                   "xor %%edx, %%edx\n\t"
                   "syscall"
                   : "=a"(ret)
                   :
                   : "rdi", "rsi", "rdx", "rcx", "r11", "memory");
  return ret;
}

int main(void) {
  long fd = vsock_socket();
  if (fd >= 0) close((int)fd);
  return 0;
}
