#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "analysis/profile_parser.h"
#include "tests/support/run_process.h"

namespace seccheck::analysis {
namespace {

Profile parse_ok(const std::string& text) {
  Result<Profile> profile = parse_profile(text, "p.json");
  EXPECT_TRUE(profile.ok()) << (profile.ok() ? "" : profile.error().message);
  if (!profile.ok()) return Profile{};
  return std::move(profile).value();
}

std::string parse_error(const std::string& text) {
  Result<Profile> profile = parse_profile(text, "p.json");
  EXPECT_FALSE(profile.ok()) << "parsed although it should not: " << text;
  return profile.ok() ? "" : profile.error().message;
}

TEST(ProfileParser, ReadsEveryField) {
  Profile p = parse_ok(R"({
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
    "flags": ["SECCOMP_FILTER_FLAG_LOG"], "listenerPath": "/run/agent.sock", "listenerMetadata": "meta",
    "syscalls": [
      {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW", "comment": "io"},
      {"name": "clone", "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
       "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
       "includes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["amd64"], "minKernel": "4.8"},
       "excludes": {"caps": ["CAP_BPF"], "arches": ["s390x"]}},
      {"names": ["kill"], "action": "SCMP_ACT_KILL"}, {"names": ["kill"], "action": "SCMP_ACT_KILL_PROCESS"},
      {"names": ["kill"], "action": "SCMP_ACT_KILL_THREAD"}, {"names": ["kill"], "action": "SCMP_ACT_TRAP"},
      {"names": ["kill"], "action": "SCMP_ACT_TRACE", "errnoRet": 7}, {"names": ["kill"], "action": "SCMP_ACT_LOG"},
      {"names": ["kill"], "action": "SCMP_ACT_NOTIFY"}
    ]})");
  EXPECT_EQ(p.default_action.kind, ActionKind::kErrno);
  EXPECT_EQ(p.default_errno_ret, 38u);
  EXPECT_EQ(p.architectures, (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}));
  EXPECT_EQ(p.flags, std::vector<std::string>{"SECCOMP_FILTER_FLAG_LOG"});
  EXPECT_EQ(p.listener_path, "/run/agent.sock");
  EXPECT_EQ(p.listener_metadata, "meta");
  ASSERT_EQ(p.rules.size(), 9u);
  EXPECT_EQ(p.rules[0].names, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(p.rules[0].comment, "io");
  EXPECT_EQ(p.rules[1].names, std::vector<std::string>{"clone"});
  EXPECT_EQ(p.rules[1].action, (Action{ActionKind::kErrno, 1u}));
  ASSERT_EQ(p.rules[1].args.size(), 1u);
  EXPECT_EQ(p.rules[1].args[0], (ArgCondition{0, CompareOp::kMaskedEq, 2114060288u, 0}));
  EXPECT_EQ(p.rules[1].includes.caps, std::vector<std::string>{"CAP_SYS_ADMIN"});
  EXPECT_EQ(p.rules[1].includes.min_kernel, "4.8");
  EXPECT_EQ(p.rules[1].excludes.arches, std::vector<std::string>{"s390x"});
  EXPECT_EQ(p.rules[1].source_index, 1);
  EXPECT_EQ(p.rules[2].action.kind, ActionKind::kKillThread);
  EXPECT_EQ(p.rules[3].action.kind, ActionKind::kKillProcess);
  EXPECT_EQ(p.rules[4].action.kind, ActionKind::kKillThread);
  EXPECT_EQ(p.rules[5].action.kind, ActionKind::kTrap);
  EXPECT_EQ(p.rules[6].action, (Action{ActionKind::kTrace, 7u}));
  EXPECT_EQ(p.rules[7].action.kind, ActionKind::kLog);
  EXPECT_EQ(p.rules[8].action.kind, ActionKind::kNotify);
  EXPECT_TRUE(p.warnings.empty());
}

TEST(ProfileParser, EveryComparisonOp) {
  Profile p = parse_ok(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["socket"],
    "action": "SCMP_ACT_ERRNO", "args": [
      {"index": 0, "value": 1, "op": "SCMP_CMP_NE"}, {"index": 1, "value": 2, "op": "SCMP_CMP_LT"},
      {"index": 2, "value": 3, "op": "SCMP_CMP_LE"}, {"index": 3, "value": 4, "op": "SCMP_CMP_EQ"},
      {"index": 4, "value": 5, "op": "SCMP_CMP_GE"}, {"index": 5, "value": 18446744073709551615, "op": "SCMP_CMP_GT"}]}]})");
  ASSERT_EQ(p.rules.size(), 1u);
  const auto& args = p.rules[0].args;
  ASSERT_EQ(args.size(), 6u);
  EXPECT_EQ(args[0].op, CompareOp::kNe);
  EXPECT_EQ(args[1].op, CompareOp::kLt);
  EXPECT_EQ(args[2].op, CompareOp::kLe);
  EXPECT_EQ(args[3].op, CompareOp::kEq);
  EXPECT_EQ(args[4].op, CompareOp::kGe);
  EXPECT_EQ(args[5].op, CompareOp::kGt);
  EXPECT_EQ(args[5].value, ~0ull);
}

