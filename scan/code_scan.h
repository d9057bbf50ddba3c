// A module's code read with Capstone: every `syscall` instruction and every call or jump whose
// target the caller asks about, each with the integer registers whose value is a constant there
// (set by a mov, xor or lea since the last branch target, call or syscall: a straight-line
// look-back, no data-flow analysis across branches).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "elf/elf_file.h"

namespace seccheck::scan {

// The integer registers the C and Go calling conventions and the syscall ABI use.
enum Register : int { kRax, kRbx, kRcx, kRdx, kRsi, kRdi, kR8, kR9, kR10, kR11, kRegisterCount };
using RegisterValues = std::array<std::optional<std::uint64_t>, kRegisterCount>;

struct CodeSite {
  enum class Kind { kSyscall, kCall, kJump };
  Kind kind = Kind::kSyscall;
  std::uint64_t address = 0;
  // For calls and jumps: the target, or (indirect through memory at rip+disp) the slot address.
  std::uint64_t target = 0;
  bool through_slot = false;
  RegisterValues registers;
};

struct CodeScan {
  std::vector<CodeSite> sites;
  std::uint64_t code_bytes = 0;  // bytes of executable sections read
};

// Which call and jump targets to report: `wants_target(address)` for direct ones,
// `wants_slot(address)` for `call/jmp [rip + disp]` (a GOT slot, with -fno-plt).
struct SiteFilter {
  std::function<bool(std::uint64_t)> wants_target;
  std::function<bool(std::uint64_t)> wants_slot;
};

// Reads the executable sections of `file` (x86_64) except `skip_sections` (names).
Result<CodeScan> scan_code(const elf::ElfFile& file, const SiteFilter& filter,
                           const std::vector<std::string>& skip_sections = {});

// PLT stubs: the address of each stub (and of its every instruction up to the jump) -> the GOT
// slot its `jmp [rip + disp]` goes through. Covers .plt, .plt.sec and .plt.got.
Result<std::vector<std::pair<std::uint64_t, std::uint64_t>>> plt_stubs(const elf::ElfFile& file);

}  // namespace seccheck::scan
