// End to end: the real `seccheck check` / `diff` binary on testprogs/check_calls, asserting the
// exact findings for each catalog runtime (latest Docker, containerd, CRI-O/containers-common).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/run_process.h"

namespace seccheck::testing {
namespace {

// Finding key -> the verdict label of each profile, in the order the profiles were given.
using Findings = std::map<std::string, std::vector<std::string>>;

const std::vector<std::string> kLatest = {"--profile",  "docker",    "--profile",
                                          "containerd", "--profile", "crio"};

class CheckE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/seccheck-e2e-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  // Runs `seccheck ARGS` (`seccheck check ARGS` when ARGS start with an option), the JSON
  // report written to a file; returns the findings.
  Findings run(std::vector<std::string> args, int expected_exit = 1) {
    std::string report = dir_ + "/report.json";
    std::vector<std::string> argv = {seccheck_binary()};
    if (!args.empty() && args[0].rfind("--", 0) == 0) argv.push_back("check");
    argv.insert(argv.end(), args.begin(), args.end());
    auto separator = std::find(argv.begin(), argv.end(), "--");
    std::vector<std::string> output_options = {"--format", "json", "-o", report, "-q"};
    if (argv[1] == "check") output_options.insert(output_options.end(), {"--stack", "0"});
    argv.insert(separator, output_options.begin(), output_options.end());
    if (!environment_.empty()) argv = concat(concat({"/usr/bin/env"}, environment_), argv);
    ProcessOutput result = run_process(argv, 120);
    EXPECT_EQ(result.exit_status, expected_exit) << result.err;
    last_ = nlohmann::json::parse(read_file(report));
    Findings findings;
    for (const auto& finding : last_["findings"]) {
      std::vector<std::string> labels;
      for (const auto& verdict : finding["verdicts"])
        labels.push_back(verdict["label"]);
      findings[finding["key"]] = labels;
    }
    return findings;
  }

  std::vector<std::string> check_calls(std::vector<std::string> calls) {
    std::vector<std::string> argv = {"--", testprog("check_calls")};
    argv.insert(argv.end(), calls.begin(), calls.end());
    return argv;
  }

  static std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }

  std::string dir_;
  std::vector<std::string> environment_;  // NAME=VALUE for the seccheck runs of run()
  nlohmann::json last_;
};

const std::string kEperm = "ERRNO(EPERM)";
const std::string kEnosys = "ERRNO(ENOSYS)";
const std::string kAllowed = "allowed";

TEST_F(CheckE2E, ReportsExactlyTheCallsEachLatestRuntimeBlocks) {
  Findings findings = run(concat(kLatest, check_calls({"all"})));
  Findings expected = {
      {"x86_64/acct", {kEperm, kEperm, kEperm}},
      {"x86_64/add_key", {kEperm, kEperm, kEnosys}},
      {"x86_64/bpf", {kEperm, kEperm, kEperm}},
      // CLONE_NEWUSER|CLONE_FS and CLONE_NEWUTS|CLONE_NEWNS|CLONE_FS: namespace flags need
      // CAP_SYS_ADMIN in Docker and containerd; arg1 is kept because s390 rules test it.
      {"x86_64/clone/arg0=0x10000200/arg1=0x0", {kEperm, kEperm, kAllowed}},
      {"x86_64/clone/arg0=0x4020200/arg1=0x0", {kEperm, kEperm, kAllowed}},
      // ENOSYS, so glibc falls back to clone.
      {"x86_64/clone3", {kEnosys, kEnosys, kAllowed}},
      {"x86_64/keyctl", {kEperm, kEperm, kAllowed}},
      {"x32/keyctl", {kEperm, kEperm, kAllowed}},
      {"x86_64/mount", {kEperm, kEperm, kAllowed}},
      {"x86_64/perf_event_open", {kEperm, kEperm, kEperm}},
      {"x86_64/personality/arg0=0x40000", {kEperm, kEperm, kEnosys}},
      {"x86_64/socket/arg0=0x26/arg2=0xffffffff", {kEperm, kEperm, kAllowed}},  // AF_ALG
      {"x86_64/socket/arg0=0x28/arg2=0xffffffff", {kEperm, kEperm, kEperm}},    // AF_VSOCK
      {"x86_64/unshare", {kEperm, kEperm, kAllowed}},
      {"x86_64/userfaultfd", {kEperm, kEperm, kEperm}},
  };
  EXPECT_EQ(findings, expected);
  std::vector<std::string> profiles;
  for (const auto& profile : last_["profiles"])
    profiles.push_back(profile["name"]);
  EXPECT_EQ(profiles,
            (std::vector<std::string>{"docker@29.4.3", "containerd@2.3.4", "containers-common@0.67.0"}));
  EXPECT_EQ(last_["workload_exit_status"], 0);
}

