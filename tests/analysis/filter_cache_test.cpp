// The filter cache returns libseccomp's program only for exactly the input it was built from,
// and a damaged, foreign or unwritable cache changes nothing but the time taken.
#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "analysis/catalog.h"
#include "analysis/compile.h"
#include "analysis/filter_cache.h"
#include "analysis/resolve.h"

namespace seccheck::analysis {
namespace {

namespace fs = std::filesystem;

fs::path fresh_directory(const std::string& name) {
  fs::path dir = fs::path(::testing::TempDir()) / ("filter_cache_" + name);
  fs::remove_all(dir);
  return dir;
}

std::vector<fs::path> entries(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir))
    out.push_back(entry.path());
  return out;
}

ResolvedProfile docker_profile() {
  auto profiles = catalog_profiles("docker");
  EXPECT_TRUE(profiles.ok());
  return resolve(profiles->front(), Context{});
}

bool same_program(const BpfProgram& a, const BpfProgram& b) {
  return a.instructions.size() == b.instructions.size() &&
         std::memcmp(a.instructions.data(), b.instructions.data(),
                     a.instructions.size() * sizeof(sock_filter)) == 0;
}

TEST(FilterCache, SecondCompileComesFromTheCacheAndEqualsAFreshBuild) {
  const FilterCache cache(fresh_directory("reuse"));
  const ResolvedProfile docker = docker_profile();
  auto uncached = compile(docker, CompileMode::kBlockingToTrace, 3);
  auto first = compile(docker, CompileMode::kBlockingToTrace, 3, &cache);
  auto second = compile(docker, CompileMode::kBlockingToTrace, 3, &cache);
  ASSERT_TRUE(uncached.ok() && first.ok() && second.ok());
  EXPECT_FALSE(first->from_cache);
  EXPECT_TRUE(second->from_cache);
  EXPECT_TRUE(same_program(*uncached, *first));
  EXPECT_TRUE(same_program(*uncached, *second));
  EXPECT_EQ(entries(cache.directory()).size(), 1u);
}

TEST(FilterCache, ADifferentTagModeOrContextIsADifferentEntry) {
  const FilterCache cache(fresh_directory("keys"));
  const ResolvedProfile docker = docker_profile();
  Context with_admin;
  with_admin.capabilities.insert("CAP_SYS_ADMIN");
  auto profiles = catalog_profiles("docker");
  ASSERT_TRUE(profiles.ok());
  const ResolvedProfile docker_admin = resolve(profiles->front(), with_admin);

  ASSERT_TRUE(compile(docker, CompileMode::kBlockingToTrace, 0, &cache).ok());
  auto other_tag = compile(docker, CompileMode::kBlockingToTrace, 1, &cache);
  auto as_is = compile(docker, CompileMode::kAsIs, 0, &cache);
  auto admin = compile(docker_admin, CompileMode::kBlockingToTrace, 0, &cache);
  ASSERT_TRUE(other_tag.ok() && as_is.ok() && admin.ok());
  EXPECT_FALSE(other_tag->from_cache);
  EXPECT_FALSE(as_is->from_cache);
  EXPECT_FALSE(admin->from_cache);
  EXPECT_EQ(entries(cache.directory()).size(), 4u);
  EXPECT_TRUE(same_program(*admin, *compile(docker_admin, CompileMode::kBlockingToTrace, 0)));
}

TEST(FilterCache, ADamagedEntryIsRebuiltAndRewritten) {
  const FilterCache cache(fresh_directory("damaged"));
  const ResolvedProfile docker = docker_profile();
  auto reference = compile(docker, CompileMode::kAsIs);
  ASSERT_TRUE(reference.ok());
  ASSERT_TRUE(compile(docker, CompileMode::kAsIs, 0, &cache).ok());
  auto files = entries(cache.directory());
  ASSERT_EQ(files.size(), 1u);
  for (const std::string damage : {"flip", "truncate", "empty"}) {
    SCOPED_TRACE(damage);
    std::string bytes;
    {
      std::ifstream in(files[0], std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (damage == "flip") bytes[bytes.size() - 100] ^= 0x01;  // inside the program
    if (damage == "truncate") bytes.resize(bytes.size() / 2);
    if (damage == "empty") bytes.clear();
    std::ofstream(files[0], std::ios::binary | std::ios::trunc) << bytes;
    auto rebuilt = compile(docker, CompileMode::kAsIs, 0, &cache);
    ASSERT_TRUE(rebuilt.ok());
    EXPECT_FALSE(rebuilt->from_cache);
    EXPECT_TRUE(same_program(*reference, *rebuilt));
    auto again = compile(docker, CompileMode::kAsIs, 0, &cache);
    EXPECT_TRUE(again->from_cache);
  }
}

TEST(FilterCache, AnEntryForAnotherInputIsNotUsed) {
  // Two inputs whose files are swapped stand in for a hash collision: the stored input is
  // compared in full, so neither program is returned for the other's input.
  const FilterCache cache(fresh_directory("foreign"));
  const std::vector<sock_filter> a = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  const std::vector<sock_filter> b = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)};
  cache.store("input a", a);
  const fs::path a_file = entries(cache.directory()).at(0);
  cache.store("input b", b);
  fs::path b_file;
  for (const fs::path& file : entries(cache.directory()))
    if (file != a_file) b_file = file;
  ASSERT_FALSE(b_file.empty());
  ASSERT_TRUE(cache.find("input a").has_value());
  fs::copy_file(b_file, a_file, fs::copy_options::overwrite_existing);
  EXPECT_FALSE(cache.find("input a").has_value());
  auto found_b = cache.find("input b");
  ASSERT_TRUE(found_b.has_value());
  EXPECT_EQ(found_b->at(0).k, SECCOMP_RET_KILL_PROCESS);
}

TEST(FilterCache, AnUnwritableDirectoryOnlyCostsTime) {
  const FilterCache cache("/proc/self/no-such-cache");
  const ResolvedProfile docker = docker_profile();
  auto first = compile(docker, CompileMode::kBlockingToTrace, 0, &cache);
  auto second = compile(docker, CompileMode::kBlockingToTrace, 0, &cache);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_FALSE(second->from_cache);
  EXPECT_TRUE(same_program(*first, *second));
}

TEST(FilterCache, UserDirectoryFollowsXdgThenHome) {
  const std::string saved_xdg = getenv("XDG_CACHE_HOME") ? getenv("XDG_CACHE_HOME") : "";
  const std::string saved_home = getenv("HOME") ? getenv("HOME") : "";
  setenv("XDG_CACHE_HOME", "/x/cache", 1);
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(FilterCache::for_user()->directory(), fs::path("/x/cache/seccheck/filters"));
  setenv("XDG_CACHE_HOME", "relative", 1);  // XDG: relative paths are invalid and ignored
  EXPECT_EQ(FilterCache::for_user()->directory(), fs::path("/home/u/.cache/seccheck/filters"));
  unsetenv("XDG_CACHE_HOME");
  unsetenv("HOME");
  EXPECT_FALSE(FilterCache::for_user().has_value());
  if (!saved_xdg.empty()) setenv("XDG_CACHE_HOME", saved_xdg.c_str(), 1);
  if (!saved_home.empty()) setenv("HOME", saved_home.c_str(), 1);
}

}  // namespace
}  // namespace seccheck::analysis
