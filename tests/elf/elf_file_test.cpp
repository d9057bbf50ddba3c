// The ELF reader on real files (checked against binutils) and on damaged copies of them: every
// damaged file is one clear error or a file whose accessors stay in bounds, never a crash.
#include <elf.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <sstream>

#include "elf/elf_file.h"
#include "tests/elf/elf_fixtures.h"
#include "tests/support/run_process.h"

namespace seccheck::elf {
namespace {

using seccheck::testing::file_bytes;
using seccheck::testing::patch_u16;
using seccheck::testing::patch_u64;
using seccheck::testing::run_tool;
using seccheck::testing::ScratchDir;
using seccheck::testing::testprog;
using seccheck::testing::write_bytes;

std::string libc_path() {
  return std::filesystem::canonical("/lib/x86_64-linux-gnu/libc.so.6").string();
}

// readelf's view of a file, as the oracle for what the reader must find.
std::string readelf_build_id(const std::string& path) {
  std::smatch match;
  const std::string notes = run_tool({"/usr/bin/readelf", "-n", path});
  return std::regex_search(notes, match, std::regex("Build ID: ([0-9a-f]+)")) ? match[1].str() : "";
}

std::vector<std::string> readelf_needed(const std::string& path) {
  std::vector<std::string> needed;
  std::istringstream lines(run_tool({"/usr/bin/readelf", "-dW", path}));
  std::string line;
  std::smatch match;
  while (std::getline(lines, line))
    if (std::regex_search(line, match, std::regex(R"(\(NEEDED\)\s+Shared library: \[(.*)\])")))
      needed.push_back(match[1].str());
  return needed;
}

TEST(ElfFile, ReadsTheSystemLibcAsReadelfDoes) {
  const std::string path = libc_path();
  auto file = ElfFile::open(path);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_TRUE(file->is_64bit());
  EXPECT_EQ(file->machine(), EM_X86_64);
  EXPECT_EQ(file->type(), ET_DYN);
  EXPECT_EQ(file->build_id(), readelf_build_id(path));
  EXPECT_EQ(file->build_id().size(), 40u);
  const DynamicInfo dynamic = file->dynamic();
  EXPECT_EQ(dynamic.soname, "libc.so.6");
  EXPECT_EQ(dynamic.needed, readelf_needed(path));
  // glibc's libc.so.6 runs as a program too (it prints its version), so it names the loader.
  EXPECT_EQ(file->interpreter().value_or(""), "/lib64/ld-linux-x86-64.so.2");
  bool found = false;
  for (const Symbol& s : file->symbols(SymbolTable::kDynsym))
    if (s.name == "pthread_create" && s.defined()) {
      found = true;
      EXPECT_GT(s.size, 0u);
      EXPECT_EQ(s.type, STT_FUNC);
    }
  EXPECT_TRUE(found) << "libc exports pthread_create";
}

TEST(ElfFile, ReadsATestprogAsNmAndReadelfDo) {
  const std::string path = testprog("stack_pthread_create");
  auto file = ElfFile::open(path);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->interpreter().value_or(""), "/lib64/ld-linux-x86-64.so.2");
  EXPECT_EQ(file->dynamic().needed, readelf_needed(path));
  EXPECT_EQ(file->build_id(), readelf_build_id(path));
  EXPECT_TRUE(file->has_table(SymbolTable::kSymtab));
  // Every sized symbol nm lists is in the symbol table with the same start and extent.
  std::multimap<std::string, std::pair<std::uint64_t, std::uint64_t>> mine;
  for (const Symbol& s : file->symbols(SymbolTable::kSymtab))
    if (s.defined()) mine.emplace(s.name, std::make_pair(s.value, s.size));
  const auto nm = seccheck::testing::nm_symbols(path, false);
  ASSERT_FALSE(nm.empty());
  for (const auto& symbol : nm) {
    bool same = false;
    auto [first, last] = mine.equal_range(symbol.name);
    for (auto it = first; it != last; ++it)
      same |= it->second == std::make_pair(symbol.start, symbol.size);
    EXPECT_TRUE(same) << symbol.name;
  }
  // The PLT relocations name what the program imports.
  bool imports_pthread_create = false;
  for (const Relocation& r : file->dynamic_relocations())
    imports_pthread_create |= r.symbol == "pthread_create";
  EXPECT_TRUE(imports_pthread_create);
  // Code is where the segments say: the bytes of main at its address are .text's bytes there.
  const Section* text = file->section(".text");
  ASSERT_NE(text, nullptr);
  const std::string_view text_bytes = file->section_bytes(*text);
  ASSERT_EQ(text_bytes.size(), text->size);
  EXPECT_EQ(file->bytes_at(text->address, 16), text_bytes.substr(0, 16));
  EXPECT_EQ(file->vaddr_at_offset(text->offset).value_or(0), text->address);
}

TEST(ElfFile, SplitsSearchPaths) {
  EXPECT_EQ(split_search_path("$ORIGIN/../lib::/opt/x:"),
            (std::vector<std::string>{"$ORIGIN/../lib", "/opt/x"}));
  EXPECT_TRUE(split_search_path("").empty());
}

TEST(ElfFile, ReadsFromMemoryAsFromDisk) {
  const std::string path = testprog("stack_pthread_create");
  auto disk = ElfFile::open(path);
  auto memory = ElfFile::from_bytes(file_bytes(path), "copy");
  ASSERT_TRUE(disk && memory);
  EXPECT_EQ(memory->path(), "copy");
  EXPECT_EQ(memory->build_id(), disk->build_id());
  EXPECT_EQ(memory->symbols(SymbolTable::kSymtab).size(), disk->symbols(SymbolTable::kSymtab).size());
  EXPECT_EQ(memory->interpreter(), disk->interpreter());
}

// Damaged copies of a real executable, each with what its one error must say.
struct Damage {
  std::string name;
  std::string expected;  // a phrase of the message
  std::string (*make)(std::string bytes);
};

const std::vector<Damage>& damages() {
  constexpr std::size_t kShoff = 40, kPhnum = 56, kShnum = 60, kShstrndx = 62;
  static const std::vector<Damage> list = {
      {"empty", "empty file",
       [](std::string b) {
         b.clear();
         return b;
       }},
      {"magic_only", "truncated",
       [](std::string b) {
         b.resize(10);
         return b;
       }},
      {"header_only", "do not fit",
       [](std::string b) {
         b.resize(64);
         return b;
       }},
      {"half", "section headers at offset",
       [](std::string b) {
         b.resize(b.size() / 2);
         return b;
       }},
      {"class_32", "wrong ELF class?",
       [](std::string b) {
         b[EI_CLASS] = ELFCLASS32;
         return b;
       }},
      {"class_3", "invalid ELF class 3",
       [](std::string b) {
         b[EI_CLASS] = 3;
         return b;
       }},
      {"byte_order_0", "invalid byte order 0",
       [](std::string b) {
         b[EI_DATA] = 0;
         return b;
       }},
      {"shnum_65535", "65535 section headers",
       [](std::string b) {
         patch_u16(b, kShnum, 0xffff);
         return b;
       }},
      {"phnum_65534", "65534 program headers",
       [](std::string b) {
         patch_u16(b, kPhnum, 0xfffe);  // (0xffff means: the count is in section 0)
         return b;
       }},
      {"shoff_past_end", "section headers at offset",
       [](std::string b) {
         patch_u64(b, kShoff, b.size() + 4096);
         return b;
       }},
      {"extended_section_count", "corrupt ELF header tables",
       [](std::string b) {
         // e_shnum 0: the count is section 0's sh_size, here 2^40.
         std::uint64_t shoff = 0;
         for (int i = 7; i >= 0; --i)
           shoff = (shoff << 8) | static_cast<unsigned char>(b[kShoff + i]);
         patch_u16(b, kShnum, 0);
         patch_u64(b, shoff + 32, std::uint64_t{1} << 40);
         return b;
       }},
      {"names_index_past_end", "invalid section name table index",
       [](std::string b) {
         patch_u16(b, kShstrndx, 0xfff0);
         return b;
       }},
      {"text", "not an ELF file",
       [](std::string b) {
         b.assign("#!/bin/sh\nexit 0\n");
         return b;
       }},
      {"ar_archive", "an ar archive",
       [](std::string b) {
         b.assign("!<arch>\n");
         return b;
       }},
      {"garbage", "not an ELF file",
       [](std::string b) {
         std::uint32_t x = 12345;
         for (char& c : b) {
           x = x * 1103515245 + 12345;
           c = static_cast<char>(x >> 16);
         }
         return b;
       }},
  };
  return list;
}

class DamagedElf : public ::testing::TestWithParam<Damage> {};

TEST_P(DamagedElf, IsOneClearError) {
  const Damage& damage = GetParam();
  ScratchDir dir("elf_damage");
  const std::string path = dir.file(damage.name);
  write_bytes(path, damage.make(file_bytes(testprog("stack_pthread_create"))));
  for (bool from_disk : {true, false}) {
    auto file = from_disk ? ElfFile::open(path) : ElfFile::from_bytes(file_bytes(path), path);
    ASSERT_FALSE(file) << damage.name << " opened " << (from_disk ? "from disk" : "from memory");
    const std::string& message = file.error().message;
    EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_NE(message.find(damage.expected, path.size()), std::string::npos)
        << damage.name << ": " << message;
  }
}

INSTANTIATE_TEST_SUITE_P(Files, DamagedElf, ::testing::ValuesIn(damages()),
                         [](const ::testing::TestParamInfo<Damage>& param_info) {
                           return param_info.param.name;
                         });

TEST(ElfFile, MissingFileAndFolderAreErrors) {
  auto missing = ElfFile::open("/nonexistent/seccheck");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "/nonexistent/seccheck: No such file or directory");
  auto folder = ElfFile::open("/tmp");
  ASSERT_FALSE(folder);
  EXPECT_EQ(folder.error().message, "/tmp: not a regular file");
}

