// Stress: a hostile tracee, for checking that seccheck's output stays well-formed and safe.
//   paths    openat/execve/mkdir with paths holding terminal escapes (ESC ] title, ESC [ 2J,
//            BEL, CR, C1 CSI U+009B), invalid UTF-8 (also lead bytes 0xf5..0xff) and a
//            right-to-left override
//   badptr   path arguments that point at nothing, at a PROT_NONE page, at a string running
//            into an unmapped page without a NUL, at a kernel address
//   bigargv  re-execs itself with ~20,000 arguments (~1.3 MB) full of escapes
//   traceme  ptrace(PTRACE_TRACEME) in the process and in a forked child (fails: already traced)
//   flagged  unshare(CLONE_NEWUSER) and keyctl, calls runtime-default profiles flag
//   all      every mode above in this order (bigargv last: it re-execs into "flagged")
// Each mode makes getppid calls as a marker; prints "getppid_calls=N", exits 0.
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long marker_calls;

static void marker(void) {
  syscall(SYS_getppid);
  ++marker_calls;
}

static const char* const kHostile[] = {
    "/tmp/seccheck-hostile-\x1b]0;pwned\x07-\x1b[2J\x1b[31mred\r\n",
    "/tmp/seccheck-hostile-\xff\xfe\xc3\x28-invalid-utf8",
    "/tmp/seccheck-hostile-\xc2\x9b"
    "31m-c1-csi",
    "/tmp/seccheck-hostile-\xe2\x80\xae"
    "txt.exe",
    "/tmp/seccheck-hostile-\x7f\x01\x02\x1b",
    "/tmp/seccheck-hostile-\xff\x88\x88\xf8\x88\x80\x80\x80-bad-lead-bytes",
};
#define kHostileCount (sizeof kHostile / sizeof kHostile[0])

static void paths(void) {
  for (size_t i = 0; i < kHostileCount; ++i) {
    marker();
    syscall(SYS_openat, AT_FDCWD, kHostile[i], O_RDONLY); // ENOENT
    syscall(SYS_mkdirat, AT_FDCWD, kHostile[i], 0700);
    syscall(SYS_unlinkat, AT_FDCWD, kHostile[i], AT_REMOVEDIR);
    char* const argv[] = {(char*)kHostile[i], (char*)kHostile[(i + 1) % kHostileCount], NULL};
    syscall(SYS_execve, kHostile[i], argv, argv); // ENOENT
  }
}

static void badptr(void) {
  long page = sysconf(_SC_PAGESIZE);
  char* area = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (area == MAP_FAILED) return;
  memset(area, 'A', (size_t)page);
  munmap(area + page, (size_t)page); // a string of 'A's that runs into an unmapped page
  char* none = mmap(NULL, (size_t)page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  const unsigned long pointers[] = {1,
                                    0xdeadbeef000UL,
                                    (unsigned long)none,
                                    (unsigned long)area,
                                    (unsigned long)(area + page - 3),
                                    0xffffffffff600000UL,
                                    0xffff800000000000UL,
                                    ~0UL};
  for (size_t i = 0; i < sizeof pointers / sizeof pointers[0]; ++i) {
    marker();
    syscall(SYS_openat, AT_FDCWD, pointers[i], O_RDONLY);
    syscall(SYS_newfstatat, AT_FDCWD, pointers[i], pointers[i], 0);
    syscall(SYS_execve, pointers[i], pointers[i], pointers[i]);
    syscall(SYS_write, 1, pointers[i], 0);
  }
}

static void traceme(void) {
  marker();
  long self = ptrace(PTRACE_TRACEME, 0, 0, 0);
  pid_t child = fork();
  if (child == 0) {
    syscall(SYS_getppid);
    _exit(ptrace(PTRACE_TRACEME, 0, 0, 0) == 0 ? 1 : 0);
  }
  ++marker_calls;
  int status = 0;
  waitpid(child, &status, 0);
  fprintf(stderr, "stress_hostile: PTRACE_TRACEME = %ld, child status %d\n", self, status);
}

static void flagged(void) {
  marker();
  syscall(SYS_unshare, CLONE_NEWUSER);
  syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0);
}

static void bigargv(const char* self, long calls_so_far) {
  enum { kArgs = 20000 };
  char** argv = calloc(kArgs + 4, sizeof *argv);
  static char count[32];
  marker();
  snprintf(count, sizeof count, "%ld", calls_so_far + 1);
  argv[0] = (char*)kHostile[0];
  argv[1] = "after-bigargv";
  argv[2] = count;
  for (int i = 3; i < kArgs; ++i) {
    char* arg = malloc(80);
    snprintf(arg, 80, "%s-%d-\x1b[1m%s", kHostile[i % kHostileCount] + 5, i, "pad-pad-pad-pad-pad-pad-pad-pad");
    argv[i] = arg;
  }
  execv(self, argv);
  perror("stress_hostile: execv");
  exit(3);
}

int main(int argc, char** argv) {
  if (argc > 2 && strcmp(argv[1], "after-bigargv") == 0) {
    marker_calls = atol(argv[2]);
    flagged();
    printf("getppid_calls=%ld\n", marker_calls);
    return 0;
  }
  const char* mode = argc > 1 ? argv[1] : "all";
  int all = strcmp(mode, "all") == 0;
  if (all || strcmp(mode, "paths") == 0) paths();
  if (all || strcmp(mode, "badptr") == 0) badptr();
  if (all || strcmp(mode, "traceme") == 0) traceme();
  if (strcmp(mode, "flagged") == 0) flagged();
  if (all || strcmp(mode, "bigargv") == 0) {
    fflush(stdout);
    bigargv("/proc/self/exe", marker_calls);
  }
  printf("getppid_calls=%ld\n", marker_calls);
  return 0;
}
