// Makes one call (getcpu) that a test profile answers with KILL_PROCESS, then prints and exits
// 0: under that profile the process is killed by SIGSYS, so the finding breaks it.
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  unsigned cpu = 0;
  syscall(SYS_getcpu, &cpu, NULL, NULL);
  printf("alive\n");
  return 0;
}
