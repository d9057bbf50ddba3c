// Turns process accounting off (acct(NULL), every runtime profile denies it) and, when that
// fails, waits forever instead of exiting: under --impact the answered run has to be ended by
// --impact-timeout, and the finding breaks.
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  if (syscall(SYS_acct, NULL) != 0)
    for (;;)
      pause();
  printf("done\n");
  return 0;
}
