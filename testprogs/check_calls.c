// Makes the calls RuntimeDefault profiles treat specially, one per name given on the command
// line ("all" for every one). Arguments are chosen so each call fails harmlessly after the
// seccomp filter has judged it (bad pointers, invalid flag combinations), so the program changes
// nothing on the machine even as root. Prints one line per call: `NAME = RESULT`.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define X32_BIT 0x40000000L

static void report(const char* name, long result) {
  printf("%s = %ld%s%s\n", name, result, result < 0 ? " " : "", result < 0 ? strerror(errno) : "");
}

static void make_call(const char* name) {
  // A pointer that is never mapped: calls that read it fail with EFAULT.
  void* bad = (void*)16;
  if (!strcmp(name, "acct")) report(name, syscall(SYS_acct, bad));
  else if (!strcmp(name, "unshare")) report(name, syscall(SYS_unshare, CLONE_NEWUSER | CLONE_FS | CLONE_NEWNS | 0x1));
  else if (!strcmp(name, "mount")) report(name, syscall(SYS_mount, bad, bad, bad, 0, 0));
  else if (!strcmp(name, "keyctl")) report(name, syscall(SYS_keyctl, -1L, 0, 0, 0, 0));
  else if (!strcmp(name, "add_key")) report(name, syscall(SYS_add_key, bad, bad, 0, 0, 0));
  else if (!strcmp(name, "bpf")) report(name, syscall(SYS_bpf, -1L, 0, 0));
  else if (!strcmp(name, "perf_event_open")) report(name, syscall(SYS_perf_event_open, bad, 0, -1, -1, 0));
  else if (!strcmp(name, "userfaultfd")) report(name, syscall(SYS_userfaultfd, -1L));
  // CLONE_NEWUSER with CLONE_FS is invalid, so no process is created.
  else if (!strcmp(name, "clone_newuser")) report(name, syscall(SYS_clone, CLONE_NEWUSER | CLONE_FS, 0, 0, 0, 0));
  else if (!strcmp(name, "clone_newuts")) report(name, syscall(SYS_clone, CLONE_NEWUTS | CLONE_FS | CLONE_NEWNS, 0, 0, 0, 0));
  else if (!strcmp(name, "clone3")) report(name, syscall(SYS_clone3, bad, 0));
  else if (!strcmp(name, "personality_linux")) report(name, syscall(SYS_personality, PER_LINUX));
  else if (!strcmp(name, "personality_no_randomize")) {
    report(name, syscall(SYS_personality, ADDR_NO_RANDOMIZE));
    syscall(SYS_personality, PER_LINUX);
  } else if (!strcmp(name, "socket_inet")) {
    long fd = syscall(SYS_socket, AF_INET, -1, -1);
    report(name, fd);
  } else if (!strcmp(name, "socket_vsock")) report(name, syscall(SYS_socket, 40, -1, -1));
  else if (!strcmp(name, "socket_alg")) report(name, syscall(SYS_socket, 38, -1, -1));
  else if (!strcmp(name, "ptrace")) report(name, syscall(SYS_ptrace, 2 /* PTRACE_PEEKDATA */, 1, 0, 0));
  else if (!strcmp(name, "x32_keyctl")) report(name, syscall(X32_BIT | 250, -1L, 0, 0, 0, 0));
  else if (!strcmp(name, "x32_getpid")) report(name, syscall(X32_BIT | 39));
  else {
    fprintf(stderr, "check_calls: unknown call %s\n", name);
    _exit(2);
  }
}

static const char* const kAll[] = {
    "acct", "unshare", "mount", "keyctl", "add_key", "bpf", "perf_event_open", "userfaultfd",
    "clone_newuser", "clone_newuts", "clone3", "personality_linux", "personality_no_randomize",
    "socket_inet", "socket_vsock", "socket_alg", "ptrace", "x32_keyctl", "x32_getpid",
};

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "all")) {
      for (size_t j = 0; j < sizeof kAll / sizeof kAll[0]; ++j) make_call(kAll[j]);
    } else {
      make_call(argv[i]);
    }
  }
  return 0;
}
