// Syscall names seccheck accepts in profiles without a warning: every name in core's table
// (x86_64, i386, x32) plus calls that exist only on other Linux architectures, which the
// runtime default profiles name for arm, mips, powerpc, s390 and riscv hosts.
#pragma once

#include <string_view>

namespace seccheck::analysis {

// True when `name` is a Linux syscall on some architecture seccheck knows of.
bool is_known_profile_syscall(std::string_view name);
// True for calls that exist only on architectures other than x86 (arm_fadvise64_64, ...).
bool is_foreign_arch_syscall(std::string_view name);

}  // namespace seccheck::analysis
