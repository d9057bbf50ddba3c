// Runs system calls in a forked child under a seccomp program and reports what the kernel did:
// the errno, a SIGSYS kill, or a SECCOMP_RET_TRAP signal. With `backstop` a second filter answers
// SECCOMP_RET_TRACE for every call (seccomp(2) excepted, so the child can load the program under
// test): without a tracer the kernel then fails the call with ENOSYS, so a call the program
// allows is never executed, and anything stronger (ERRNO, TRAP, KILL) from the program under
// test still wins. That makes every (syscall, args) pair safe to try.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/arch.h"
#include "core/bpf_program.h"

namespace seccheck::testing {

struct Observation {
  bool killed = false;   // terminated by SIGSYS (KILL_THREAD / KILL_PROCESS)
  bool trapped = false;  // SIGSYS delivered to the handler (TRAP)
  long ret = 0;
  int err = 0;  // errno when ret == -1
  bool timed_out = false;
  std::string setup_error;  // the child could not load the program

  std::string describe() const;
};

// `arch` x86_64 or x32 (x32 calls carry __X32_SYSCALL_BIT; they meet the filter before the
// kernel refuses them). i386 cannot be issued on this kernel.
Observation run_under_filter(const BpfProgram& program, bool backstop, Arch arch, int nr,
                             const std::array<std::uint64_t, 6>& args);

struct KernelCall {
  Arch arch;
  int nr;
  std::array<std::uint64_t, 6> args;
};
// Many calls, in as few children as possible: a child runs calls in order until one kills or
// traps it, then a fresh child goes on with the next call.
std::vector<Observation> run_batch_under_filter(const BpfProgram& program, bool backstop,
                                                const std::vector<KernelCall>& calls);

bool same_observation(const Observation& a, const Observation& b);

// True when a child can load a seccomp program here (with the backstop, getpid fails ENOSYS);
// tests that need the kernel skip otherwise.
bool kernel_filters_work();

}  // namespace seccheck::testing
