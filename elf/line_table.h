// Source lines for code addresses, from a file's DWARF line programs through libdw. A file
// without DWARF has no table; a lookup outside every line program has no answer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "elf/elf_file.h"

typedef struct Dwarf Dwarf;  // libdw's handle

namespace seccheck::elf {

struct SourceLine {
  std::string file;  // as the line program names it (absolute when it has a compilation dir)
  int line = 0;
};

class LineTable {
 public:
  // nullptr when `file` carries no DWARF. `file` must outlive the table.
  static std::unique_ptr<LineTable> open(const ElfFile& file);
  ~LineTable();
  LineTable(const LineTable&) = delete;
  LineTable& operator=(const LineTable&) = delete;

  std::optional<SourceLine> at(std::uint64_t address);

 private:
  explicit LineTable(Dwarf* dwarf) : dwarf_(dwarf) {}
  struct UnitRange {
    std::uint64_t start = 0, end = 0, die_offset = 0;
  };
  bool unit_for(std::uint64_t address, void* cu_die);
  Dwarf* dwarf_ = nullptr;
  // Built on the first address .debug_aranges does not answer (files without that section).
  std::vector<UnitRange> ranges_;
  bool ranges_built_ = false;
};

}  // namespace seccheck::elf
