// Naming code addresses in a module (an executable or shared object on disk): the symbol whose
// extent covers the address, from the file's full .symtab where it has one, else from its
// separate debug file, else from .dynsym; and the source line where DWARF (in the file or its
// debug file) has one. ModuleCache reads each file once per (file, build-id), so naming the same
// library in many stacks and processes costs one read; with a LineCache folder, a line named in
// an earlier run costs no DWARF at all.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

#include "elf/debug_file.h"
#include "elf/elf_file.h"
#include "elf/line_cache.h"
#include "elf/line_table.h"
#include "elf/symbol_index.h"

namespace seccheck::elf {

enum class SymbolSource { kNone, kSymtab, kDebugFile, kDynsym };
const char* symbol_source_name(SymbolSource source);

struct CodeLocation {
  std::string function;  // "" when no symbol covers the address
  std::uint64_t function_start = 0;
  std::string source_file;  // "" when no line information covers the address
  int line = 0;
};

class Module {
 public:
  // `line_cache` (may be null) must outlive the module.
  Module(ElfFile file, std::string debug_root, LineCache* line_cache = nullptr);

  const ElfFile& file() const { return file_; }
  // The symbol table (and line table) are read on the first call.
  CodeLocation locate(std::uint64_t address);
  SymbolSource symbol_source();
  // The separate debug file's path, "" when none was found (looked up on first use).
  const std::string& debug_file_path();
  // Whether a locate() had to open DWARF (false when the line cache answered every address).
  bool line_table_opened() const { return lines_loaded_; }

 private:
  void load_symbols();
  std::optional<SourceLine> line_at(std::uint64_t address);
  const ElfFile* debug_file();

  ElfFile file_;
  std::string debug_root_;
  std::optional<ElfFile> debug_;
  bool debug_searched_ = false;
  std::string debug_path_;
  SymbolIndex symbols_;
  SymbolSource source_ = SymbolSource::kNone;
  bool symbols_loaded_ = false;
  std::unique_ptr<LineTable> lines_;
  bool lines_loaded_ = false;
  LineCache* line_cache_ = nullptr;
};

class ModuleCache {
 public:
  // `line_cache_folder`: where source lines are kept between runs (LineCache); none by default.
  explicit ModuleCache(std::string debug_root = kDefaultDebugRoot,
                       const std::optional<std::filesystem::path>& line_cache_folder = std::nullopt);

  // The module at `path`, nullptr when it is not a readable ELF file (`error`, when given, says
  // why). Pointers stay valid for the cache's life.
  Module* get(const std::string& path, std::string* error = nullptr);
  // ELF files opened so far (modules plus failures); a second get() of the same file opens none.
  std::size_t files_opened() const { return files_opened_; }

 private:
  using Identity = std::tuple<dev_t, ino_t, off_t, std::int64_t>;  // device, inode, size, mtime ns
  std::string debug_root_;
  std::unique_ptr<LineCache> line_cache_;
  std::map<Identity, Module*> by_identity_;
  std::map<Identity, std::string> failures_;
  std::map<std::string, std::unique_ptr<Module>> by_key_;  // realpath + build-id
  std::size_t files_opened_ = 0;
};

}  // namespace seccheck::elf
