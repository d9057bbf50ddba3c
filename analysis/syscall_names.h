// Syscall names seccheck accepts in profiles without a warning: every row of core's syscall
// table, which holds the calls of x86_64, i386, x32, aarch64 and arm plus the calls that exist
// only on other Linux architectures (marked foreign), which the runtime default profiles name
// for mips, powerpc, s390 and riscv hosts.
#pragma once

#include <string_view>

namespace seccheck::analysis {

// True when `name` is a Linux syscall on some architecture seccheck knows of.
bool is_known_profile_syscall(std::string_view name);
// True for calls no x86 ABI has (arm_fadvise64_64, s390_sthyi, ...).
bool is_foreign_arch_syscall(std::string_view name);

}  // namespace seccheck::analysis
