// Source lines kept between runs: what one run learns, the next finds without opening DWARF;
// damaged, foreign and oversized cache files cost time, never a wrong line.
#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "elf/line_cache.h"
#include "elf/module.h"
#include "tests/elf/elf_fixtures.h"
#include "tests/support/run_process.h"

namespace seccheck::elf {
namespace {

using seccheck::testing::file_bytes;
using seccheck::testing::ScratchDir;
using seccheck::testing::testprog;
using seccheck::testing::write_bytes;

const std::string kBuildId = "93ac61ec5a8eb1396f9fbd350e3169a558528a40";

TEST(LineCache, WhatOneCacheStoresTheNextFinds) {
  ScratchDir dir("line_cache_round_trip");
  {
    LineCache cache(dir.path());
    EXPECT_FALSE(cache.find(kBuildId, 0x1234));
    cache.store(kBuildId, 0x1234, SourceLine{"/src/app/a file.c", 42});
    cache.store(kBuildId, 0x99, std::nullopt);  // DWARF was there, with no line at 0x99
  }
  LineCache later(dir.path());
  const auto line = later.find(kBuildId, 0x1234);
  ASSERT_TRUE(line);
  ASSERT_TRUE(*line);
  EXPECT_EQ((*line)->file, "/src/app/a file.c");
  EXPECT_EQ((*line)->line, 42);
  const auto none = later.find(kBuildId, 0x99);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  EXPECT_FALSE(later.find(kBuildId, 0x98));
  EXPECT_FALSE(later.find("0123", 0x1234)) << "another build-id is another file";
}

TEST(LineCache, BuildIdsThatAreNotHexAreNeverFileNames) {
  ScratchDir dir("line_cache_names");
  LineCache cache(dir.path());
  for (const std::string& id :
       std::vector<std::string>{"", "../escape", "ABCDEF", "12/34", std::string(200, 'a')}) {
    cache.store(id, 1, SourceLine{"x.c", 1});
    EXPECT_FALSE(cache.find(id, 1)) << id;
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(dir.path()).parent_path() / "escape"));
}

TEST(LineCache, DamagedRecordsAreSkippedAndGoodOnesKept) {
  ScratchDir dir("line_cache_damaged");
  write_bytes(dir.file(kBuildId),
              "zz 3 bad.c\n"   // address not hex
              "10 -4 bad.c\n"  // negative line
              "11 7\n"         // line without a file
              "12 x y.c\n"     // line not a number
              "20 9 good.c\n"
              "\n"
              "21 0 \n");  // stored miss
  LineCache cache(dir.path());
  for (std::uint64_t address : {0x10, 0x11, 0x12})
    EXPECT_FALSE(cache.find(kBuildId, address)) << address;
  const auto good = cache.find(kBuildId, 0x20);
  ASSERT_TRUE(good && *good);
  EXPECT_EQ((*good)->file, "good.c");
  EXPECT_EQ((*good)->line, 9);
  const auto miss = cache.find(kBuildId, 0x21);
  ASSERT_TRUE(miss);
  EXPECT_FALSE(*miss);
}

TEST(LineCache, AFileAtItsLimitTakesNoMoreRecordsAndAFileOverItIsNotRead) {
  ScratchDir dir("line_cache_limit");
  std::string big = "40 1 first.c\n";
  big.resize((1 << 20) + 10, '#');
  write_bytes(dir.file(kBuildId), big);
  LineCache cache(dir.path());
  EXPECT_FALSE(cache.find(kBuildId, 0x40)) << "a file past the limit is not read";
  cache.store(kBuildId, 0x50, SourceLine{"new.c", 3});
  EXPECT_EQ(file_bytes(dir.file(kBuildId)).size(), big.size()) << "and takes no more records";
}

TEST(LineCache, ANameWithANewlineIsNotStored) {
  ScratchDir dir("line_cache_newline");
  LineCache cache(dir.path());
  cache.store(kBuildId, 1, SourceLine{"a\nb.c", 1});
  EXPECT_FALSE(std::filesystem::exists(dir.file(kBuildId)));
}

// The point of the cache: a second run names the same address, file and line alike, without
// opening DWARF.
TEST(LineCache, ASecondModuleCacheNamesTheLineWithoutOpeningDwarf) {
  ScratchDir dir("line_cache_modules");
  const std::string path = testprog("stack_pthread_create");
  std::uint64_t address = 0;
  CodeLocation first;
  {
    ModuleCache cache("/nonexistent", std::filesystem::path(dir.path()));
    Module* module = cache.get(path);
    ASSERT_NE(module, nullptr);
    ASSERT_FALSE(module->file().build_id().empty()) << "testprogs are linked with a build-id";
    for (const Symbol& symbol : module->file().symbols(SymbolTable::kSymtab))
      if (symbol.name == "start_worker" && symbol.defined()) address = symbol.value + 8;
    ASSERT_NE(address, 0u);
    first = module->locate(address);
    EXPECT_TRUE(module->line_table_opened());
  }
  ASSERT_GT(first.line, 0);
  ModuleCache later("/nonexistent", std::filesystem::path(dir.path()));
  Module* module = later.get(path);
  ASSERT_NE(module, nullptr);
  const CodeLocation again = module->locate(address);
  EXPECT_FALSE(module->line_table_opened());
  EXPECT_EQ(again.function, first.function);
  EXPECT_EQ(again.source_file, first.source_file);
  EXPECT_EQ(again.line, first.line);
  // Without a cache folder nothing is kept: the DWARF is opened each time.
  ModuleCache uncached("/nonexistent");
  Module* plain = uncached.get(path);
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(plain->locate(address).line, first.line);
  EXPECT_TRUE(plain->line_table_opened());
}

}  // namespace
}  // namespace seccheck::elf
