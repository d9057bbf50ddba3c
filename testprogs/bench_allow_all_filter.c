// Benchmark floor: installs a seccomp filter that allows every call, then execs argv[1..].
// The cost of a workload under any seccomp filter at all, which no tracer can beat.
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench_allow_all_filter CMD [ARGS...]\n");
    return 2;
  }
  struct sock_filter code[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  struct sock_fprog prog = {.len = 1, .filter = code};
  // Only needed without CAP_SYS_ADMIN; seccheck sets it then too, so the floor matches.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
    perror("bench_allow_all_filter: seccomp");
    return 125;
  }
  execvp(argv[1], argv + 1);
  perror("bench_allow_all_filter: execvp");
  return 127;
}
