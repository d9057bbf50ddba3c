// keyctl(KEYCTL_GET_KEYRING_ID, session keyring): Docker's default profile denies keyctl.
// Exits 0 when the call succeeded, 1 when it failed.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  // KEYCTL_GET_KEYRING_ID = 0, KEY_SPEC_PROCESS_KEYRING = -2, create = 1
  long id = syscall(SYS_keyctl, 0, -2L, 1L, 0L, 0L);
  if (id < 0) {
    printf("keyctl: %s\n", strerror(errno));
    return 1;
  }
  printf("keyctl: ok\n");
  return 0;
}
