// Address -> covering symbol, over one symbol table. Only symbols with an extent (st_size > 0)
// that are defined code or data enter the index, so a lookup never answers with a symbol whose
// extent does not hold the address ("the nearest exported symbol" is never a name).
#pragma once

#include <cstdint>
#include <vector>

#include "elf/elf_file.h"

namespace seccheck::elf {

class SymbolIndex {
 public:
  SymbolIndex() = default;
  explicit SymbolIndex(std::vector<Symbol> symbols);

  // The symbol whose [value, value + size) holds `address`; nullptr when none does. Among
  // several: the innermost (latest start, then smallest), then global over weak over local, then
  // a public name over glibc's internal "__GI_" alias, then table order.
  const Symbol* covering(std::uint64_t address) const;
  std::size_t size() const { return symbols_.size(); }
  bool empty() const { return symbols_.empty(); }

 private:
  std::vector<Symbol> symbols_;      // sorted by start
  std::vector<std::uint64_t> ends_;  // ends_[i]: the largest end among symbols_[0..i]
};

}  // namespace seccheck::elf