TEST_F(CheckE2E, AllowedCallsAreNoFindings) {
  // personality(PER_LINUX), socket(AF_INET), ptrace on a >= 4.8 kernel, x32 getpid: allowed by all.
  Findings findings =
      run(concat(kLatest, check_calls({"personality_linux", "socket_inet", "ptrace", "x32_getpid"})), 0);
  EXPECT_EQ(findings, Findings{});
  EXPECT_EQ(last_["calls_stopped"], 0) << "allowed calls must not stop the workload on the fast path";
}

TEST_F(CheckE2E, CapabilityConditionalCallIsAllowedWithCapAdd) {
  Findings without = run(concat({"--profile", "docker"}, check_calls({"clone_newuser", "clone3"})));
  EXPECT_EQ(without,
            (Findings{{"x86_64/clone/arg0=0x10000200/arg1=0x0", {kEperm}}, {"x86_64/clone3", {kEnosys}}}));
  Findings with = run(
      concat({"--profile", "docker", "--cap-add", "SYS_ADMIN"}, check_calls({"clone_newuser", "clone3"})), 0);
  EXPECT_EQ(with, Findings{});
}

TEST_F(CheckE2E, MinKernelDecidesPtrace) {
  EXPECT_EQ(run(concat({"--profile", "docker", "--kernel", "5.10"}, check_calls({"ptrace"})), 0), Findings{});
  EXPECT_EQ(run(concat({"--profile", "docker", "--kernel", "4.4"}, check_calls({"ptrace"}))),
            (Findings{{"x86_64/ptrace", {kEperm}}}));
}

TEST_F(CheckE2E, OlderVersionsDifferWhereTheirProfilesDiffer) {
  // Docker 20.10.0-20.10.9 had no clone3 rule: the default EPERM, not ENOSYS.
  Findings findings = run(concat({"--profile", "docker@20.10.0", "--profile", "docker@20.10.10"},
                                 check_calls({"clone3", "socket_vsock"})));
  EXPECT_EQ(findings, (Findings{{"x86_64/clone3", {kEperm, kEnosys}}}))
      << "socket was unconditional in Docker 20.10.0 and 20.10.10";
}

TEST_F(CheckE2E, FastPathEqualsFullRecordThenDiff) {
  Findings fast = run(concat(kLatest, check_calls({"all"})));
  std::string record = dir_ + "/run.json";
  Findings recorded = run(concat(concat(kLatest, {"--record", record}), check_calls({"all"})));
  EXPECT_EQ(recorded, fast);
  EXPECT_GT(last_["calls_stopped"].get<int>(), 30) << "--record stops every call";
  Findings offline = run(concat(concat({"diff", record}, kLatest), {}));
  EXPECT_EQ(offline, fast);
}

TEST_F(CheckE2E, FiltersFromTheCacheGiveTheSameFindings) {
  // A fresh cache: the first run builds the three filters with libseccomp and stores them, the
  // second loads them; the kernel's verdicts, and so the findings, must not change.
  const std::string cache = dir_ + "/cache";
  std::vector<std::string> reports;
  std::vector<std::string> notes;
  for (int run_number = 0; run_number < 2; ++run_number) {
    const std::string report = dir_ + "/cached" + std::to_string(run_number) + ".json";
    std::vector<std::string> argv = {"/usr/bin/env",
                                     "XDG_CACHE_HOME=" + cache,
                                     seccheck_binary(),
                                     "check",
                                     "-v",
                                     "--stack",
                                     "0",
                                     "--format",
                                     "json",
                                     "-o",
                                     report};
    argv = concat(concat(argv, kLatest), check_calls({"all"}));
    ProcessOutput result = run_process(argv, 120);
    ASSERT_EQ(result.exit_status, 1) << result.err;
    // Keys, counts and verdicts; argument values hold pointers that differ per run.
    nlohmann::json findings = nlohmann::json::array();
    const nlohmann::json parsed = nlohmann::json::parse(read_file(report));
    for (const auto& finding : parsed["findings"])
      findings.push_back({finding["key"], finding["count"], finding["verdicts"]});
    reports.push_back(findings.dump());
    notes.push_back(result.err);
  }
  EXPECT_EQ(reports[0], reports[1]);
  EXPECT_EQ(notes[0].find("BPF instructions (from " + cache), std::string::npos) << notes[0];
  EXPECT_NE(notes[1].find("docker@29.4.3: 1023 BPF instructions (from " + cache + "/seccheck/filters)"),
            std::string::npos)
      << notes[1];
}

