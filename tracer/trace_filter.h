// Seccomp filters the tracer itself builds: the `seccheck trace` filter (SECCOMP_RET_TRACE for a
// set of calls, or for every call) and the notice filter. Built with libseccomp for x86_64,
// i386 and x32; calls libseccomp 2.5.4 cannot name (newer than Linux 6.1) are matched by number
// from core/syscall_table.h in a small supplementary program, since libseccomp cannot
// translate unnamed numbers across arches. Programs are returned ready to stack.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/arch.h"
#include "core/bpf_program.h"
#include "core/result.h"

namespace seccheck::tracer {

// TRACE(tag) for every call on every arch.
Result<std::vector<BpfProgram>> build_trace_all_filter(std::uint16_t tag = 0);
// TRACE(tag) for the named calls on every arch that has them, ALLOW otherwise. Names must be
// known to core/syscall_table.h; an unknown name is an error naming it.
Result<std::vector<BpfProgram>> build_trace_set_filter(const std::vector<std::string>& names,
                                                       std::uint16_t tag = 0);
// The tracer's notice filter: TRACE(kNoticeTraceTag) for seccomp, prctl(PR_SET_SECCOMP), clone
// with CLONE_UNTRACED, clone3, and ptrace(PTRACE_TRACEME/ATTACH/SEIZE).
Result<std::vector<BpfProgram>> build_notice_filter();

// Stacked programs (load order, oldest first) as fewer programs the kernel answers the same
// for every call. A run of programs that return only ALLOW or TRACE (and load A first, never
// read X, as libseccomp's do) becomes one program that runs them newest first, each one's ALLOW
// going on to the next, so the first TRACE met is the newest filter's, as the kernel picks among
// equal actions. The kernel's action cache still sees every call all of them allow.
// Each program spared is a seccomp(2) load and JIT in the child, plus a ptrace stop when the
// notice filter below it stops seccomp(2). Other programs, and runs that would exceed
// BPF_MAXINSNS, stay as they are.
std::vector<BpfProgram> combine_stacked(const std::vector<BpfProgram>& load_order);

// A program built without libseccomp: TRACE(tag) for the given (arch, number) pairs, ALLOW
// otherwise, for any number of calls (an error only past BPF_MAXINSNS). Used for the calls
// libseccomp cannot name; exposed for tests.
Result<BpfProgram> build_number_filter(const std::vector<std::pair<Arch, int>>& calls, std::uint16_t tag);

}  // namespace seccheck::tracer