TEST(ProfileParser, ArchMapAndNullsAndEmptyObjects) {
  Profile p = parse_ok(R"({"defaultAction": "SCMP_ACT_ERRNO",
    "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": null}],
    "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": null, "includes": {}, "excludes": {},
                  "comment": ""}, {"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": []}]})");
  ASSERT_EQ(p.arch_map.size(), 2u);
  EXPECT_EQ(p.arch_map[0].architecture, "SCMP_ARCH_X86_64");
  EXPECT_EQ(p.arch_map[0].sub_architectures, (std::vector<std::string>{"SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
  EXPECT_TRUE(p.arch_map[1].sub_architectures.empty());
  ASSERT_EQ(p.rules.size(), 2u);
  EXPECT_TRUE(p.rules[0].args.empty());
  EXPECT_EQ(p.rules[0].includes, RuleFilter{});
}

TEST(ProfileParser, ContainersCommonErrnoNamesOverrideNumbers) {
  Profile p = parse_ok(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "defaultErrno": "ENOSYS",
    "syscalls": [{"names": ["bpf"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38, "errno": "EPERM"}]})");
  EXPECT_EQ(p.default_errno_ret, 38u);
  EXPECT_EQ(p.default_errno_name, "ENOSYS");
  ASSERT_EQ(p.rules.size(), 1u);
  EXPECT_EQ(p.rules[0].action, (Action{ActionKind::kErrno, 1u}));
  EXPECT_EQ(p.rules[0].errno_name, "EPERM");
}

TEST(ProfileParser, SecurityProfilesOperatorSpec) {
  Profile p =
      parse_ok(R"({"apiVersion": "security-profiles-operator.x-k8s.io/v1beta1", "kind": "SeccompProfile",
    "metadata": {"name": "demo"},
    "spec": {"defaultAction": "SCMP_ACT_LOG", "architectures": ["SCMP_ARCH_X86_64"],
             "syscalls": [{"action": "SCMP_ACT_ALLOW", "names": ["read"]}]}})");
  EXPECT_EQ(p.default_action.kind, ActionKind::kLog);
  EXPECT_EQ(p.architectures, std::vector<std::string>{"SCMP_ARCH_X86_64"});
  ASSERT_EQ(p.rules.size(), 1u);
  EXPECT_EQ(
      parse_error(R"({"kind": "SeccompProfile", "spec": {"defaultAction": "SCMP_ACT_NOPE"}})"),
      "p.json: spec.defaultAction: unknown action \"SCMP_ACT_NOPE\" (expected one of SCMP_ACT_KILL_PROCESS, "
      "SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_NOTIFY, SCMP_ACT_TRACE, "
      "SCMP_ACT_LOG, SCMP_ACT_ALLOW)");
}

TEST(ProfileParser, UnknownSyscallIsOneWarningAndForeignArchCallsAreKnown) {
  Profile p = parse_ok(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
    {"names": ["read", "no_such_call", "arm_fadvise64_64", "s390_pci_mmio_read", "riscv_flush_icache"],
     "action": "SCMP_ACT_ALLOW"},
    {"names": ["no_such_call"], "action": "SCMP_ACT_LOG"}]})");
  EXPECT_EQ(p.warnings, std::vector<std::string>{"unknown syscall \"no_such_call\" (runtimes skip it)"});
}

