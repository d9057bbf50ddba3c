// A launcher for tests (issue 19, item 2): runs argv[1..] as the same user (root in the tests)
// without CAP_SYS_ADMIN, as root in a Docker container by default: drops it from the bounding
// set (execve then cannot give it back to root) and from the current sets. Exit 126 when the
// drop fails (not root: nothing to test), else what execv does.
#include <linux/capability.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) != 0) {
    perror("PR_CAPBSET_DROP");
    return 126;
  }
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  if (syscall(SYS_capget, &header, data) != 0) return 126;
  const unsigned bit = 1u << (CAP_SYS_ADMIN % 32);
  data[CAP_SYS_ADMIN / 32].effective &= ~bit;
  data[CAP_SYS_ADMIN / 32].permitted &= ~bit;
  data[CAP_SYS_ADMIN / 32].inheritable &= ~bit;
  if (syscall(SYS_capset, &header, data) != 0) {
    perror("capset");
    return 126;
  }
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  execv(argv[1], argv + 1);
  perror(argv[1]);
  return 127;
}
