// Classic BPF as the kernel runs a seccomp filter, for tests and for checking compiled programs
// against the evaluator. check_program() makes the checks seccomp(2) makes when it loads a
// program (bpf_check_classic plus seccomp's own instruction list); run_program() runs one over a
// seccomp_data and returns the 32-bit value the filter answers. What the kernel would refuse at
// load time is an error in both, named by instruction, never a guess.
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstdint>
#include <span>

#include "core/result.h"

namespace seccheck::bpf {

// The same verdict as the kernel's loader: ok, or why it would answer EINVAL.
Result<void> check_program(std::span<const sock_filter> code);

// The filter's answer for `data`. Semantics are the kernel's: 32-bit A and X, loads of 32-bit
// words of seccomp_data in host order, LEN = sizeof(seccomp_data), division by an X of 0 ends the
// program with 0, shifts by X use its low five bits. An instruction seccomp(2) refuses (a load
// outside seccomp_data, MOD, a scratch cell read before any write on the path taken, ...) and a
// jump past the end are errors.
Result<std::uint32_t> run_program(std::span<const sock_filter> code, const seccomp_data& data);

// The kernel's action cache (seccomp_is_const_allow): true when the program answers ALLOW for
// (arch, nr) having looked at nothing but those two. The kernel marks such calls at load and
// never runs the filter for them again.
bool kernel_caches_as_allowed(std::span<const sock_filter> code, std::uint32_t arch, std::uint32_t nr);

}  // namespace seccheck::bpf
