// Address -> symbol: only a symbol whose extent holds the address names it.
#include <elf.h>
#include <gtest/gtest.h>

#include "elf/symbol_index.h"

namespace seccheck::elf {
namespace {

Symbol make(std::string name, std::uint64_t value, std::uint64_t size, unsigned char binding = STB_GLOBAL,
            unsigned char type = STT_FUNC) {
  static std::uint32_t next_index = 1;
  Symbol s;
  s.name = std::move(name);
  s.value = value;
  s.size = size;
  s.binding = binding;
  s.type = type;
  s.section = 16;
  s.index = next_index++;
  return s;
}

std::string name_at(const SymbolIndex& index, std::uint64_t address) {
  const Symbol* s = index.covering(address);
  return s != nullptr ? s->name : "-";
}

TEST(SymbolIndex, NamesOnlyWithinExtents) {
  SymbolIndex index({make("a", 0x1000, 0x10), make("b", 0x1020, 0x20), make("sizeless", 0x1010, 0)});
  EXPECT_EQ(name_at(index, 0x0fff), "-");
  EXPECT_EQ(name_at(index, 0x1000), "a");
  EXPECT_EQ(name_at(index, 0x100f), "a");
  EXPECT_EQ(name_at(index, 0x1010), "-") << "the gap after a, even with a size-0 symbol there";
  EXPECT_EQ(name_at(index, 0x101f), "-");
  EXPECT_EQ(name_at(index, 0x1020), "b");
  EXPECT_EQ(name_at(index, 0x1040), "-") << "one past the end";
  EXPECT_EQ(index.size(), 2u);
}

TEST(SymbolIndex, PrefersTheInnermostThenGlobalThenPublicNames) {
  SymbolIndex index(
      {make("outer", 0x1000, 0x100), make("inner", 0x1040, 0x10),
       make("__GI___clone3", 0x2000, 0x40, STB_LOCAL), make("__clone3", 0x2000, 0x40, STB_LOCAL),
       make("clone3", 0x2000, 0x40, STB_LOCAL), make("__pthread_create_2_1", 0x3000, 0x80, STB_LOCAL),
       make("pthread_create", 0x3000, 0x80, STB_GLOBAL), make("weak_one", 0x4000, 8, STB_WEAK),
       make("global_one", 0x4000, 8, STB_GLOBAL), make("data", 0x4000, 8, STB_GLOBAL, STT_OBJECT)});
  EXPECT_EQ(name_at(index, 0x1045), "inner");
  EXPECT_EQ(name_at(index, 0x1050), "outer") << "past inner's end, still inside outer";
  EXPECT_EQ(name_at(index, 0x10ff), "outer");
  EXPECT_EQ(name_at(index, 0x2019), "__clone3") << "glibc's internal alias loses; then table order";
  EXPECT_EQ(name_at(index, 0x3010), "pthread_create");
  EXPECT_EQ(name_at(index, 0x4000), "global_one");
}

TEST(SymbolIndex, LeavesOutImportsSectionsAndFiles) {
  Symbol import = make("imported", 0x1000, 0x10);
  import.section = SHN_UNDEF;
  SymbolIndex index({import, make("section", 0x2000, 0x10, STB_LOCAL, STT_SECTION),
                     make("file.c", 0x3000, 0x10, STB_LOCAL, STT_FILE)});
  EXPECT_TRUE(index.empty());
  EXPECT_EQ(name_at(index, 0x1004), "-");
}

TEST(SymbolIndex, SurvivesExtentsThatWrapAround) {
  SymbolIndex index({make("huge", 0xffffffffffffff00ULL, 0x1000), make("low", 0x10, 0x10)});
  EXPECT_EQ(name_at(index, 0xffffffffffffff80ULL), "huge");
  EXPECT_EQ(name_at(index, 0x18), "low");
  EXPECT_EQ(name_at(index, 0x30), "-");
}

}  // namespace
}  // namespace seccheck::elf
