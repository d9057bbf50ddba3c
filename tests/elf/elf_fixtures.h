// Helpers for tests that read ELF files: a scratch folder, file bytes, damaged copies of real
// files, and binutils (nm, objcopy, strip) as oracles and tools.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace seccheck::testing {

// A fresh folder under the test temp dir, removed with everything in it at the end of scope.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string file_bytes(const std::string& path);
void write_bytes(const std::string& path, const std::string& bytes, bool executable = false);

// A 64-bit little-endian ELF's header fields, patched in a copy of its bytes.
void patch_u16(std::string& bytes, std::size_t offset, std::uint16_t value);
void patch_u64(std::string& bytes, std::size_t offset, std::uint64_t value);

// Runs a tool and returns stdout; fails the current test (ADD_FAILURE) when it exits non-zero.
std::string run_tool(const std::vector<std::string>& argv);

// `nm -S --defined-only` (with -D for the dynamic table) of `path`: name -> [start, end) ranges.
struct NmSymbol {
  std::string name;
  std::uint64_t start = 0, size = 0;
};
std::vector<NmSymbol> nm_symbols(const std::string& path, bool dynamic);

}  // namespace seccheck::testing
