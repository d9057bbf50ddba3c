// End to end: `seccheck check --impact` on testprogs whose reaction to each answer is known,
// against the latest Docker, containerd and containers-common catalog profiles (and a KILL
// profile of the test's own), asserting each finding's impact, fallback and fix, and the gate.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/run_process.h"

namespace seccheck::testing {
namespace {

// "profile: impact [fell back to ...] [fix]" per finding key.
using Impacts = std::map<std::string, std::vector<std::string>>;

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const std::vector<std::string> kLatest = {"--profile",  "docker",    "--profile",
                                          "containerd", "--profile", "crio"};

class ImpactE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/seccheck-impact-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  Impacts run(const std::vector<std::string>& options, const std::string& program, int expected_exit) {
    const std::string report = dir_ + "/report.json";
    std::vector<std::string> argv = {seccheck_binary(), "check", "--impact", "--stack", "0",
                                     "--format",        "json",  "-o",       report,    "-q"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back("--");
    argv.push_back(testprog(program));
    ProcessOutput result = run_process(argv, 120);
    EXPECT_EQ(result.exit_status, expected_exit) << result.err;
    last_ = nlohmann::json::parse(read_file(report));
    Impacts impacts;
    for (const auto& finding : last_["findings"]) {
      std::vector<std::string> texts;
      for (const auto& impact : finding["impact"]) {
        std::string text = impact["profile"].get<std::string>() + ": " + impact["impact"].get<std::string>();
        for (const auto& call : impact["fell_back_to"])
          text += " fell back to " + call.get<std::string>();
        if (impact["fix"] != "none") text += " fix " + impact["fix"].get<std::string>();
        texts.push_back(text);
      }
      impacts[finding["key"]] = texts;
    }
    return impacts;
  }

