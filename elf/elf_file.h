// One ELF file read through libelf (elfutils): its header, segments, sections, symbols (.symtab
// and .dynsym, with their extents), build-id, PT_INTERP, the dynamic section's DT_NEEDED,
// DT_RUNPATH, DT_RPATH and DT_SONAME, .gnu_debuglink and the dynamic relocations.
//
// Promises: opening never crashes on a malformed file; a file libelf cannot read, or whose header
// points outside the file (truncated, a wrong class byte, absurd section or segment counts), is one
// error naming the file and what is wrong. Every accessor bounds-checks what it reads, so a file
// that opened but is damaged further in yields fewer symbols or strings, never a crash. 32-bit and
// foreign-machine files open (callers decide what they accept); nothing here writes a file.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct Elf;  // libelf's handle; only elf/ sources see its definition

namespace seccheck::elf {

struct Segment {
  std::uint32_t type = 0;   // PT_*
  std::uint32_t flags = 0;  // PF_R | PF_W | PF_X
  std::uint64_t offset = 0, vaddr = 0, file_size = 0, memory_size = 0;
};

struct Section {
  std::size_t index = 0;
  std::string name;
  std::uint32_t type = 0;  // SHT_*
  std::uint64_t flags = 0, address = 0, offset = 0, size = 0;
  std::uint32_t link = 0;
};

enum class SymbolTable { kSymtab, kDynsym };

struct Symbol {
  std::string name;  // without a version suffix: "pthread_create", not "pthread_create@@GLIBC_2.34"
  std::uint64_t value = 0;
  std::uint64_t size = 0;     // the extent: [value, value + size); 0 when the file does not say
  unsigned char type = 0;     // STT_*
  unsigned char binding = 0;  // STB_*
  std::uint16_t section = 0;  // SHN_UNDEF (0) for an import
  std::uint32_t index = 0;    // position in its table
  bool defined() const { return section != 0; }
  bool covers(std::uint64_t address) const { return address >= value && address - value < size; }
};

struct DynamicInfo {
  std::vector<std::string> needed;   // DT_NEEDED, in order
  std::vector<std::string> runpath;  // DT_RUNPATH split at ':'
  std::vector<std::string> rpath;    // DT_RPATH split at ':'
  std::string soname;
  bool no_default_lib = false;  // DF_1_NODEFLIB: the loader skips its default paths
};

struct DebugLink {
  std::string file;  // a file name, looked up beside the binary and under the debug root
  std::uint32_t crc = 0;
};

// A dynamic relocation that names a symbol: where (a GOT slot, usually) and which symbol.
struct Relocation {
  std::uint64_t offset = 0;  // r_offset: the address the loader writes
  std::uint32_t type = 0;    // R_X86_64_* for x86_64 files
  std::string symbol;        // versionless, "" for relocations without a symbol
  std::int64_t addend = 0;
};

class ElfFile {
 public:
  // Opens `path`: the file is mapped (copy-on-write, so nothing reaches the file) and its
  // descriptor closed before this returns.
  static Result<ElfFile> open(const std::string& path);
  // The same for bytes in memory (tests, fuzzing); `name` stands for the path in messages.
  static Result<ElfFile> from_bytes(std::string bytes, std::string name);

  ElfFile(ElfFile&&) noexcept;
  ElfFile& operator=(ElfFile&&) noexcept;
  ~ElfFile();

  const std::string& path() const { return path_; }
  bool is_64bit() const { return is_64bit_; }
  std::uint16_t machine() const { return machine_; }  // EM_*
  std::uint16_t type() const { return type_; }        // ET_EXEC, ET_DYN, ...
  std::uint64_t entry() const { return entry_; }
  std::uint64_t file_size() const { return file_size_; }
  const std::vector<Segment>& segments() const { return segments_; }
  const std::vector<Section>& sections() const { return sections_; }
  const Section* section(std::string_view name) const;

  bool has_table(SymbolTable table) const;
  // Every symbol of the table, in table order (index 0, the null symbol, left out).
  std::vector<Symbol> symbols(SymbolTable table) const;
  // Lowercase hex of NT_GNU_BUILD_ID, "" when the file has none.
  const std::string& build_id() const { return build_id_; }
  std::optional<std::string> interpreter() const;  // PT_INTERP
  DynamicInfo dynamic() const;
  std::optional<DebugLink> debuglink() const;
  std::vector<Relocation> dynamic_relocations() const;
  // Bytes of a section as stored (decompressed when SHF_COMPRESSED); empty for SHT_NOBITS or
  // when the section lies outside the file.
  std::string_view section_bytes(const Section& section) const;
  // The address a file offset is loaded at (through PT_LOAD), when some segment maps it.
  std::optional<std::uint64_t> vaddr_at_offset(std::uint64_t offset) const;
  // Bytes at [vaddr, vaddr + size) when one PT_LOAD segment holds them all in the file.
  std::string_view bytes_at(std::uint64_t vaddr, std::uint64_t size) const;

  // For elf/ sources that hand the file to libdw.
  ::Elf* handle() const { return elf_; }

 private:
  ElfFile() = default;
  // `storage` keeps [image, image + size) alive.
  static Result<ElfFile> begin(std::shared_ptr<void> storage, char* image, std::size_t size,
                               std::string name);
  Result<void> load_headers();
  void release();

  std::string path_;
  std::shared_ptr<void> storage_;  // the whole file (a mapping or a string); libelf reads from it
  ::Elf* elf_ = nullptr;
  bool is_64bit_ = true;
  std::uint16_t machine_ = 0, type_ = 0;
  std::uint64_t entry_ = 0, file_size_ = 0;
  std::vector<Segment> segments_;
  std::vector<Section> sections_;
  std::string build_id_;
};

// Splits a DT_RUNPATH/DT_RPATH value at ':' (empty entries dropped).
std::vector<std::string> split_search_path(std::string_view value);

}  // namespace seccheck::elf