TEST_F(CheckE2E, FilterCacheFollowsProfileFilesAndTheContext) {
  // A run stores its filters under their full input and a repeated run launches with them;
  // a changed profile file or context must never get the old filters.
  const std::string cache = dir_ + "/plans";
  const std::string profile = dir_ + "/custom.json";
  auto write_profile = [&](const std::string& blocked) {
    FILE* out = std::fopen(profile.c_str(), "w");
    ASSERT_NE(out, nullptr);
    std::fprintf(out,
                 R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [)"
                 R"({"names": ["%s"], "action": "SCMP_ACT_ERRNO"}]})",
                 blocked.c_str());
    std::fclose(out);
  };
  environment_ = {"XDG_CACHE_HOME=" + cache};
  auto keys = [&](const std::vector<std::string>& args) {
    std::vector<std::string> out;
    for (const auto& [key, labels] : run(concat(args, {"--", testprog("check_calls"), "keyctl", "unshare"})))
      out.push_back(key);
    return out;
  };
  // The cache's files, by inode: a run that finds its filters writes nothing.
  auto entries = [&] {
    return run_process({"/bin/sh", "-c", "ls -i '" + cache + "/seccheck/filters' | sort"}).out;
  };
  write_profile("keyctl");
  EXPECT_EQ(keys({"--profile", profile}), (std::vector<std::string>{"x86_64/keyctl"}));
  const std::string after_first = entries();
  EXPECT_EQ(keys({"--profile", profile}), (std::vector<std::string>{"x86_64/keyctl"}));
  EXPECT_EQ(entries(), after_first) << "the second, identical run should have found its filters";
  write_profile("unshare");
  EXPECT_EQ(keys({"--profile", profile}), (std::vector<std::string>{"x86_64/unshare"}));
  EXPECT_EQ(keys({"--profile", "docker"}), (std::vector<std::string>{"x86_64/keyctl", "x86_64/unshare"}));
  EXPECT_EQ(keys({"--profile", "docker", "--cap-add", "SYS_ADMIN"}),
            (std::vector<std::string>{"x86_64/keyctl"}));
  EXPECT_EQ(keys({"--profile", "docker"}), (std::vector<std::string>{"x86_64/keyctl", "x86_64/unshare"}));
  // A profile from a pipe is read once, by the run: twice in a row, both runs see it whole.
  for (int repeat = 0; repeat < 2; ++repeat) {
    ProcessOutput piped = run_process({"/bin/bash", "-c",
                                       "XDG_CACHE_HOME='" + cache + "' '" + seccheck_binary() +
                                           "' check -q --stack 0 --format json --profile <(cat '" + profile +
                                           "') -- '" + testprog("check_calls") + "' keyctl unshare"});
    EXPECT_EQ(piped.exit_status, 1) << piped.err;
    EXPECT_NE(piped.out.find("\"key\": \"x86_64/unshare\""), std::string::npos) << piped.out;
    EXPECT_EQ(piped.out.find("x86_64/keyctl"), std::string::npos) << piped.out;
  }
}

TEST_F(CheckE2E, DiffReChecksARecordAgainstOtherContexts) {
  std::string record = dir_ + "/run.json";
  run({"check", "--profile", "docker", "--record", record, "--", testprog("check_calls"), "unshare",
       "keyctl"});
  EXPECT_EQ(run({"diff", record, "--profile", "docker", "--cap-add", "SYS_ADMIN"}),
            (Findings{{"x86_64/keyctl", {kEperm}}}))
      << "with CAP_SYS_ADMIN Docker allows unshare but still not keyctl";
  EXPECT_EQ(run({"diff", record, "--profile", "crio"}, 0), Findings{});
}

TEST_F(CheckE2E, I386CallsFromAnOfflineRecord) {
  // This machine has no ia32 emulation, so i386 calls come from a record: socketcall (102) is
  // allowed everywhere, i386 keyctl (288) is blocked by Docker, an unassigned number by all.
  std::string record = dir_ + "/i386.json";
  FILE* out = std::fopen(record.c_str(), "w");
  std::fputs(R"({"seccheck_record": 1, "command": ["a.out"], "exit_status": 0, "complete": true, "calls": [
    {"arch": "i386", "nr": 102, "args": ["0x1","0x0","0x0","0x0","0x0","0x0"], "count": 3},
    {"arch": "i386", "nr": 288, "args": ["0x0","0x0","0x0","0x0","0x0","0x0"], "count": 1}]})",
             out);
  std::fclose(out);
  EXPECT_EQ(run({"diff", record, "--profile", "docker", "--profile", "crio"}),
            (Findings{{"i386/keyctl", {kEperm, kAllowed}}}));
}

