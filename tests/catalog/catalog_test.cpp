// The catalog's invariants: no duplicates, every name known, every typed name resolves, and
// every entry equals the reference file it was derived from.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "analysis/catalog.h"
#include "analysis/profile_parser.h"
#include "analysis/syscall_names.h"
#include "tests/catalog/catalog_compare.h"
#include "tests/support/run_process.h"

namespace seccheck::analysis {
namespace {

using testing::arch_map_key;
using testing::default_key;
using testing::rule_keys;

std::string only_entry(const std::string& name) {
  auto match = resolve_catalog_name(name);
  if (!match) return "error: " + match.error().message;
  if (match->entries.size() != 1) return "several";
  return match->entries.front()->name;
}

TEST(Catalog, HasEveryReferenceVersionOnce) {
  std::set<std::string> names, files;
  for (const auto& entry : catalog_entries()) {
    EXPECT_TRUE(names.insert(entry.name).second) << entry.name;
    EXPECT_TRUE(files.insert(entry.reference_file).second) << entry.reference_file;
  }
  // 15 Docker (14 upstream + Debian 12's), 6 containerd, 6 containers-common.
  EXPECT_EQ(catalog_entries().size(), 27u);
}

TEST(Catalog, EachReleaseShipsOneProfile) {
  std::map<std::string, std::string> owner;
  for (const auto& entry : catalog_entries()) {
    for (const auto& release : entry.release_versions) {
      auto [it, fresh] = owner.emplace(entry.family + "@" + release, entry.name);
      EXPECT_TRUE(fresh) << release << " in " << entry.name << " and " << it->second;
    }
  }
}

TEST(Catalog, OneLatestPerRuntime) {
  std::map<std::string, std::string> latest;
  for (const auto& entry : catalog_entries()) {
    if (entry.latest) {
      EXPECT_TRUE(latest.emplace(entry.family, entry.name).second) << entry.name;
    }
  }
  EXPECT_EQ(latest["docker"], "docker@29.4.3");
  EXPECT_EQ(latest["containerd"], "containerd@2.3.4");
  // main is not a release: CRI-O and Podman ship tagged containers/common releases.
  EXPECT_EQ(latest["containers-common"], "containers-common@0.67.0");
}

TEST(Catalog, NoDuplicateRulesWithinAnEntryExceptUpstreamOnes) {
  for (const auto& entry : catalog_entries()) {
    auto profiles = catalog_profiles(entry.name);
    ASSERT_TRUE(profiles) << profiles.error().message;
    auto keys = rule_keys(profiles->front());
    std::set<std::string> seen;
    int duplicates = 0;
    for (const auto& key : keys)
      duplicates += seen.insert(key).second ? 0 : 1;
    // containers-common 0.50.1 … 0.63.0 repeat `socket ALLOW [arg2!=9] if no CAP_AUDIT_WRITE`
    // upstream; nothing else is duplicated.
    const bool upstream_duplicate =
        entry.family == "containers-common" && (entry.version == "0.50.1" || entry.version == "0.58.0" ||
                                                entry.version == "0.60.0" || entry.version == "0.63.0");
    EXPECT_EQ(duplicates, upstream_duplicate ? 1 : 0) << entry.name;
  }
}

TEST(Catalog, EverySyscallNameIsKnown) {
  for (const auto& entry : catalog_entries()) {
    auto profiles = catalog_profiles(entry.name);
    ASSERT_TRUE(profiles) << profiles.error().message;
    for (const auto& rule : profiles->front().rules) {
      for (const auto& name : rule.names)
        EXPECT_TRUE(is_known_profile_syscall(name)) << entry.name << ": " << name;
    }
  }
}

TEST(Catalog, EveryTypedNameResolves) {
  const auto names = catalog_names();
  EXPECT_GT(names.size(), 150u);
  for (const auto& name : names) {
    auto profiles = catalog_profiles(name);
    ASSERT_TRUE(profiles) << name << ": " << profiles.error().message;
    EXPECT_FALSE(profiles->empty()) << name;
    auto loaded = load_profiles(name);
    ASSERT_TRUE(loaded) << name;
  }
}

TEST(Catalog, NamesUsersType) {
  EXPECT_EQ(only_entry("docker"), "docker@29.4.3");
  EXPECT_EQ(only_entry("containerd"), "containerd@2.3.4");
  EXPECT_EQ(only_entry("crio"), "containers-common@0.67.0");
  EXPECT_EQ(only_entry("podman"), "containers-common@0.67.0");
  // 24.0.3 … 24.0.9 ship 23.0.7's file, 24.0.0 … 24.0.2 23.0.0's: 24.0 means the newest.
  EXPECT_EQ(only_entry("docker@24.0"), "docker@23.0.7");
  EXPECT_EQ(only_entry("docker@24.0.1"), "docker@23.0.0");
  EXPECT_EQ(only_entry("docker@20.10.24"), "docker@20.10.18");
  EXPECT_EQ(only_entry("docker@20.10.22"), "docker@20.10.22");
  EXPECT_EQ(only_entry("docker@20.10"), "docker@20.10.26");
  EXPECT_EQ(only_entry("docker@27.0"), "docker@25.0.3");
  EXPECT_EQ(only_entry("docker@24"), "docker@23.0.7");
  EXPECT_EQ(only_entry("docker@28"), "docker@28.2.0");
  EXPECT_EQ(only_entry("containerd@2"), "containerd@2.3.4");
  EXPECT_EQ(only_entry("docker@29.7.2"), "docker@29.4.3");
  EXPECT_EQ(only_entry("docker@20.10.24-debian-bookworm"), "docker@20.10.24-debian-bookworm");
  EXPECT_EQ(only_entry("containerd@1.7"), "containerd@1.7.34");
  EXPECT_EQ(only_entry("containerd@1.6"), "containerd@1.6.39");
  EXPECT_EQ(only_entry("containerd@1.6.18"), "containerd@1.6.20");
  EXPECT_EQ(only_entry("containerd@2.2"), "containerd@2.3.4");
  EXPECT_EQ(only_entry("containers-common@0.58"), "containers-common@0.58.0");
  EXPECT_EQ(only_entry("containers-common@0.66.1"), "containers-common@0.63.0");
  EXPECT_EQ(only_entry("containers-common@main"), "containers-common@main-8840603a87");

  auto all = resolve_catalog_name("runtime-default");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->entries.size(), 3u);
  EXPECT_EQ(all->entries[0]->name, "docker@29.4.3");
  EXPECT_EQ(all->entries[1]->name, "containerd@2.3.4");
  EXPECT_EQ(all->entries[2]->name, "containers-common@0.67.0");

