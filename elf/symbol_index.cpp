#include "elf/symbol_index.h"

#include <elf.h>

#include <algorithm>
#include <tuple>

namespace seccheck::elf {

namespace {

bool names_code_or_data(const Symbol& s) {
  if (!s.defined() || s.size == 0 || s.name.empty()) return false;
  if (s.section == SHN_ABS && s.type != STT_FUNC) return false;
  return s.type == STT_FUNC || s.type == STT_GNU_IFUNC || s.type == STT_OBJECT || s.type == STT_NOTYPE;
}

int binding_rank(unsigned char binding) {
  switch (binding) {
    case STB_GLOBAL: return 0;
    case STB_WEAK: return 1;
    default: return 2;
  }
}

// Smaller is better.
auto preference(const Symbol& s) {
  const bool internal_alias = s.name.rfind("__GI_", 0) == 0;
  return std::make_tuple(~s.value, s.size, s.type == STT_OBJECT, binding_rank(s.binding), internal_alias,
                         s.index);
}

}  // namespace

SymbolIndex::SymbolIndex(std::vector<Symbol> symbols) {
  symbols.erase(
      std::remove_if(symbols.begin(), symbols.end(), [](const Symbol& s) { return !names_code_or_data(s); }),
      symbols.end());
  std::sort(symbols.begin(), symbols.end(), [](const Symbol& a, const Symbol& b) {
    return std::tie(a.value, a.index) < std::tie(b.value, b.index);
  });
  symbols_ = std::move(symbols);
  ends_.reserve(symbols_.size());
  std::uint64_t furthest = 0;
  for (const Symbol& s : symbols_) {
    const std::uint64_t end = s.value + s.size < s.value ? UINT64_MAX : s.value + s.size;
    furthest = std::max(furthest, end);
    ends_.push_back(furthest);
  }
}

const Symbol* SymbolIndex::covering(std::uint64_t address) const {
  auto after = std::upper_bound(symbols_.begin(), symbols_.end(), address,
                                [](std::uint64_t a, const Symbol& s) { return a < s.value; });
  const Symbol* best = nullptr;
  for (auto i = static_cast<std::size_t>(after - symbols_.begin()); i-- > 0;) {
    if (ends_[i] <= address) break;  // nothing at or before i reaches the address
    const Symbol& s = symbols_[i];
    if (s.covers(address) && (best == nullptr || preference(s) < preference(*best))) best = &s;
  }
  return best;
}

}  // namespace seccheck::elf
