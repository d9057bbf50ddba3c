// Seccomp probes (issue 19, item 19): N times (default 300) seccomp(SECCOMP_SET_MODE_FILTER) and
// prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER) with a NULL program: both fail (EFAULT, or EACCES
// without no_new_privs) and install nothing. With "install", the process then installs an
// allow-everything filter twice and a forked child installs one: two processes installed filters.
// Prints what it did; exits 0.
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int install(void) {
  struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  struct sock_fprog prog = {1, allow};
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0;
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 300;
  int failed = 0;
  for (int i = 0; i < n; ++i) {
    failed += syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, NULL) != 0;
    failed += prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL) != 0;
  }
  printf("probes failed: %d of %d\n", failed, 2 * n);
  if (argc > 2 && strcmp(argv[2], "install") == 0) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 2;
    int installed = install() + install();
    pid_t child = fork();
    if (child == 0) _exit(install() ? 0 : 1);
    int status = 0;
    waitpid(child, &status, 0);
    printf("installed: %d in the parent, child %s\n", installed,
           WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ok" : "failed");
  }
  return 0;
}
