// Finding a stripped file's separate debug file the way GDB and elfutils do: by build-id under
// the debug root (ROOT/.build-id/ab/cdef....debug, as Debian's -dbg and -dbgsym packages install
// them), else by the .gnu_debuglink name beside the file, in its .debug/ folder, or under
// ROOT/<the file's folder>. A candidate is taken only when it is the same build (same build-id,
// or for a debuglink without build-ids the same CRC32).
#pragma once

#include <optional>
#include <string>

#include "elf/elf_file.h"

namespace seccheck::elf {

inline constexpr const char* kDefaultDebugRoot = "/usr/lib/debug";

std::optional<ElfFile> find_debug_file(const ElfFile& file,
                                       const std::string& debug_root = kDefaultDebugRoot);

}  // namespace seccheck::elf