TEST(ProfileParser, MalformedJsonGivesLineAndColumn) {
  EXPECT_EQ(parse_error("{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [ }\n"),
            "p.json:3:17: malformed JSON: syntax error while parsing value - unexpected '}'; expected '[', "
            "'{', or a "
            "literal");
  std::string message = parse_error("{\"defaultAction\": \"SCMP_ACT_ERRNO\"");
  EXPECT_EQ(message.rfind("p.json:1:35: malformed JSON: ", 0), 0u) << message;
  message = parse_error("");
  EXPECT_EQ(message.rfind("p.json:1:1: malformed JSON: ", 0), 0u) << message;
}

struct BadInput {
  const char* name;
  const char* json;
  const char* message;
};

class ProfileParserErrors : public ::testing::TestWithParam<BadInput> {};

TEST_P(ProfileParserErrors, NamesTheFieldPath) {
  EXPECT_EQ(parse_error(GetParam().json), GetParam().message);
}

// One line per error, each naming the field path.
const BadInput kBadInputs[] = {
    {"NotAnObject", R"([1])", "p.json: expected a JSON object (a seccomp profile), got an array"},
    {"MissingDefault", R"({"syscalls": []})",
     "p.json: defaultAction: missing (expected one of SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, "
     "SCMP_ACT_KILL, "
     "SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_NOTIFY, SCMP_ACT_TRACE, SCMP_ACT_LOG, SCMP_ACT_ALLOW)"},
    {"DefaultWrongType", R"({"defaultAction": 1})",
     "p.json: defaultAction: expected a string, got an integer"},
    {"UnknownRuleAction",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["read"], "action": "SCMP_ACT_DENY"}]})",
     "p.json: syscalls[1].action: unknown action \"SCMP_ACT_DENY\" (expected one of SCMP_ACT_KILL_PROCESS, "
     "SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_NOTIFY, SCMP_ACT_TRACE, "
     "SCMP_ACT_LOG, SCMP_ACT_ALLOW)"},
    {"MissingRuleAction", R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"]}]})",
     "p.json: syscalls[0].action: missing (expected one of SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, "
     "SCMP_ACT_KILL, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_NOTIFY, SCMP_ACT_TRACE, SCMP_ACT_LOG, "
     "SCMP_ACT_ALLOW)"},
    {"UnknownOp",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
        "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_FOO"}]}]})",
     "p.json: syscalls[0].args[0].op: unknown comparison \"SCMP_CMP_FOO\" (expected one of SCMP_CMP_NE, "
     "SCMP_CMP_LT, "
     "SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ)"},
    {"MissingOp",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
        "args": [{"index": 0, "value": 1}]}]})",
     "p.json: syscalls[0].args[0].op: missing (expected one of SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, "
     "SCMP_CMP_EQ, "
     "SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ)"},
    {"ArgIndexOverFive",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
        "args": [{"index": 1, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]})",
     "p.json: syscalls[0].args[1].index: argument index 6 out of range (0..5)"},
    {"MissingIndex",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
        "args": [{"value": 1, "op": "SCMP_CMP_EQ"}]}]})",
     "p.json: syscalls[0].args[0].index: missing (expected the argument index 0..5)"},
    {"NegativeValue",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
        "args": [{"index": 0, "value": -1, "op": "SCMP_CMP_EQ"}]}]})",
     "p.json: syscalls[0].args[0].value: expected a non-negative integer, got -1"},
    {"ValueWrongType",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
        "args": [{"index": 0, "value": "40", "op": "SCMP_CMP_EQ"}]}]})",
     "p.json: syscalls[0].args[0].value: expected a non-negative integer, got a string"},
    {"ValueTwoWrongType",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
        "args": [{"index": 0, "value": 1, "valueTwo": 1.5, "op": "SCMP_CMP_MASKED_EQ"}]}]})",
     "p.json: syscalls[0].args[0].valueTwo: expected a non-negative integer, got a number"},
    {"ArgsNotArray",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
        "args": {}}]})",
     "p.json: syscalls[0].args: expected an array, got an object"},
    {"ArgNotObject",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
        "args": [3]}]})",
     "p.json: syscalls[0].args[0]: expected an object, got an integer"},
    {"UnknownArchitecture",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "x86"]})",
     "p.json: architectures[1]: unknown architecture \"x86\" (expected SCMP_ARCH_X86_64, SCMP_ARCH_X86, "
     "SCMP_ARCH_X32, SCMP_ARCH_AARCH64, ... as libseccomp names them)"},
    {"UnknownArchMapSub",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "archMap": [{"architecture": "SCMP_ARCH_X86_64",
        "subArchitectures": ["SCMP_ARCH_I386"]}]})",
     "p.json: archMap[0].subArchitectures[0]: unknown architecture \"SCMP_ARCH_I386\" (expected "
     "SCMP_ARCH_X86_64, "
     "SCMP_ARCH_X86, SCMP_ARCH_X32, SCMP_ARCH_AARCH64, ... as libseccomp names them)"},
    {"ArchMapMissingArchitecture",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "archMap": [{"subArchitectures": []}]})",
     "p.json: archMap[0].architecture: missing (expected an SCMP_ARCH_* name)"},
    {"ArchitecturesAndArchMap",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
        "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]})",
     "p.json: both \"architectures\" and \"archMap\" are given (use either, as Docker requires)"},
    {"ArchitecturesNotArray", R"({"defaultAction": "SCMP_ACT_ERRNO", "architectures": "SCMP_ARCH_X86_64"})",
     "p.json: architectures: expected an array of strings, got a string"},
    {"SyscallsNotArray", R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": {}})",
     "p.json: syscalls: expected an array of rules, got an object"},
    {"NamesNotStrings",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", 3], "action": "SCMP_ACT_ALLOW"}]})",
     "p.json: syscalls[0].names[1]: expected a string, got an integer"},
    {"NameAndNames",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"name": "read", "names": ["write"], "action": "SCMP_ACT_ALLOW"}]})",
     "p.json: syscalls[0]: both \"name\" and \"names\" are given (use either)"},
    {"ErrnoRetWrongType",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": "1"}]})",
     "p.json: syscalls[0].errnoRet: expected a non-negative integer, got a string"},
    {"ErrnoRetOutOfRange",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 70000}]})",
     "p.json: syscalls[0].errnoRet: errno 70000 out of range (0..65535)"},
    {"DefaultErrnoRetNegative", R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": -1})",
     "p.json: defaultErrnoRet: expected a non-negative integer, got -1"},
    {"UnknownErrnoName",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errno": "EWHAT"}]})",
     "p.json: syscalls[0].errno: unknown errno name \"EWHAT\" (expected a name like EPERM or ENOSYS)"},
    {"UnknownDefaultErrnoName", R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "NOSYS"})",
     "p.json: defaultErrno: unknown errno name \"NOSYS\" (expected a name like EPERM or ENOSYS)"},
    {"IncludesNotObject",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": []}]})",
     "p.json: syscalls[0].includes: expected an object, got an array"},
    {"BadCapability",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
        "includes": {"caps": ["SYS_ADMIN"]}}]})",
     "p.json: syscalls[0].includes.caps[0]: \"SYS_ADMIN\" is not a capability name (expected CAP_SYS_ADMIN "
     "style)"},
    {"CapsNotArray",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
        "excludes": {"caps": "CAP_SYS_ADMIN"}}]})",
     "p.json: syscalls[0].excludes.caps: expected an array of strings, got a string"},
    {"BadMinKernel",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
        "includes": {"minKernel": "four.8"}}]})",
     "p.json: syscalls[0].includes.minKernel: \"four.8\" is not a kernel version (expected \"4.8\" style)"},
    {"UnknownFlag", R"({"defaultAction": "SCMP_ACT_ERRNO", "flags": ["SECCOMP_FILTER_FLAG_FOO"]})",
     "p.json: flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_FOO\" (expected one of SECCOMP_FILTER_FLAG_TSYNC, "
     "SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_NEW_LISTENER, "
     "SECCOMP_FILTER_FLAG_TSYNC_ESRCH, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)"},
    {"ListenerPathWrongType", R"({"defaultAction": "SCMP_ACT_ERRNO", "listenerPath": 5})",
     "p.json: listenerPath: expected a string, got an integer"},
    {"CommentWrongType",
     R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "comment": 1}]})",
     "p.json: syscalls[0].comment: expected a string, got an integer"},
    {"SpoWithoutSpec", R"({"kind": "SeccompProfile"})",
     "p.json: spec: a SeccompProfile object without a spec"},
};

