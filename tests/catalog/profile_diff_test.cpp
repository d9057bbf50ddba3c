// profiles diff's comparison comes from the evaluator's own rule selection, so it cannot
// disagree with evaluate(): rules runc skips are no difference, and the native ABI is always
// in the filter.
#include <gtest/gtest.h>

#include "analysis/evaluate.h"
#include "analysis/profile_diff.h"
#include "core/syscall_table.h"
#include "tests/analysis/test_profiles.h"

namespace seccheck::analysis {
namespace {

int nr_of(const char* name) {
  return *syscall_number(Arch::kX86_64, name);
}

TEST(ProfileDiff, ARuleEqualToTheDefaultActionIsNoDifference) {
  // runc skips a rule whose action is the default action (libseccomp refuses it), so these two
  // profiles answer every call alike.
  const ResolvedProfile with = test::resolve_plain(test::parse_or_die(
      R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
          {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_NE"}]},
          {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_EQ"}]}]})",
      "with.json"));
  const ResolvedProfile without = test::resolve_plain(test::parse_or_die(
      R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
          {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_NE"}]}]})",
      "without.json"));
  EXPECT_TRUE(treatment_differences(with, without, Arch::kX86_64).empty());
  EXPECT_EQ(treatment(with, Arch::kX86_64, nr_of("keyctl")).action,
            evaluate(with, Arch::kX86_64, nr_of("keyctl"), {}).action);
}

TEST(ProfileDiff, TheNativeAbiIsAlwaysInTheFilter) {
  const ResolvedProfile x32_only = test::resolve_plain(test::parse_or_die(
      R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X32"], "syscalls": []})",
      "x32.json"));
  const Treatment native = treatment(x32_only, Arch::kX86_64, nr_of("getpid"));
  EXPECT_EQ(native.kind, Treatment::Kind::kAction);
  EXPECT_EQ(native.action.kind, ActionKind::kAllow);
  EXPECT_EQ(treatment(x32_only, Arch::kI386, 20).kind, Treatment::Kind::kBadArch);
}

TEST(ProfileDiff, ConditionalRulesCompareAsASet) {
  const char* a = R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
      {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
      {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]}]})";
  const char* b = R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
      {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]},
      {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]})";
  const ResolvedProfile left = test::resolve_plain(test::parse_or_die(a, "a.json"));
  const ResolvedProfile right = test::resolve_plain(test::parse_or_die(b, "b.json"));
  EXPECT_TRUE(treatment_differences(left, right, Arch::kX86_64).empty());
  const Treatment socket = treatment(left, Arch::kX86_64, nr_of("socket"));
  EXPECT_EQ(socket.kind, Treatment::Kind::kConditional);
  EXPECT_EQ(socket.rules.size(), 2u);
  EXPECT_TRUE(raw_difference(test::parse_or_die(a, "a.json"), test::parse_or_die(b, "b.json")).empty());
}

TEST(ProfileDiff, RawDifferenceGroupsAddedAndRemovedRules) {
  const Profile left = test::parse_or_die(
      R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}]})",
      "l.json");
  const Profile right = test::parse_or_die(
      R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "syscalls": [
          {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
          {"names": ["clone3"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}}]})",
      "r.json");
  const RawDifference difference = raw_difference(left, right);
  EXPECT_TRUE(difference.default_changed);
  EXPECT_FALSE(difference.architectures_changed);
  ASSERT_EQ(difference.added.size(), 1u);
  EXPECT_EQ(difference.added[0].names, (std::vector<std::string>{"clone3"}));
  EXPECT_EQ(difference.added[0].condition, "if CAP_SYS_ADMIN");
  ASSERT_EQ(difference.removed.size(), 1u);
  EXPECT_EQ(difference.removed[0].names, (std::vector<std::string>{"write"}));
}

}  // namespace
}  // namespace seccheck::analysis
