// The action and comparison names: one row per value, every spelling round-trips, and the
// libseccomp constants are libseccomp's.
#include <gtest/gtest.h>
#include <seccomp.h>

#include <set>

#include "analysis/profile_names.h"

namespace seccheck::analysis {
namespace {

constexpr ActionKind kKinds[] = {ActionKind::kKillProcess, ActionKind::kKillThread, ActionKind::kTrap,
                                 ActionKind::kErrno,       ActionKind::kNotify,     ActionKind::kTrace,
                                 ActionKind::kLog,         ActionKind::kAllow};
constexpr CompareOp kOps[] = {CompareOp::kNe, CompareOp::kLt, CompareOp::kLe,      CompareOp::kEq,
                              CompareOp::kGe, CompareOp::kGt, CompareOp::kMaskedEq};

TEST(ProfileNames, EveryActionHasOneNameOfEachKind) {
  std::set<std::string_view> scmp, names;
  for (const ActionName& entry : action_names()) {
    EXPECT_TRUE(scmp.insert(entry.scmp).second) << entry.scmp;
    EXPECT_EQ(entry.scmp, "SCMP_ACT_" + std::string(entry.name)) << entry.scmp;
    EXPECT_EQ(parse_scmp_action(entry.scmp), entry.kind) << entry.scmp;
    if (!entry.alias) {
      EXPECT_TRUE(names.insert(entry.name).second) << entry.name;
    }
  }
  for (ActionKind kind : kKinds) {
    EXPECT_EQ(parse_scmp_action(scmp_action_name(kind)), kind);
    EXPECT_EQ(parse_action_kind(action_kind_name(kind)), kind);
  }
  EXPECT_EQ(names.size(), std::size(kKinds));
  // The old name is read, never written.
  EXPECT_EQ(parse_scmp_action("SCMP_ACT_KILL"), ActionKind::kKillThread);
  EXPECT_EQ(scmp_action_name(ActionKind::kKillThread), "SCMP_ACT_KILL_THREAD");
  EXPECT_EQ(parse_action_kind("KILL"), std::nullopt);
  EXPECT_EQ(parse_scmp_action("SCMP_ACT_DENY"), std::nullopt);
}

TEST(ProfileNames, EveryComparisonHasItsNamesAndLibseccompConstant) {
  std::set<std::string_view> scmp;
  for (CompareOp op : kOps) {
    const OpName& entry = op_name(op);
    EXPECT_EQ(entry.op, op);
    EXPECT_TRUE(scmp.insert(entry.scmp).second) << entry.scmp;
    EXPECT_EQ(parse_scmp_op(entry.scmp), op);
    EXPECT_FALSE(entry.symbol.empty());
  }
  EXPECT_EQ(op_names().size(), std::size(kOps));
  EXPECT_EQ(op_name(CompareOp::kNe).libseccomp, SCMP_CMP_NE);
  EXPECT_EQ(op_name(CompareOp::kMaskedEq).libseccomp, SCMP_CMP_MASKED_EQ);
  EXPECT_EQ(op_name(CompareOp::kGe).symbol, ">=");
  EXPECT_EQ(parse_scmp_op("SCMP_CMP_MASKED"), std::nullopt);
}

}  // namespace
}  // namespace seccheck::analysis