INSTANTIATE_TEST_SUITE_P(All, ProfileParserErrors, ::testing::ValuesIn(kBadInputs),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(ProfileParser, MissingFileIsOneLine) {
  Result<Profile> p = load_profile_file("/nonexistent/profile.json");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message,
            "/nonexistent/profile.json: cannot read the profile: No such file or directory");
}

// Docker and runc refuse a profile with a NUL byte or anything after the JSON; so does seccheck,
// with the position.
TEST(ProfileParser, NulByteAndTrailingGarbageAreErrors) {
  const std::string profile = R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": []})";
  EXPECT_EQ(parse_error(profile + '\0' + "garbage"),
            "p.json:1:52: malformed JSON: a NUL byte (JSON text has none)");
  EXPECT_EQ(parse_error(profile + "\n}").rfind("p.json:2:1: malformed JSON: ", 0), 0u);
}

// 200,000 copies of one rule kept libseccomp busy for more than 15 minutes: a profile may name
// at most 4096 syscalls in all its rules.
TEST(ProfileParser, RefusesAbsurdlyManyRuleNames) {
  auto rules = [](std::size_t count) {
    std::string text = R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [)";
    for (std::size_t i = 0; i < count; ++i)
      text += std::string(i ? "," : "") + R"({"names": ["keyctl"], "action": "SCMP_ACT_ERRNO"})";
    return text + "]}";
  };
  EXPECT_EQ(parse_ok(rules(4096)).rules.size(), 4096u);
  EXPECT_EQ(parse_error(rules(4097)),
            "p.json: syscalls: the rules name more than 4096 syscalls in all (at syscalls[4096]), seccheck's "
            "limit: RuntimeDefault profiles name under 500, a filter the kernel loads has at most 4096 "
            "instructions, and libseccomp needs minutes to compile tens of thousands");
  // Names in one rule count too.
  std::string one_rule = R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": [)";
  for (int i = 0; i < 4097; ++i)
    one_rule += std::string(i ? "," : "") + "\"keyctl\"";
  EXPECT_NE(parse_error(one_rule + R"(], "action": "SCMP_ACT_ERRNO"}]})").find("more than 4096"),
            std::string::npos);
}