  auto explained = resolve_catalog_name("docker@24.0");
  ASSERT_TRUE(explained);
  EXPECT_EQ(
      explained->explanation,
      "docker@24.0 = docker@23.0.7 (the profile of v24.0.9, the newest 24.0 release the catalog knows)");
}

TEST(Catalog, UnknownNamesListCloseOnes) {
  auto missing = load_profiles("dockr");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("unknown profile 'dockr'"), std::string::npos)
      << missing.error().message;
  EXPECT_NE(missing.error().message.find("docker"), std::string::npos) << missing.error().message;
  EXPECT_EQ(missing.error().message.find('\n'), std::string::npos);

  // containerd 1.7.0 … 1.7.31 are not in the catalog: say so, offer the 1.7 entries.
  auto uncovered = load_profiles("containerd@1.7.20");
  ASSERT_FALSE(uncovered);
  EXPECT_NE(uncovered.error().message.find("containerd@1.7"), std::string::npos) << uncovered.error().message;

  auto no_file = load_profiles("/nonexistent/profile.json");
  ASSERT_FALSE(no_file);
  EXPECT_NE(no_file.error().message.find("/nonexistent/profile.json"), std::string::npos)
      << no_file.error().message;
}

TEST(Catalog, LoadsFilesByPath) {
  const std::string shared = testing::shared_dir();
  if (shared.empty()) GTEST_SKIP() << "../shared is absent: no moby test profile to load";
  auto loaded = load_profiles(shared + "/reference-profiles/moby-tests/moby-test-deny-chmod.json");
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ(catalog_entry_for(loaded->front().name), nullptr);
}

TEST(Catalog, EachEntryEqualsItsReferenceFile) {
  const std::string shared = testing::shared_dir();
  if (shared.empty())
    GTEST_SKIP() << "../shared/reference-profiles is absent: cannot compare the catalog with it";
  for (const auto& entry : catalog_entries()) {
    SCOPED_TRACE(entry.name);
    auto reference = load_profile_file(shared + "/reference-profiles/" + entry.reference_file);
    ASSERT_TRUE(reference) << reference.error().message;
    auto built = catalog_profiles(entry.name);
    ASSERT_TRUE(built) << built.error().message;
    const Profile& ours = built->front();
    EXPECT_EQ(default_key(ours), default_key(*reference));
    EXPECT_EQ(arch_map_key(ours), arch_map_key(*reference));
    EXPECT_EQ(rule_keys(ours), rule_keys(*reference));
    EXPECT_EQ(ours.rules.size(), reference->rules.size());
  }
}

TEST(Catalog, RoundTripsThroughProfileJson) {
  // `profiles show --json` prints profile_to_json; parsing that gives the same profile.
  for (const auto& entry : catalog_entries()) {
    auto built = catalog_profiles(entry.name);
    ASSERT_TRUE(built);
    auto again = parse_profile(profile_to_json(built->front()), entry.name);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(rule_keys(*again), rule_keys(built->front())) << entry.name;
    EXPECT_EQ(default_key(*again), default_key(built->front())) << entry.name;
  }
}

}  // namespace
}  // namespace seccheck::analysis
