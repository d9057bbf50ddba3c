// Libraries found as the loader finds them, inside a root: symlinks stay in the root, $ORIGIN,
// RUNPATH over the cache, the root's own ld.so.cache.
#include <gtest/gtest.h>

#include <filesystem>

#include "scan/library_resolver.h"
#include "scan/scanner.h"
#include "tests/elf/elf_fixtures.h"
#include "tests/support/run_process.h"

namespace seccheck::scan {
namespace {

namespace fs = std::filesystem;
using seccheck::testing::file_bytes;
using seccheck::testing::ScratchDir;
using seccheck::testing::testprog;
using seccheck::testing::write_bytes;

// A root filesystem laid out as Debian's: /lib a symlink to usr/lib, the loader reached through
// an absolute symlink (which must resolve inside the root), the program in /usr/bin.
struct FakeRoot {
  ScratchDir dir{"rootfs"};
  FakeRoot() {
    const std::string multiarch = dir.path() + "/usr/lib/x86_64-linux-gnu";
    fs::create_directories(multiarch);
    fs::create_directories(dir.path() + "/usr/bin");
    fs::create_directories(dir.path() + "/lib64");
    fs::create_symlink("usr/lib", dir.path() + "/lib");
    fs::copy_file(fs::canonical("/lib/x86_64-linux-gnu/libc.so.6"), multiarch + "/libc.so.6");
    fs::copy_file(fs::canonical("/lib64/ld-linux-x86-64.so.2"), multiarch + "/ld-linux-x86-64.so.2");
    fs::create_symlink("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                       dir.path() + "/lib64/ld-linux-x86-64.so.2");
    fs::copy_file(testprog("scan_unshare_unused"), dir.path() + "/usr/bin/prog");
  }
};

TEST(LibraryResolver, FindsLibrariesInsideTheRoot) {
  FakeRoot root;
  auto result = scan_file("/usr/bin/prog", ScanOptions{root.dir.path()});
  ASSERT_TRUE(result) << result.error().message;
  std::vector<std::string> modules;
  for (const ScannedModule& m : result->modules)
    modules.push_back(m.path + " " + m.found_as);
  EXPECT_EQ(modules,
            (std::vector<std::string>{"/usr/bin/prog executable", "/lib64/ld-linux-x86-64.so.2 interpreter",
                                      "/lib/x86_64-linux-gnu/libc.so.6 DT_NEEDED of /usr/bin/prog"}));
  LibraryResolver resolver(root.dir.path());
  EXPECT_EQ(resolver.host_path("/lib64/ld-linux-x86-64.so.2").value_or(""),
            root.dir.path() + "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")
      << "the absolute symlink points into the root, not to the host's loader";
  EXPECT_EQ(resolver.host_path("/usr/../../../../etc/passwd").value_or(""), "") << ".. stops at the root";
}

TEST(LibraryResolver, ALibraryMissingFromTheRootIsANote) {
  FakeRoot root;
  fs::remove(root.dir.path() + "/usr/lib/x86_64-linux-gnu/libc.so.6");
  auto result = scan_file("/usr/bin/prog", ScanOptions{root.dir.path()});
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->notes.size(), 1u);
  EXPECT_EQ(result->notes[0], "libc.so.6 (DT_NEEDED of /usr/bin/prog): not found");
}

TEST(LibraryResolver, OriginRunpathAndRpath) {
  FakeRoot root;
  fs::create_directories(root.dir.path() + "/opt/app/lib");
  fs::create_directories(root.dir.path() + "/opt/other");
  const std::string library = file_bytes(fs::canonical("/lib/x86_64-linux-gnu/libc.so.6"));
  write_bytes(root.dir.path() + "/opt/app/lib/libx.so.1", library);
  write_bytes(root.dir.path() + "/opt/other/libx.so.1", library);
  write_bytes(root.dir.path() + "/opt/app/lib/libtext.so.1", "not elf");
  LibraryResolver resolver(root.dir.path());
  Requester app;
  app.path = "/opt/app/bin/app";
  app.runpath = {"$ORIGIN/../lib"};
  app.has_runpath = true;
  app.rpath = {"/opt/other"};
  EXPECT_EQ(resolver.find("libx.so.1", app).value_or(""), "/opt/app/lib/libx.so.1");
  app.has_runpath = false;  // without DT_RUNPATH, DT_RPATH is searched first
  app.runpath.clear();
  EXPECT_EQ(resolver.find("libx.so.1", app).value_or(""), "/opt/other/libx.so.1");
  app.rpath = {"${ORIGIN}/../lib"};
  EXPECT_EQ(resolver.find("libtext.so.1", app).value_or("none"), "none") << "not ELF: passed over";
  EXPECT_EQ(resolver.find("libc.so.6", app).value_or(""), "/lib/x86_64-linux-gnu/libc.so.6")
      << "default folders";
  app.no_default_lib = true;
  EXPECT_EQ(resolver.find("libc.so.6", app).value_or("none"), "none") << "DF_1_NODEFLIB";
}

TEST(LdSoCache, ReadsThisHostsCache) {
  if (!fs::exists("/etc/ld.so.cache")) GTEST_SKIP() << "no /etc/ld.so.cache here";
  auto cache = parse_ld_so_cache(file_bytes("/etc/ld.so.cache"));
  ASSERT_TRUE(cache) << cache.error().message;
  ASSERT_TRUE(cache->count("libc.so.6"));
  EXPECT_EQ(fs::canonical(cache->at("libc.so.6")), fs::canonical("/lib/x86_64-linux-gnu/libc.so.6"));
  // ldconfig -p lists the same x86-64 libraries.
  const std::string listed = seccheck::testing::run_process({"/sbin/ldconfig", "-p"}).out;
  for (const auto& [soname, path] : *cache)
    EXPECT_NE(listed.find(soname + " (libc6,x86-64"), std::string::npos) << soname;
}

TEST(LdSoCache, DamagedCachesAreErrors) {
  EXPECT_EQ(parse_ld_so_cache("").error().message, "ld.so.cache: not a glibc-ld.so.cache1.1 file");
  EXPECT_EQ(parse_ld_so_cache("glibc-ld.so.cache1.1").error().message, "ld.so.cache: truncated header");
  std::string header = "glibc-ld.so.cache1.1" + std::string(28, '\0');
  header[20] = 10;  // ten entries, none present
  EXPECT_EQ(parse_ld_so_cache(header).error().message, "ld.so.cache: truncated entry table");
  std::string entry(24, '\0');
  header[20] = 1;
  entry[0] = 0x03;
  entry[1] = 0x03;  // libc6, x86-64
  entry[4] = 0x7f;  // key offset past the end
  EXPECT_EQ(parse_ld_so_cache(header + entry).error().message,
            "ld.so.cache: entry 0 points outside the file");
  if (fs::exists("/etc/ld.so.cache")) {
    const std::string real = file_bytes("/etc/ld.so.cache");
    for (std::size_t cut : {real.size() / 3, real.size() / 2, real.size() - 1})
      (void)parse_ld_so_cache(real.substr(0, cut));
  }
}

}  // namespace
}  // namespace seccheck::scan
