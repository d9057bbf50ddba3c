// Benchmark floor for `trace -c`: the least a tracer that counts calls by stopping once per call
// can do. It runs argv[1..] under a filter that answers SECCOMP_RET_TRACE with the call's number
// as its data, follows every process and thread, and at each stop reads that number (one
// PTRACE_GETEVENTMSG), counts it and resumes the tracee, from a plain blocking waitpid loop.
// Prints the totals to stderr and exits with the workload's status.
//
// With --follow-only it is the floor for `check`: the filter allows every call, and the tracer
// only follows new processes and threads (fork, vfork and clone events, no exec events). A
// tracer whose filter stops calls must do that much, since the kernel fails a call stopped by
// SECCOMP_RET_TRACE with ENOSYS in a task that has no tracer.
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  const int follow_only = argc > 1 && strcmp(argv[1], "--follow-only") == 0;
  if (follow_only) {
    --argc;
    ++argv;
  }
  if (argc < 2) {
    fprintf(stderr, "usage: bench_one_stop_tracer [--follow-only] CMD [ARGS...]\n");
    return 2;
  }
  const pid_t child = fork();
  if (child < 0) {
    perror("bench_one_stop_tracer: fork");
    return 125;
  }
  if (child == 0) {
    raise(SIGSTOP);  // until the tracer has seized it
    // TRACE with the call's number as the filter's data, so one PTRACE_GETEVENTMSG names the call.
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_STMT(BPF_ALU | BPF_AND | BPF_K, SECCOMP_RET_DATA),
        BPF_STMT(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_TRACE),
        BPF_STMT(BPF_RET | BPF_A, 0),
    };
    struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
    struct sock_fprog prog = {.len = sizeof code / sizeof code[0], .filter = code};
    if (follow_only) {
      prog.len = 1;
      prog.filter = allow;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
      perror("bench_one_stop_tracer: seccomp");
      _exit(125);
    }
    execvp(argv[1], argv + 1);
    perror("bench_one_stop_tracer: execvp");
    _exit(127);
  }
  waitpid(child, NULL, WSTOPPED);
  const long follow = PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL;
  const long options = follow_only ? follow : follow | PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEEXEC;
  if (ptrace(PTRACE_SEIZE, child, NULL, (void*)options) != 0) {
    perror("bench_one_stop_tracer: PTRACE_SEIZE");
    kill(child, SIGKILL);
    return 125;
  }
  kill(child, SIGCONT);
  int result = 0;
  static unsigned long counts[SECCOMP_RET_DATA + 1];
  for (;;) {
    int status = 0;
    const pid_t tid = waitpid(-1, &status, __WALL);
    if (tid < 0) break;  // every tracee is gone
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      if (tid == child) result = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      continue;
    }
    const int sig = WSTOPSIG(status);
    const int event = status >> 16;
    if (event == PTRACE_EVENT_STOP) {
      // A group stop stays stopped until SIGCONT; any other event stop just goes on.
      const int group_stop = sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
      ptrace(group_stop ? PTRACE_LISTEN : PTRACE_CONT, tid, NULL, NULL);
    } else if (event == PTRACE_EVENT_SECCOMP) {
      unsigned long nr = 0;
      ptrace(PTRACE_GETEVENTMSG, tid, NULL, &nr);
      ++counts[nr & SECCOMP_RET_DATA];
      ptrace(PTRACE_CONT, tid, NULL, NULL);
    } else if (event != 0) {
      ptrace(PTRACE_CONT, tid, NULL, NULL);  // fork, clone, exec events
    } else {
      ptrace(PTRACE_CONT, tid, NULL, (void*)(long)sig);  // a signal: delivered
    }
  }
  unsigned long calls = 0, distinct = 0;
  for (unsigned long nr = 0; nr <= SECCOMP_RET_DATA; ++nr)
    if (counts[nr] != 0) {
      calls += counts[nr];
      ++distinct;
    }
  if (!follow_only) fprintf(stderr, "bench_one_stop_tracer: %lu calls of %lu kinds\n", calls, distinct);
  return result;
}
