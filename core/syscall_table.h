// The syscall facts table: every fact seccheck uses about a syscall, from one data file
// (core/syscalls.csv, through Linux 6.18, generated into constexpr tables at build time): its
// number on each ABI seccheck knows, how its arguments print, which arguments profiles condition
// on, and flags (returns an address, exists only on other architectures, unknown to libseccomp
// 2.5, needed by every process). libseccomp 2.5.4 and the 6.1 headers stop earlier, so this
// table, not libseccomp's resolver, names calls and compiles rules.
//
// Lookups by number are one array access (the tracer looks up every stopped call); lookups by
// name are a binary search.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/arch.h"

namespace seccheck {

// SyscallEntry::flags bits.
struct SyscallFlag {
  static constexpr std::uint8_t kAddressReturn = 1;  // returns an address: printed in hex
  // Exists only on Linux architectures without numbers here (mips, powerpc, s390, ...);
  // profiles name it for every host.
  static constexpr std::uint8_t kForeignArch = 2;
  // Debian 12's libseccomp 2.5.4 cannot resolve it on x86_64 (runtimes built with it skip it).
  static constexpr std::uint8_t kUnknownToLibseccomp25 = 4;
  // The signature covers only the first arguments (futex: the rest depend on the operation).
  static constexpr std::uint8_t kPartialSignature = 8;
};

struct SyscallEntry {
  std::string_view name;
  std::array<int, kArchCount> numbers;  // by Arch; -1 when the ABI lacks the call (x32: no x32 bit)
  int arg_count;                        // arguments on the first x86 ABI (or arm) with it; -1 unknown
  // One code per argument (core/decode.cpp lists them); nullopt when no signature is known.
  std::optional<std::string_view> signature;
  std::uint8_t flags;
  std::uint8_t profile_args;       // bit i: runtime profiles condition on argument i
  std::uint8_t finding_args;       // bit i: a finding shows argument i (decoded)
  std::string_view finding_label;  // "flags=": written before the shown arguments
  std::uint8_t essential_rank;     // > 0: any process may need the call; orders the why texts
  std::string_view essential_why;  // why, for generated profiles

  bool has(std::uint8_t flag) const { return (flags & flag) != 0; }
  bool essential() const { return essential_rank > 0; }
};

// The row's number on `arch`, -1 when the ABI lacks the call.
int syscall_number_on(const SyscallEntry& entry, Arch arch);
// The rows with a number on an x86 ABI (kX86Arches), in x86_64 number order (then i386, x32).
std::span<const SyscallEntry> syscall_table();
// Every row: the x86 rows, then calls only on aarch64/arm, then foreign ones.
std::span<const SyscallEntry> all_syscall_rows();

// The row of `nr` on `arch`, or nullptr for a number no call has.
const SyscallEntry* syscall_entry(Arch arch, int nr);
// The row named `name` (on any ABI, or foreign), or nullptr.
const SyscallEntry* syscall_entry(std::string_view name);

// The name of `nr` on `arch`, or nullopt for a number the table does not assign.
std::optional<std::string_view> syscall_name(Arch arch, int nr);
// The name, or "syscall_0x1c8" style for unassigned numbers (as strace prints them).
std::string syscall_display_name(Arch arch, int nr);
std::optional<int> syscall_number(Arch arch, std::string_view name);
// True when the name is a syscall on an ABI an x86_64 host runs (kX86Arches).
bool is_known_syscall(std::string_view name);
// The highest assigned number on `arch`.
int max_syscall_number(Arch arch);

}  // namespace seccheck
