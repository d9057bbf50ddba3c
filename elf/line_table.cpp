#include "elf/line_table.h"

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <algorithm>
#include <filesystem>

namespace seccheck::elf {

std::unique_ptr<LineTable> LineTable::open(const ElfFile& file) {
  if (file.handle() == nullptr) return nullptr;
  Dwarf* dwarf = dwarf_begin_elf(file.handle(), DWARF_C_READ, nullptr);
  if (dwarf == nullptr) return nullptr;
  return std::unique_ptr<LineTable>(new LineTable(dwarf));
}

LineTable::~LineTable() {
  if (dwarf_ != nullptr) dwarf_end(dwarf_);
}

bool LineTable::unit_for(std::uint64_t address, void* cu_die) {
  auto* cu = static_cast<Dwarf_Die*>(cu_die);
  if (dwarf_addrdie(dwarf_, address, cu) != nullptr) return true;
  if (!ranges_built_) {
    ranges_built_ = true;
    Dwarf_Off offset = 0, next = 0;
    std::size_t header_size = 0;
    // Bounded: a damaged file cannot make this walk forever.
    for (int units = 0;
         units < 1000000 && dwarf_nextcu(dwarf_, offset, &next, &header_size, nullptr, nullptr, nullptr) == 0;
         ++units, offset = next) {
      Dwarf_Die die;
      if (dwarf_offdie(dwarf_, offset + header_size, &die) == nullptr) continue;
      Dwarf_Addr base = 0, start = 0, end = 0;
      ptrdiff_t at = 0;
      int ranges = 0;
      while (ranges++ < 100000 && (at = dwarf_ranges(&die, at, &base, &start, &end)) > 0)
        if (end > start) ranges_.push_back({start, end, offset + header_size});
    }
    std::sort(ranges_.begin(), ranges_.end(),
              [](const UnitRange& a, const UnitRange& b) { return a.start < b.start; });
  }
  for (const UnitRange& range : ranges_) {
    if (range.start > address) break;
    if (address < range.end && dwarf_offdie(dwarf_, range.die_offset, cu) != nullptr) return true;
  }
  return false;
}

std::optional<SourceLine> LineTable::at(std::uint64_t address) {
  Dwarf_Die cu;
  if (!unit_for(address, &cu)) return std::nullopt;
  Dwarf_Line* line = dwarf_getsrc_die(&cu, address);
  if (line == nullptr) return std::nullopt;
  SourceLine out;
  const char* file = dwarf_linesrc(line, nullptr, nullptr);
  if (file == nullptr || dwarf_lineno(line, &out.line) != 0 || out.line <= 0) return std::nullopt;
  out.file = file;
  // A name relative to an absolute compilation folder is made whole ("/src/app/util.c", not
  // "../util.c"); Debian's builds record "." or a prefix map, and keep their names as given.
  Dwarf_Attribute attribute;
  const char* folder = dwarf_formstring(dwarf_attr(&cu, DW_AT_comp_dir, &attribute));
  if (!out.file.empty() && out.file[0] != '/' && folder != nullptr && folder[0] == '/')
    out.file = (std::filesystem::path(folder) / out.file).lexically_normal().string();
  return out;
}

}  // namespace seccheck::elf