  std::string dir_;
  nlohmann::json last_;
};

const std::string kDocker = "docker@29.4.3: ";
const std::string kContainerd = "containerd@2.3.4: ";
const std::string kCrio = "containers-common@0.67.0: ";

TEST_F(ImpactE2E, PthreadCreateRecoversFromClone3EnosysByFallingBackToClone) {
  const Impacts impacts = run(kLatest, "impact_threads", 0);
  EXPECT_EQ(
      impacts,
      (Impacts{{"x86_64/clone3",
                {kDocker + "recovers fell back to clone", kContainerd + "recovers fell back to clone"}}}));
  EXPECT_EQ(last_["summary"]["gate"], "pass");
  EXPECT_EQ(last_["gate_mode"], "breaking");
  // Docker and containerd answer every call of that run alike: one run serves both.
  EXPECT_EQ(last_["impact"]["runs"], 1);
  // The same report under today's gate fails.
  run(concat(kLatest, {"--gate", "any"}), "impact_threads", 1);
}

TEST_F(ImpactE2E, AProgramThatNeedsAUserNamespaceBreaks) {
  const Impacts impacts = run(kLatest, "gen_unshare_user", 1);
  // containers-common allows unshare; Docker and containerd deny it, and ENOSYS does not help.
  EXPECT_EQ(impacts,
            (Impacts{{"x86_64/unshare", {kDocker + "breaks fix allow", kContainerd + "breaks fix allow"}}}));
  EXPECT_EQ(last_["findings"][0]["impact"][0]["outcome"], "exit status 1");
  EXPECT_EQ(last_["summary"]["gate"], "fail");
}

TEST_F(ImpactE2E, AnIoUringProbeRecoversUnderEperm) {
  // Its output says whether io_uring worked, so only the exit status is compared.
  const Impacts impacts = run(kLatest, "impact_io_uring_probe", 0);
  ASSERT_EQ(impacts.count("x86_64/io_uring_setup"), 1u);
  const std::vector<std::string> texts = impacts.at("x86_64/io_uring_setup");
  EXPECT_FALSE(texts.empty());
  for (const std::string& text : texts)
    EXPECT_NE(text.find(": recovers"), std::string::npos) << text;
  EXPECT_EQ(last_["findings"][0]["impact"][0]["profile"], "docker@29.4.3");
  EXPECT_EQ(last_["findings"][0]["impact"][0]["answer"], "ERRNO(EPERM)");
}

TEST_F(ImpactE2E, ARetryOnlyOnEnosysBreaksWithEpermAndRecoversWithTheProposedEnosys) {
  const Impacts impacts = run(kLatest, "impact_retry_enosys", 1);
  EXPECT_EQ(impacts, (Impacts{{"x86_64/add_key",
                               {kDocker + "breaks fix errno_enosys", kContainerd + "breaks fix errno_enosys",
                                kCrio + "recovers"}}}));
  EXPECT_EQ(last_["findings"][0]["impact"][0]["fix_outcome"], "exit status 0");
}

TEST_F(ImpactE2E, GenerateTakesTheImpactAndAddsOnlyWhatIsNeeded) {
  run({"--profile", "docker"}, "impact_retry_enosys", 1);
  const std::string profile = dir_ + "/retry.json";
  ProcessOutput generated = run_process(
      {seccheck_binary(), "generate", "--impact", dir_ + "/report.json", "--base", "docker", "-o", profile});
  ASSERT_EQ(generated.exit_status, 0) << generated.err;
  const nlohmann::json json = nlohmann::json::parse(read_file(profile));
  std::vector<nlohmann::json> add_key;
  for (const auto& rule : json["syscalls"])
    for (const auto& name : rule["names"])
      if (name == "add_key") add_key.push_back(rule);
  ASSERT_EQ(add_key.size(), 1u) << json.dump(1);
  EXPECT_EQ(add_key[0]["action"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(add_key[0]["errnoRet"], 38);
  // The profile keeps add_key blocked, and the workload runs under it.
  ProcessOutput verified =
      run_process({seccheck_binary(), "verify", "--profile", profile, "--", testprog("impact_retry_enosys")});
  EXPECT_EQ(verified.exit_status, 1) << verified.err;  // still blocked: the gate reports it
  EXPECT_NE(verified.err.find("exited with status 0 under the profile, as it does without it"),
            std::string::npos)
      << verified.err;

  // A workload that recovers from everything needs nothing added.
  run({"--profile", "docker"}, "impact_threads", 0);
  generated = run_process({seccheck_binary(), "generate", "--impact", dir_ + "/report.json", "-o", profile});
  ASSERT_EQ(generated.exit_status, 0) << generated.err;
  EXPECT_NE(generated.err.find("0 rules added"), std::string::npos) << generated.err;
}

TEST_F(ImpactE2E, AKillActionBreaks) {
  const std::string profile = dir_ + "/kill-getcpu.json";
  std::ofstream(profile)
      << R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getcpu"], "action": "SCMP_ACT_KILL_PROCESS"}]})";
  const Impacts impacts = run({"--profile", profile}, "impact_killed", 1);
  ASSERT_EQ(impacts.count("x86_64/getcpu"), 1u);
  EXPECT_EQ(impacts.at("x86_64/getcpu"), std::vector<std::string>{profile + ": breaks fix allow"});
  EXPECT_EQ(last_["findings"][0]["impact"][0]["outcome"], "killed by SIGSYS");
}

TEST_F(ImpactE2E, OutputThatDiffersRunToRunIsUnstable) {
  const Impacts impacts = run(concat(kLatest, {"--impact-output"}), "impact_unstable", 1);
  EXPECT_EQ(impacts,
            (Impacts{{"x86_64/acct", {kDocker + "unstable", kContainerd + "unstable", kCrio + "unstable"}}}));
  EXPECT_TRUE(last_["impact"]["unstable"].get<bool>());
  // Without comparing output the exit status is stable and acct's EPERM is survived.
  const Impacts plain = run(kLatest, "impact_unstable", 0);
  EXPECT_EQ(plain.at("x86_64/acct"),
            (std::vector<std::string>{kDocker + "recovers", kContainerd + "recovers", kCrio + "recovers"}));
}

TEST_F(ImpactE2E, ARunThatDoesNotEndWithinTheTimeoutBreaks) {
  const Impacts impacts = run({"--profile", "docker", "--impact-timeout", "1"}, "impact_hangs", 1);
  EXPECT_EQ(impacts, (Impacts{{"x86_64/acct", {kDocker + "breaks fix allow"}}}));
  EXPECT_EQ(last_["findings"][0]["impact"][0]["outcome"], "no exit within the timeout");
}

TEST_F(ImpactE2E, TheDiscoveryRunsOutputIsShownOnceAndTheRunsAreCounted) {
  ProcessOutput result = run_process({seccheck_binary(), "check", "--impact", "--impact-output", "--stack",
                                      "0", "--profile", "docker", "--", testprog("impact_threads")});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  // The workload's line once (the re-runs' stdout is captured), then the report.
  EXPECT_EQ(result.out.find("36 49\n"), 0u) << result.out;
  EXPECT_EQ(result.out.find("36 49", 1), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("  impact:   1 run after the discovery run (1 group test), "), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("reference: exit status 0, stdout compared"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("impact: docker@29.4.3 ERRNO(ENOSYS): recovers (fell back to clone)"),
            std::string::npos)
      << result.out;
}

TEST_F(ImpactE2E, ImpactOptionsNeedImpact) {
  ProcessOutput result =
      run_process({seccheck_binary(), "check", "--gate", "breaking", "--", testprog("impact_threads")});
  EXPECT_EQ(result.exit_status, 2) << result.err;
  EXPECT_NE(result.err.find("need --impact"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace seccheck::testing
