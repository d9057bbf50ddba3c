// Stress: N rounds (default 200) of vfork + execve of this program with "child": the vfork
// child makes one getppid call before exec, the exec'd child 2 more and exits 0. Prints the
// exact getppid count of the tree; exits 0 only if every child exited 0.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) {
    syscall(SYS_getppid);
    syscall(SYS_getppid);
    return 0;
  }
  int n = argc > 1 ? atoi(argv[1]) : 200;
  char self[4096];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) return 2;
  self[len] = '\0';
  long calls = 0;
  int bad = 0;
  for (int i = 0; i < n; ++i) {
    pid_t pid = vfork();
    if (pid < 0) return 3;
    if (pid == 0) {
      syscall(SYS_getppid);
      execl(self, self, "child", (char*)NULL);
      _exit(127);
    }
    calls += 3;
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) ++bad;
  }
  printf("getppid_calls=%ld bad_children=%d\n", calls, bad);
  return bad == 0 ? 0 : 1;
}