TEST_F(CheckE2E, EnforceMakesBlockedCallsFailAsTheRuntimeWould) {
  std::string report = dir_ + "/report.json";
  ProcessOutput result =
      run_process({seccheck_binary(), "check", "--profile", "docker", "--enforce", "docker", "-q", "-o",
                   report, "--", testprog("check_calls"), "keyctl", "clone3", "socket_inet"});
  EXPECT_EQ(result.exit_status, 1) << result.err;
  // The workload sees the runtime's errno: EPERM for keyctl, ENOSYS for clone3; AF_INET runs.
  EXPECT_NE(result.out.find("keyctl = -1 Operation not permitted"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("clone3 = -1 Function not implemented"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("socket_inet = -1 Invalid argument"), std::string::npos) << result.out;
}

TEST_F(CheckE2E, BaselineMarksKnownFindingsAndPassesTheGate) {
  std::string baseline = dir_ + "/baseline.json";
  run({"check", "--profile", "docker", "--", testprog("check_calls"), "keyctl"});
  std::rename((dir_ + "/report.json").c_str(), baseline.c_str());
  run({"check", "--profile", "docker", "--baseline", baseline, "--", testprog("check_calls"), "keyctl"}, 0);
  EXPECT_EQ(last_["findings"][0]["known"], true);
  run({"check", "--profile", "docker", "--baseline", baseline, "--", testprog("check_calls"), "keyctl",
       "mount"},
      1);
}

TEST_F(CheckE2E, WorkloadFailureIsReportedAndGatesOnRequest) {
  ProcessOutput result =
      run_process({seccheck_binary(), "check", "-q", "--profile", "docker", "--", "/bin/false"});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_NE(result.out.find("exit status 1"), std::string::npos) << result.out;
  result = run_process({seccheck_binary(), "check", "-q", "--fail-on-workload-error", "--profile", "docker",
                        "--", "/bin/false"});
  EXPECT_EQ(result.exit_status, 1) << result.err;
}

// `--` ends seccheck's options even right after a repeatable one: the `-c` below is the
// shell's (CLI11 on its own would take it as seccheck's after `--profile docker --`).
TEST_F(CheckE2E, EverythingAfterDoubleDashIsTheWorkloads) {
  const std::vector<std::string> shell = {"--", "/bin/sh", "-c", "exit 3"};
  const std::vector<std::vector<std::string>> cases = {
      {"check", "-q", "--profile", "docker"},
      {"check", "-q", "--cap-add", "SYS_ADMIN"},
      {"check", "-q", "--profile", "docker", "--cap-drop", "ALL"},
  };
  for (const std::vector<std::string>& options : cases) {
    std::vector<std::string> argv = {seccheck_binary()};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.insert(argv.end(), shell.begin(), shell.end());
    ProcessOutput result = run_process(argv);
    EXPECT_EQ(result.exit_status, 0) << options.back() << ": " << result.err;
    EXPECT_NE(result.out.find("exit status 3"), std::string::npos) << options.back() << ": " << result.out;
  }
  ProcessOutput traced = run_process(
      {seccheck_binary(), "trace", "-o", "/dev/null", "-e", "trace=acct", "--", "/bin/sh", "-c", "exit 3"});
  EXPECT_EQ(traced.exit_status, 3) << traced.err;
}

TEST_F(CheckE2E, BadInputIsOneLineWithExitTwo) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"check", "--", "/nonexistent/program"}, "/nonexistent/program"},
      {{"check", "--profile", "dockr", "--", "/bin/true"}, "dockr"},
      {{"check", "--profile", "/nonexistent.json", "--", "/bin/true"}, "/nonexistent.json"},
      {{"check", "--cap-add", "SYS_NOPE", "--", "/bin/true"}, "SYS_NOPE"},
      {{"check", "--profile", "docker", "crio", "--", "/bin/true"}, "--profile docker --profile crio"},
      {{"diff", "/nonexistent-record.json"}, "/nonexistent-record.json"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = {seccheck_binary()};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    ProcessOutput result = run_process(argv);
    EXPECT_EQ(result.exit_status, 2) << c.args[1] << ": " << result.err;
    EXPECT_NE(result.err.find(c.message), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
}

}  // namespace
}  // namespace seccheck::testing
