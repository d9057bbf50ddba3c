// Naming addresses in modules: symbol sources (symtab, separate debug file by build-id or by
// .gnu_debuglink, dynsym), line information against addr2line, and the cache's reads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "elf/module.h"
#include "tests/elf/elf_fixtures.h"
#include "tests/support/run_process.h"

namespace seccheck::elf {
namespace {

using seccheck::testing::file_bytes;
using seccheck::testing::run_tool;
using seccheck::testing::ScratchDir;
using seccheck::testing::testprog;
using seccheck::testing::write_bytes;

std::optional<Symbol> find_symbol(const std::vector<Symbol>& symbols, const std::string& name) {
  for (const Symbol& s : symbols)
    if (s.name == name && s.defined()) return s;
  return std::nullopt;
}

std::uint64_t symbol_address(const std::string& path, const std::string& name) {
  auto file = ElfFile::open(path);
  EXPECT_TRUE(file);
  const auto s = file ? find_symbol(file->symbols(SymbolTable::kSymtab), name) : std::nullopt;
  EXPECT_TRUE(s) << name;
  return s ? s->value : 0;
}

Module open_module(const std::string& path, const std::string& debug_root) {
  auto file = ElfFile::open(path);
  EXPECT_TRUE(file) << (file ? "" : file.error().message);
  return Module(std::move(*file), debug_root);
}

// A copy of the testprog without symbols, plus its debug file, as distributions split them.
struct SplitProgram {
  std::string stripped, debug;
};
SplitProgram split(const ScratchDir& dir, const std::string& source, const std::string& name) {
  SplitProgram out{dir.file(name), dir.file(name + ".debug")};
  run_tool({"/usr/bin/objcopy", "--only-keep-debug", source, out.debug});
  run_tool({"/usr/bin/strip", "--strip-all", "-o", out.stripped, source});
  return out;
}

TEST(Module, NamesFromTheSymtabWithTheLineAddr2lineGives) {
  const std::string path = testprog("stack_pthread_create");
  const std::uint64_t address = symbol_address(path, "start_worker") + 8;
  Module module = open_module(path, "/nonexistent");
  const CodeLocation where = module.locate(address);
  EXPECT_EQ(module.symbol_source(), SymbolSource::kSymtab);
  EXPECT_EQ(where.function, "start_worker");
  EXPECT_EQ(where.function_start, address - 8);
  char hex_address[32];
  std::snprintf(hex_address, sizeof hex_address, "%#llx", static_cast<unsigned long long>(address));
  const std::string oracle = run_tool({"/usr/bin/addr2line", "-e", path, hex_address});  // "FILE:LINE\n"
  const auto colon = oracle.rfind(':');
  ASSERT_NE(colon, std::string::npos) << oracle;
  EXPECT_EQ(std::filesystem::path(where.source_file).filename(),
            std::filesystem::path(oracle.substr(0, colon)).filename());
  EXPECT_EQ(where.line, std::stoi(oracle.substr(colon + 1))) << oracle;
  EXPECT_EQ(where.source_file[0], '/') << "made absolute with the compilation folder: " << where.source_file;
}

TEST(Module, AStrippedFileFindsItsDebugFileByBuildId) {
  ScratchDir dir("module_build_id");
  const std::string source = testprog("stack_pthread_create");
  const SplitProgram program = split(dir, source, "prog");
  auto stripped = ElfFile::open(program.stripped);
  ASSERT_TRUE(stripped);
  ASSERT_FALSE(stripped->has_table(SymbolTable::kSymtab));
  const std::string id = stripped->build_id();
  ASSERT_EQ(id.size(), 40u);
  const std::string root = dir.file("debug");
  std::filesystem::create_directories(root + "/.build-id/" + id.substr(0, 2));
  const std::string by_id = root + "/.build-id/" + id.substr(0, 2) + "/" + id.substr(2) + ".debug";
  std::filesystem::rename(program.debug, by_id);

  Module module(std::move(*stripped), root);
  const std::uint64_t address = symbol_address(source, "start_worker") + 4;
  const CodeLocation where = module.locate(address);
  EXPECT_EQ(module.symbol_source(), SymbolSource::kDebugFile);
  EXPECT_EQ(module.debug_file_path(), by_id);
  EXPECT_EQ(where.function, "start_worker");
  EXPECT_GT(where.line, 0) << "lines come from the debug file too";
}

TEST(Module, AStrippedFileFindsItsDebugFileByDebuglink) {
  ScratchDir dir("module_debuglink");
  const std::string source = testprog("stack_pthread_create");
  const SplitProgram program = split(dir, source, "prog");
  std::filesystem::create_directories(dir.file(".debug"));
  const std::string linked = dir.file(".debug/prog.debug");
  std::filesystem::rename(program.debug, linked);
  run_tool({"/usr/bin/objcopy", "--add-gnu-debuglink=" + linked, program.stripped});
  auto file = ElfFile::open(program.stripped);
  ASSERT_TRUE(file);
  ASSERT_TRUE(file->debuglink());
  EXPECT_EQ(file->debuglink()->file, "prog.debug");
  Module module(std::move(*file), dir.file("no-debug-root"));
  EXPECT_EQ(module.locate(symbol_address(source, "main") + 1).function, "main");
  EXPECT_EQ(module.symbol_source(), SymbolSource::kDebugFile);
  EXPECT_EQ(module.debug_file_path(),
            dir.file("prog.debug").substr(0, dir.path().size()) + "/.debug/prog.debug");
}

// Without build-ids, the debuglink's CRC32 decides: a debug file that does not match is not used.
TEST(Module, ADebuglinkWithoutBuildIdsIsCheckedByCrc) {
  ScratchDir dir("module_crc");
  const std::string source = testprog("stack_pthread_create");
  const std::string no_id = dir.file("no_id");
  run_tool({"/usr/bin/objcopy", "--remove-section", ".note.gnu.build-id", source, no_id});
  const SplitProgram program = split(dir, no_id, "prog");
  run_tool({"/usr/bin/objcopy", "--add-gnu-debuglink=" + program.debug, program.stripped});
  {
    Module module = open_module(program.stripped, dir.file("none"));
    EXPECT_TRUE(module.file().build_id().empty());
    EXPECT_EQ(module.locate(symbol_address(source, "main") + 1).function, "main");
    EXPECT_EQ(module.symbol_source(), SymbolSource::kDebugFile);
  }
  write_bytes(program.debug, file_bytes(program.debug) + "x");  // same name, another CRC
  Module module = open_module(program.stripped, dir.file("none"));
  EXPECT_EQ(module.locate(symbol_address(source, "main") + 1).function, "");
  // An executable's .dynsym holds only its imports: nothing names its own code.
  EXPECT_EQ(module.symbol_source(), SymbolSource::kNone);
  EXPECT_EQ(module.debug_file_path(), "");
}

TEST(Module, ADebugFileOfAnotherBuildIsNotUsed) {
  ScratchDir dir("module_other_build");
  const SplitProgram program = split(dir, testprog("stack_pthread_create"), "prog");
  const SplitProgram other = split(dir, testprog("trace_threads"), "other");
  std::filesystem::rename(other.debug, program.debug);  // prog.debug now holds another build
  run_tool({"/usr/bin/objcopy", "--add-gnu-debuglink=" + program.debug, program.stripped});
  Module module = open_module(program.stripped, dir.file("none"));
  EXPECT_EQ(module.symbol_source(), SymbolSource::kNone);
  EXPECT_EQ(module.debug_file_path(), "");
  EXPECT_EQ(module.locate(symbol_address(testprog("stack_pthread_create"), "main") + 1).function, "");
}

// libc6-dbg installs libc's symbols and lines under /usr/lib/debug/.build-id: glibc's local
// __clone3 (not in .dynsym) is then named, with its assembly source line.
TEST(Module, LibcLocalSymbolsComeFromLibc6Dbg) {
  const std::string path = std::filesystem::canonical("/lib/x86_64-linux-gnu/libc.so.6").string();
  Module module = open_module(path, kDefaultDebugRoot);
  if (module.debug_file_path().empty())
    GTEST_SKIP() << "libc6-dbg is not installed (no " << kDefaultDebugRoot << "/.build-id file for "
                 << module.file().build_id() << ")";
  auto debug = ElfFile::open(module.debug_file_path());
  ASSERT_TRUE(debug);
  const auto clone3 = find_symbol(debug->symbols(SymbolTable::kSymtab), "__clone3");
  ASSERT_TRUE(clone3);
  const CodeLocation where = module.locate(clone3->value + clone3->size / 2);
  EXPECT_EQ(module.symbol_source(), SymbolSource::kDebugFile);
  EXPECT_EQ(where.function, "__clone3");
  EXPECT_EQ(std::filesystem::path(where.source_file).filename(), "clone3.S") << where.source_file;
  EXPECT_GT(where.line, 0);
}

TEST(ModuleCache, ReadsEachFileOnce) {
  ScratchDir dir("module_cache");
  const std::string path = testprog("stack_pthread_create");
  ModuleCache cache("/nonexistent");
  Module* first = cache.get(path);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->locate(symbol_address(path, "main")).function, "main");
  EXPECT_EQ(cache.get(path), first);
  EXPECT_EQ(cache.files_opened(), 1u);
  // Another name for the same inode costs nothing either.
  const std::string link = dir.file("hard_link");
  std::error_code cross_device;
  std::filesystem::create_hard_link(path, link, cross_device);
  if (!cross_device) {
    EXPECT_EQ(cache.get(link), first);
    EXPECT_EQ(cache.files_opened(), 1u);
  }
  // A file that is not ELF is read once too, and says why each time.
  const std::string text = dir.file("text");
  write_bytes(text, "hello\n");
  std::string why;
  EXPECT_EQ(cache.get(text, &why), nullptr);
  EXPECT_EQ(why, text + ": not an ELF file");
  why.clear();
  EXPECT_EQ(cache.get(text, &why), nullptr);
  EXPECT_EQ(why, text + ": not an ELF file");
  EXPECT_EQ(cache.files_opened(), 2u);
}

}  // namespace
}  // namespace seccheck::elf
