// The wrapper table is data: it parses, names real syscalls and real library functions, and says
// each thing once.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <tuple>

#include "elf/elf_file.h"
#include "scan/wrapper_table.h"

namespace seccheck::scan {
namespace {

TEST(WrapperTable, BuiltinParsesWithNoRowTwice) {
  const WrapperTable& table = WrapperTable::builtin();
  ASSERT_GT(table.rows().size(), 400u);
  std::set<std::tuple<std::string, std::string, std::string, int>> seen;
  for (const WrapperRow& row : table.rows())
    EXPECT_TRUE(seen.emplace(row.library, row.function, row.syscall, row.number_argument).second)
        << "line " << row.line << ": " << row.library << " " << row.function << " " << row.syscall
        << " twice";
}

TEST(WrapperTable, KnowsTheCallsIssuesAndProfilesAreAbout) {
  const WrapperTable& table = WrapperTable::builtin();
  const auto syscalls_of = [&](const std::string& function) {
    std::set<std::string> out;
    for (const WrapperRow* row : table.rows_for(function))
      out.insert(row->syscall);
    return out;
  };
  EXPECT_EQ(syscalls_of("unshare"), std::set<std::string>{"unshare"});
  EXPECT_EQ(syscalls_of("mount"), std::set<std::string>{"mount"});
  EXPECT_EQ(syscalls_of("personality"), std::set<std::string>{"personality"});
  EXPECT_EQ(syscalls_of("keyctl_search"), std::set<std::string>{"keyctl"});
  EXPECT_EQ(syscalls_of("io_uring_queue_init"), std::set<std::string>{"io_uring_setup"});
  EXPECT_TRUE(syscalls_of("pthread_create").count("clone3"));
  EXPECT_TRUE(syscalls_of("pthread_create").count("clone"));
  EXPECT_EQ(syscalls_of("open"), std::set<std::string>{"openat"}) << "glibc's open is openat on x86_64";
  const auto syscall_rows = table.rows_for("syscall");
  ASSERT_EQ(syscall_rows.size(), 1u);
  EXPECT_EQ(syscall_rows[0]->number_argument, 0);
  EXPECT_EQ(syscall_rows[0]->argument_from[0], 1);
  const auto clone_rows = table.rows_for("clone");
  ASSERT_FALSE(clone_rows.empty());
  EXPECT_EQ(clone_rows[0]->argument_from[0], 2) << "glibc's clone(fn, stack, flags, ...): flags are arg0";
}

// Every function of a library the table names is one that library exports (no typos, no
// functions of another glibc), checked on the libraries installed here.
TEST(WrapperTable, FunctionsAreExportedByTheirLibraries) {
  std::map<std::string, std::set<std::string>> exports;
  for (const std::string library : {"libc.so.6", "libkeyutils.so.1", "liburing.so.2"}) {
    const std::string path = "/lib/x86_64-linux-gnu/" + library;
    if (!std::filesystem::exists(path)) continue;
    auto file = elf::ElfFile::open(path);
    ASSERT_TRUE(file) << path;
    for (const elf::Symbol& s : file->symbols(elf::SymbolTable::kDynsym))
      if (s.defined()) exports[library].insert(s.name);
  }
  ASSERT_TRUE(exports.count("libc.so.6"));
  int checked = 0;
  for (const WrapperRow& row : WrapperTable::builtin().rows()) {
    if (!exports.count(row.library)) continue;
    EXPECT_TRUE(exports[row.library].count(row.function))
        << row.library << " does not export " << row.function;
    ++checked;
  }
  EXPECT_GT(checked, 400);
}

TEST(WrapperTable, BadRowsSayWhereAndWhy) {
  const auto error = [](std::string_view text) {
    auto table = WrapperTable::parse(text, "t.txt");
    return table ? std::string("parsed") : table.error().message;
  };
  EXPECT_EQ(error("# comment\nlibc.so.6 unshare unshare 0=0\n"), "parsed");
  EXPECT_EQ(error("libc.so.6 unshare\n"), "t.txt:1: expected LIBRARY FUNCTION SYSCALL");
  EXPECT_EQ(error("\nlibc.so.6 f no_such_call\n"), "t.txt:2: \"no_such_call\" is not an x86_64 syscall");
  EXPECT_EQ(error("libc.so.6 f @7\n"), "t.txt:1: bad number argument \"@7\"");
  EXPECT_EQ(error("libc.so.6 f read 6=0\n"), "t.txt:1: bad argument mapping \"6=0\" (expected S=C)");
  EXPECT_EQ(error("libc.so.6 f read 0=0 0=1\n"), "t.txt:1: syscall argument 0 mapped twice");
  EXPECT_EQ(error("libc.so.6 f clone 0=#0xzz\n"), "t.txt:1: bad constant in \"0=#0xzz\"");
  auto fixed = WrapperTable::parse("libc.so.6 fork clone 0=#0x1200011\ngo syscall.Syscall @0 0=1\n", "t");
  ASSERT_TRUE(fixed);
  EXPECT_EQ(fixed->rows()[0].fixed_args[0].value_or(0), 0x1200011u);
  EXPECT_EQ(fixed->rows()[1].convention, CallingConvention::kGo);
}

}  // namespace
}  // namespace seccheck::scan
