// unshare(CLONE_NEWUSER): Docker's default profile denies unshare without CAP_SYS_ADMIN.
// Exits 0 when the call succeeded, 1 when it failed.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  if (unshare(CLONE_NEWUSER) != 0) {
    printf("unshare: %s\n", strerror(errno));
    return 1;
  }
  printf("unshare: ok\n");
  return 0;
}