TEST(ProfileParser, RoundTripsThroughJson) {
  Profile p = parse_ok(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
    "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
    "syscalls": [{"names": ["clone"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
      "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
      "includes": {"caps": ["CAP_SYS_ADMIN"], "minKernel": "4.8"}, "excludes": {"arches": ["s390"]}, "comment": "c"}]})");
  Profile again = parse_ok(profile_to_json(p));
  EXPECT_EQ(profile_to_json(again), profile_to_json(p));
  ASSERT_EQ(again.rules.size(), 1u);
  EXPECT_EQ(again.rules[0].args, p.rules[0].args);
  EXPECT_EQ(again.rules[0].includes, p.rules[0].includes);
  EXPECT_EQ(again.rules[0].excludes, p.rules[0].excludes);
  EXPECT_EQ(again.default_errno_ret, 38u);
}

TEST(ProfileParser, ReadsEveryReferenceProfileWithoutUnknownSyscalls) {
  const std::string shared = seccheck::testing::shared_dir();
  if (shared.empty()) GTEST_SKIP() << "../shared/reference-profiles is absent; nothing to read";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(shared + "/reference-profiles")) {
    const std::string path = entry.path().string();
    if (entry.path().extension() != ".json" || entry.path().filename() == "index.json") continue;
    Result<Profile> p = load_profile_file(path);
    ASSERT_TRUE(p.ok()) << p.error().message;
    ++files;
    EXPECT_GT(p->rules.size(), 20u) << path;
    for (const std::string& warning : p->warnings) {
      // Debian's docker.io patch misspells mips64el as mips3l64n32; that alone may warn.
      EXPECT_NE(warning.find("mips3l64n32"), std::string::npos) << path << ": " << warning;
    }
    Result<Profile> again = parse_profile(profile_to_json(*p), path);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(profile_to_json(*again), profile_to_json(*p)) << path;
  }
  EXPECT_GE(files, 27);
}

}  // namespace
}  // namespace seccheck::analysis
