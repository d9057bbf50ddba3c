// Call-site stacks of stopped tracees: libunwind-ptrace (loaded at the first stack) walks the
// frames; seccheck names them from the mapped files (elf/): the symbol whose extent covers the
// address, from the file's .symtab, its separate debug file or its .dynsym, with file:line where
// DWARF has it, else `module+0xOFFSET` (never the nearest symbol that does not hold the address).
// One address space per traced process (flushed on execve); frames are cached per (process, pc)
// and files per (file, build-id), so repeated call sites cost one unwind and no reads.
//
// Syscall stubs without unwind information for the instruction after their `syscall` (glibc's
// clone and clone3 wrappers end their CFI before it, because the child side has no caller) are
// stepped over as leaves: return address at the stack pointer, checked to follow a call.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/stack_frame.h"
#include "core/user_cache.h"
#include "elf/module.h"

namespace seccheck::tracer {

class Unwinder {
 public:
  // `on_unavailable` hears once why stacks cannot be taken (libunwind missing). Source lines
  // are kept between runs in `line_cache_folder` (elf/line_cache.h), the user's cache by default.
  explicit Unwinder(
      std::function<void(const std::string&)> on_unavailable = {},
      std::string debug_root = elf::kDefaultDebugRoot,
      const std::optional<std::filesystem::path>& line_cache_folder = user_cache_folder("lines"));
  ~Unwinder();
  Unwinder(const Unwinder&) = delete;
  Unwinder& operator=(const Unwinder&) = delete;

  // `tid` must be in a ptrace stop. Innermost frame first.
  std::vector<StackFrame> stack(pid_t pid, pid_t tid, int max_frames);
  // The process exec'd or exited: its address space and caches are stale.
  void flush(pid_t pid);
  // ELF files read so far for naming frames (for tests: repeated stacks read none).
  std::size_t files_read() const { return modules_.files_opened(); }

 private:
  struct Library;
  struct Space;
  struct Mapping;
  const Library* library();  // nullptr when libunwind cannot be loaded
  Space& space_for(pid_t pid, const Library& lib);
  const Mapping* mapping_at(Space& space, pid_t pid, std::uint64_t pc);
  StackFrame name_frame(Space& space, pid_t pid, std::uint64_t pc);
  std::function<void(const std::string&)> on_unavailable_;
  std::unique_ptr<Library> library_;
  std::unordered_map<pid_t, std::unique_ptr<Space>> spaces_;
  elf::ModuleCache modules_;
};

}  // namespace seccheck::tracer
