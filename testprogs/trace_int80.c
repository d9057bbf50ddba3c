// An i386 call from a 64-bit process: getpid via `int $0x80` (i386 number 20). On a kernel
// without ia32 emulation the process is killed (SIGSEGV); with `--probe` it only reports
// whether emulation is present by trying in a child. Exits 0 after the call.
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static long int80_getpid(void) {
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
  return ret;
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "--probe") == 0) {
    pid_t child = fork();
    if (child == 0) {
      int80_getpid();
      _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    printf("%s\n", ok ? "ia32 emulation: on" : "ia32 emulation: off");
    return ok ? 0 : 1;
  }
  long pid = int80_getpid();
  printf("int80 getpid=%ld\n", pid);
  return 0;
}
