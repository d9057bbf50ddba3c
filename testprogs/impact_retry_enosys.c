// Adds a key with add_key and falls back only when the kernel lacks the call (ENOSYS), as
// programs that probe for a newer call do: any other error (EPERM from Docker's and
// containerd's profiles) is fatal, exit 1. containers-common answers ENOSYS: it recovers there,
// and the proposed fix for the others (errnoRet 38) makes it recover too.
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  // KEY_SPEC_PROCESS_KEYRING: a keyring that goes away with the process.
  long key = syscall(SYS_add_key, "user", "seccheck-impact", "x", 1, -2);
  if (key >= 0 || errno == ENOSYS) {
    printf("keys: %s\n", key >= 0 ? "kernel" : "fallback");
    return 0;
  }
  perror("add_key");
  return 1;
}