// Each section header in turn pointed outside the file or made huge: the file opens (the headers
// fit) and every accessor stays in bounds.
TEST(ElfFile, DamagedSectionsKeepAccessorsInBounds) {
  const std::string original = file_bytes(testprog("stack_pthread_create"));
  auto clean = ElfFile::from_bytes(original, "clean");
  ASSERT_TRUE(clean);
  std::uint64_t shoff = 0;
  for (int i = 7; i >= 0; --i)
    shoff = (shoff << 8) | static_cast<unsigned char>(original[40 + i]);
  for (const Section& section : clean->sections()) {
    for (int field : {24, 32, 40}) {  // sh_offset, sh_size, sh_link (+ sh_info)
      std::string bytes = original;
      patch_u64(bytes, shoff + section.index * 64 + static_cast<std::size_t>(field), 0x7fffffff0000ULL);
      auto file = ElfFile::from_bytes(bytes, "damaged");
      if (!file) continue;
      (void)file->symbols(SymbolTable::kSymtab);
      (void)file->symbols(SymbolTable::kDynsym);
      (void)file->dynamic();
      (void)file->interpreter();
      (void)file->debuglink();
      (void)file->dynamic_relocations();
      for (const Section& s : file->sections())
        (void)file->section_bytes(s);
    }
  }
}

}  // namespace
}  // namespace seccheck::elf
