// libFuzzer target: the ELF reader on hostile files. Whatever the bytes, opening is a file or one
// one-line error naming it, and every accessor of a file that opened stays in bounds: symbols,
// the dynamic section, notes, relocations, section bytes, segment lookups, symbol and line
// lookups (libdw reads the DWARF of what opened).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "elf/elf_file.h"
#include "elf/line_table.h"
#include "elf/symbol_index.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace seccheck::elf;
  auto file = ElfFile::from_bytes(std::string(reinterpret_cast<const char*>(data), size), "input");
  if (!file) {
    const std::string& message = file.error().message;
    if (message.rfind("input: ", 0) != 0 || message.find('\n') != std::string::npos) std::abort();
    return 0;
  }
  (void)file->interpreter();
  (void)file->dynamic();
  (void)file->debuglink();
  (void)file->dynamic_relocations();
  for (const Section& section : file->sections()) {
    const std::string_view bytes = file->section_bytes(section);
    if (!bytes.empty() && (bytes.data() == nullptr)) std::abort();
  }
  for (const Segment& segment : file->segments()) {
    (void)file->vaddr_at_offset(segment.offset);
    (void)file->bytes_at(segment.vaddr, segment.file_size);
  }
  for (SymbolTable table : {SymbolTable::kSymtab, SymbolTable::kDynsym}) {
    auto symbols = file->symbols(table);
    std::vector<std::uint64_t> probes;
    for (std::size_t i = 0; i < symbols.size() && i < 64; ++i)
      probes.push_back(symbols[i].value + symbols[i].size / 2);
    SymbolIndex index(std::move(symbols));
    for (std::uint64_t address : probes) {
      const Symbol* s = index.covering(address);
      if (s != nullptr && !s->covers(address)) std::abort();
    }
  }
  if (auto lines = LineTable::open(*file)) {
    for (const Section& section : file->sections())
      if (section.flags & 0x4) (void)lines->at(section.address + section.size / 2);  // SHF_EXECINSTR
    (void)lines->at(file->entry());
  }
  return 0;
}
