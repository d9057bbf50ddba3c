// keyctl through syscall(2) with a constant number: syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID,
// KEY_SPEC_SESSION_KEYRING, 0). A scan reads the number at the call site. Exits 0 either way.
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  long id = syscall(SYS_keyctl, 0, -3L, 0L);
  printf("keyctl: %ld\n", id);
  return 0;
}
