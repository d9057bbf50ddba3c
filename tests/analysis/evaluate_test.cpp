// Table-driven evaluator tests: {profile, arch, syscall, args} -> {action, errno, rule}.
// kernel_differential_test.cpp runs the same rows against the kernel.
#include <gtest/gtest.h>

#include <optional>

#include "analysis/evaluate.h"
#include "analysis/explain.h"
#include "core/syscall_table.h"
#include "tests/analysis/evaluate_cases.h"
#include "tests/analysis/test_profiles.h"

namespace seccheck::analysis {
namespace {

class EvaluateTable : public ::testing::TestWithParam<test::EvalCase> {};

TEST_P(EvaluateTable, GivesTheKernelsVerdict) {
  const test::EvalCase& c = GetParam();
  ResolvedProfile profile = test::resolve_plain(test::parse_or_die(c.profile, "ops.json"));
  auto nr = syscall_number(c.arch, c.syscall);
  ASSERT_TRUE(nr) << c.syscall;
  Verdict verdict = evaluate(profile, c.arch, *nr, c.args);
  const std::string reason = explain(verdict, profile, nullptr, c.arch, *nr, c.args);
  EXPECT_EQ(verdict.action.kind, c.kind) << reason;
  if (c.kind == ActionKind::kErrno || c.kind == ActionKind::kTrace) {
    EXPECT_EQ(verdict.action.value, c.value) << reason;
  }
  EXPECT_EQ(verdict.rule_index, c.rule) << reason;
  EXPECT_EQ(verdict.bad_arch(), c.bad_arch) << reason;
  EXPECT_FALSE(reason.empty());
}

INSTANTIATE_TEST_SUITE_P(Ops, EvaluateTable, ::testing::ValuesIn(test::eval_cases()),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(Evaluate, NumberWithoutNameGetsTheDefaultAction) {
  ResolvedProfile profile = test::resolve_plain(test::parse_or_die(test::kOpsProfile, "ops.json"));
  Verdict verdict = evaluate(profile, Arch::kX86_64, 1000, {});
  EXPECT_EQ(verdict.action, (Action{ActionKind::kErrno, 1u}));
  EXPECT_EQ(verdict.rule_index, -1);
  EXPECT_EQ(verdict.decided_by, DecidedBy::kNoSuchCall);
  EXPECT_EQ(explain(verdict, profile, nullptr, Arch::kX86_64, 1000, {}),
            "syscall_0x3e8 is no syscall on x86_64: default action ERRNO(EPERM) (ops.json)");
}

// The English for a verdict, from the one place that writes it.
std::string reason_for(const ResolvedProfile& profile, const char* syscall, std::array<std::uint64_t, 6> args,
                       const Profile* original = nullptr) {
  const int nr = *syscall_number(Arch::kX86_64, syscall);
  return explain(evaluate(profile, Arch::kX86_64, nr, args), profile, original, Arch::kX86_64, nr, args);
}

TEST(Evaluate, ReasonsNameTheRuleAndConditions) {
  ResolvedProfile profile = test::resolve_plain(test::parse_or_die(test::kOpsProfile, "ops.json"));
  EXPECT_EQ(reason_for(profile, "clone", {0x10000000}),
            "clone with CLONE_NEWUSER matches none of its rules (allowed only when arg0 & 0x7e020000 == 0): "
            "default action ERRNO(EPERM) (ops.json)");
  EXPECT_EQ(reason_for(profile, "socket", {2}),
            "socket(arg0=2) is allowed by syscalls[1] [arg0 != 40] (ops.json)");
  EXPECT_EQ(
      reason_for(profile, "setns", {}),
      "setns is allowed by syscalls[9]; libseccomp keeps the unconditional syscalls[9] over syscalls[10] "
      "(ERRNO(EACCES)) (ops.json)");
}

TEST(Evaluate, ReasonNamesTheCapabilityADroppedRuleNeeds) {
  Profile original = test::parse_or_die(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
      {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
      {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_SYS_ADMIN"]},
       "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]}]})",
                                        "docker@24.0");
  ResolvedProfile resolved = test::resolve_plain(original);
  resolved.rules.erase(resolved.rules.begin());  // as resolve() does without CAP_SYS_ADMIN
  resolved.rules[0].condition = "if no CAP_SYS_ADMIN";
  Verdict v = evaluate(resolved, Arch::kX86_64, *syscall_number(Arch::kX86_64, "clone"), {0x10000011});
  EXPECT_TRUE(v.blocked());
  EXPECT_EQ(
      reason_for(resolved, "clone", {0x10000011}, &original),
      "clone with CLONE_NEWUSER needs CAP_SYS_ADMIN; clone with CLONE_NEWUSER matches none of its rules "
      "(allowed only when arg0 & 0x7e020000 == 0 if no CAP_SYS_ADMIN): default action ERRNO(EPERM) "
      "(docker@24.0)");
}

TEST(Evaluate, EffectiveRulesSkipDefaultActionAndSplitRepeatedArguments) {
  ResolvedProfile profile = test::resolve_plain(test::parse_or_die(test::kOpsProfile, "ops.json"));
  auto getgid = effective_rules(profile, "getgid");
  ASSERT_EQ(getgid.size(), 1u);
  EXPECT_EQ(getgid[0].rule_index, 16);
  auto tkill = effective_rules(profile, "tkill");
  ASSERT_EQ(tkill.size(), 2u);
  EXPECT_EQ(tkill[0].args.size(), 1u);
  EXPECT_EQ(tkill[1].args.size(), 1u);
}

TEST(Evaluate, ActionAndConditionText) {
  EXPECT_EQ(action_text(Action{ActionKind::kErrno, 38u}), "ERRNO(ENOSYS)");
  EXPECT_EQ(action_text(Action{ActionKind::kTrace, 7u}), "TRACE(7)");
  EXPECT_EQ(action_text(Action{ActionKind::kKillThread, std::nullopt}), "KILL_THREAD");
  EXPECT_EQ(arg_condition_text(ArgCondition{1, CompareOp::kLe, 0xffffffff, 0}), "arg1 <= 0xffffffff");
  EXPECT_EQ(arg_condition_text(ArgCondition{0, CompareOp::kMaskedEq, 0x7e020000, 0}),
            "arg0 & 0x7e020000 == 0");
}

}  // namespace
}  // namespace seccheck::analysis
