// Syscall names and numbers for x86_64, i386 and x32, from the project's own table
// (core/syscalls.csv, through Linux 6.18). libseccomp 2.5.4 and the 6.1 headers stop earlier,
// so this table, not libseccomp's resolver, is what names calls and compiles rules.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/arch.h"

namespace seccheck {

struct SyscallEntry {
  std::string_view name;
  int x86_64;  // -1 when the arch lacks the call
  int i386;
  int x32;  // without __X32_SYSCALL_BIT
};

// The row's number on `arch`, -1 when the arch lacks the call.
int syscall_number_on(const SyscallEntry& entry, Arch arch);
// Every row of the table, in x86_64 number order.
std::span<const SyscallEntry> syscall_table();

// The name of `nr` on `arch`, or nullopt for a number the table does not assign.
std::optional<std::string_view> syscall_name(Arch arch, int nr);
// The name, or "syscall_0x1c8" style for unassigned numbers (as strace prints them).
std::string syscall_display_name(Arch arch, int nr);
std::optional<int> syscall_number(Arch arch, std::string_view name);
// True when the name is a syscall on any arch seccheck knows.
bool is_known_syscall(std::string_view name);
// The highest assigned number on `arch`.
int max_syscall_number(Arch arch);

}  // namespace seccheck
