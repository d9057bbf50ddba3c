// generate, verify and merge end to end: the real binary on testprogs and real programs, with
// the profiles enforced by the kernel's seccomp filter.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "analysis/catalog.h"
#include "analysis/compile.h"
#include "analysis/profile_parser.h"
#include "analysis/resolve.h"
#include "core/syscall_table.h"
#include "tests/support/run_process.h"
#include "tests/support/temp_dir.h"
#include "tracer/tracer.h"

namespace seccheck {
namespace {

using testing::read_file;
using testing::run_process;
using testing::seccheck_binary;
using testing::temp_path;
using testing::testprog;

testing::ProcessOutput seccheck(std::vector<std::string> args) {
  args.insert(args.begin(), seccheck_binary());
  return run_process(args, 120);
}

// The keys of the findings some profile blocks, from a JSON report.
std::set<std::string> blocked_keys(const std::string& report_path) {
  std::set<std::string> keys;
  nlohmann::json report = nlohmann::json::parse(read_file(report_path));
  for (const auto& finding : report["findings"])
    if (finding["blocked_by_any"].get<bool>()) keys.insert(finding["key"].get<std::string>());
  return keys;
}

class DenialCounter : public tracer::TraceObserver {
 public:
  tracer::SeccompDecision on_syscall_entry(const SyscallEvent& event, tracer::StoppedTracee&) override {
    if (syscall_display_name(event.arch, event.nr) == "keyctl") ++keyctl_stops;
    return tracer::SeccompDecision::proceed();
  }
  int keyctl_stops = 0;
};

// Why verify does not stack the as-is filter under the TRACE one: the kernel applies the most
// severe action of all stacked filters, so the real ERRNO answers keyctl and the tracer never
// sees it.
TEST(Verify, StackedRealFilterHidesDenialsFromTheTracer) {
  auto profiles = analysis::catalog_profiles("docker");
  ASSERT_TRUE(profiles.ok());
  analysis::ResolvedProfile docker = analysis::resolve(profiles->front(), analysis::Context{});
  auto as_is = analysis::compile(docker, analysis::CompileMode::kAsIs);
  auto traced = analysis::compile(docker, analysis::CompileMode::kBlockingToTrace, 0);
  ASSERT_TRUE(as_is.ok() && traced.ok());

  tracer::LaunchOptions stacked;
  stacked.argv = {testprog("gen_keyctl")};
  stacked.filters = {*as_is, *traced};
  DenialCounter stacked_counter;
  auto stacked_run = tracer::run_command(stacked, stacked_counter);
  ASSERT_TRUE(stacked_run.ok()) << stacked_run.error().message;
  EXPECT_EQ(stacked_counter.keyctl_stops, 0);
  EXPECT_EQ(stacked_run->exit_status, 1);  // denied with EPERM by the real filter

  tracer::LaunchOptions trace_only = stacked;
  trace_only.filters = {*traced};
  DenialCounter trace_counter;
  auto trace_run = tracer::run_command(trace_only, trace_counter);
  ASSERT_TRUE(trace_run.ok());
  EXPECT_EQ(trace_counter.keyctl_stops, 1);
}

class FlaggedProgram : public ::testing::TestWithParam<std::vector<std::string>> {};

// check flags the call under docker; the generated profile lets it through for real; docker
// itself denies exactly the flagged calls.
TEST_P(FlaggedProgram, GeneratedProfileVerifiesAndDockerDeniesTheFlaggedCalls) {
  std::vector<std::string> command = GetParam();
  command[0] = testprog(command[0]);
  const std::string tag = GetParam()[0];
  std::string check_report = temp_path(tag + "_check.json");
  std::vector<std::string> args = {"check", "--profile",  "docker", "--format", "json",
                                   "-o",    check_report, "-q",     "--"};
  args.insert(args.end(), command.begin(), command.end());
  auto check = seccheck(args);
  ASSERT_EQ(check.exit_status, 1) << check.err;
  std::set<std::string> flagged = blocked_keys(check_report);
  ASSERT_FALSE(flagged.empty());

  std::string profile = temp_path(tag + "_profile.json");
  args = {"generate", "--base", "docker", "-q", "-o", profile, "--"};
  args.insert(args.end(), command.begin(), command.end());
  auto generate = seccheck(args);
  ASSERT_EQ(generate.exit_status, 0) << generate.err;
  auto parsed = analysis::load_profile_file(profile);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_TRUE(
      analysis::compile(analysis::resolve(*parsed, analysis::Context{}), analysis::CompileMode::kAsIs).ok());

  std::string verify_report = temp_path(tag + "_verify.json");
  args = {"verify", "--profile", profile, "--format", "json", "-o", verify_report, "-q", "--"};
  args.insert(args.end(), command.begin(), command.end());
  auto verify = seccheck(args);
  EXPECT_EQ(verify.exit_status, 0) << verify.err << read_file(verify_report);
  EXPECT_TRUE(blocked_keys(verify_report).empty());

  std::string docker_report = temp_path(tag + "_docker.json");
  args = {"verify", "--profile", "docker", "--format", "json", "-o", docker_report, "-q", "--"};
  args.insert(args.end(), command.begin(), command.end());
  auto denied = seccheck(args);
  EXPECT_EQ(denied.exit_status, 1) << denied.err;
  EXPECT_EQ(blocked_keys(docker_report), flagged);
}

INSTANTIATE_TEST_SUITE_P(Testprogs, FlaggedProgram,
                         ::testing::Values(std::vector<std::string>{"gen_unshare_user"},
                                           std::vector<std::string>{"gen_keyctl"},
                                           std::vector<std::string>{"gen_vsock"},
                                           std::vector<std::string>{"gen_clone_ns"}),
                         [](const auto& param_info) { return param_info.param[0]; });

// The clone addition is narrow: the profile made for CLONE_NEWUTS still denies CLONE_NEWNET.
TEST(Generate, CloneAdditionIsArgumentNarrow) {
  std::string profile = temp_path("clone_profile.json");
  auto generate = seccheck({"generate", "-q", "-o", profile, "--", testprog("gen_clone_ns")});
  ASSERT_EQ(generate.exit_status, 0) << generate.err;
  std::string report = temp_path("clone_net.json");
  auto verify = seccheck({"verify", "--profile", profile, "--format", "json", "-o", report, "-q", "--",
                          testprog("gen_clone_ns"), "net"});
  EXPECT_EQ(verify.exit_status, 1) << verify.err;
  std::set<std::string> keys = blocked_keys(report);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys.begin()->rfind("x86_64/clone/arg0=0x40000011", 0), 0u) << *keys.begin();
}

class MinimalProgram : public ::testing::TestWithParam<std::vector<std::string>> {};

// A minimal profile generated from one run of a real program lets a second run through.
TEST_P(MinimalProgram, VerifiesOnASecondRun) {
  std::vector<std::string> command = GetParam();
  if (access(command[0].c_str(), X_OK) != 0) GTEST_SKIP() << command[0] << " is not installed";
  std::string profile = temp_path("minimal.json");
  std::vector<std::string> args = {"generate", "--minimal", "-q", "-o", profile, "--"};
  args.insert(args.end(), command.begin(), command.end());
  auto generate = seccheck(args);
  ASSERT_EQ(generate.exit_status, 0) << generate.err;
  nlohmann::json json = nlohmann::json::parse(read_file(profile));
  EXPECT_EQ(json["defaultAction"], "SCMP_ACT_ERRNO");
  std::string report = temp_path("minimal_verify.json");
  args = {"verify", "--profile", profile, "--format", "json", "-o", report, "-q", "--"};
  args.insert(args.end(), command.begin(), command.end());
  auto verify = seccheck(args);
  EXPECT_EQ(verify.exit_status, 0) << verify.err << read_file(report);
  // And the same profile does deny what the program never did.
  report = temp_path("minimal_keyctl.json");
  auto other = seccheck(
      {"verify", "--profile", profile, "--format", "json", "-o", report, "-q", "--", testprog("gen_keyctl")});
  EXPECT_EQ(other.exit_status, 1);
}

INSTANTIATE_TEST_SUITE_P(RealPrograms, MinimalProgram,
                         ::testing::Values(std::vector<std::string>{"/bin/ls", "/"},
                                           std::vector<std::string>{"/bin/sh", "-c", "echo hi | cat"},
                                           std::vector<std::string>{"/usr/bin/python3", "-c", "pass"}),
                         [](const auto& param_info) {
                           std::string name = param_info.param[0].substr(param_info.param[0].rfind('/') + 1);
                           return name;
                         });

TEST(Generate, SameInputGivesIdenticalBytes) {
  std::string record = temp_path("det_record.json");
  auto check = seccheck(
      {"check", "-q", "--record", record, "-o", temp_path("det_report.txt"), "--", testprog("gen_clone_ns")});
  ASSERT_EQ(check.exit_status, 1) << check.err;
  for (const char* format : {"oci", "spo", "pod"}) {
    auto first = seccheck({"generate", "-q", "--format", format, "--from", record});
    auto second = seccheck({"generate", "-q", "--format", format, "--from", record});
    ASSERT_EQ(first.exit_status, 0) << first.err;
    EXPECT_EQ(first.out, second.out);
    EXPECT_FALSE(first.out.empty());
  }
  auto live_one = seccheck({"generate", "-q", "--", testprog("gen_clone_ns")});
  auto live_two = seccheck({"generate", "-q", "--", testprog("gen_clone_ns")});
  ASSERT_EQ(live_one.exit_status, 0) << live_one.err;
  EXPECT_EQ(live_one.out, live_two.out);
  auto pod = seccheck({"generate", "-q", "--format", "pod", "--name", "myapp", "--from", record});
  EXPECT_NE(pod.out.find("localhostProfile: profiles/myapp.json"), std::string::npos) << pod.out;
  EXPECT_NE(pod.out.find("/var/lib/kubelet/seccomp/profiles/myapp.json"), std::string::npos) << pod.out;
}

TEST(Merge, CommandMergesAndRejectsConflicts) {
  std::string record_a = temp_path("merge_a.json"), record_b = temp_path("merge_b.json");
  ASSERT_EQ(
      seccheck({"check", "-q", "--record", record_a, "-o", temp_path("m1.txt"), "--", testprog("gen_keyctl")})
          .exit_status,
      1);
  ASSERT_EQ(seccheck({"check", "-q", "--record", record_b, "-o", temp_path("m2.txt"), "--",
                      testprog("gen_clone_ns")})
                .exit_status,
            1);
  std::string merged = temp_path("merged_record.json");
  auto merge = seccheck({"merge", record_a, record_b, "-o", merged});
  ASSERT_EQ(merge.exit_status, 0) << merge.err;
  std::string profile = temp_path("merged_profile.json");
  ASSERT_EQ(seccheck({"generate", "-q", "--from", merged, "-o", profile}).exit_status, 0);
  std::string text = read_file(profile);
  EXPECT_NE(text.find("\"keyctl\""), std::string::npos);
  EXPECT_NE(text.find("gen_clone_ns"), std::string::npos);

  auto mixed = seccheck({"merge", record_a, profile});
  EXPECT_EQ(mixed.exit_status, 2);
  EXPECT_NE(mixed.err.find("merge records with records"), std::string::npos) << mixed.err;
  EXPECT_EQ(std::count(mixed.err.begin(), mixed.err.end(), '\n'), 1);

  std::string minimal = temp_path("merge_minimal.json");
  ASSERT_EQ(seccheck({"generate", "--minimal", "-q", "--from", merged, "-o", minimal}).exit_status, 0);
  std::string kill_profile = temp_path("merge_kill.json");
  std::ofstream(kill_profile) << R"({"defaultAction": "SCMP_ACT_KILL_PROCESS", "syscalls": []})";
  auto conflict = seccheck({"merge", minimal, kill_profile});
  EXPECT_EQ(conflict.exit_status, 2);
  EXPECT_NE(conflict.err.find("default action"), std::string::npos) << conflict.err;
}

}  // namespace
}  // namespace seccheck
