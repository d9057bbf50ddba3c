// The real binary: `seccheck audit` on the fixtures (formats, gate, --allow-lost, --since,
// standard input), `generate --log-only` and `--from-audit`, `profiles within`, and arm64 / arm
// calls in `explain --arch` and `diff`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/support/run_process.h"

namespace seccheck::testing {
namespace {

std::string fixture(const std::string& name) {
  return std::string(SECCHECK_AUDIT_FIXTURES) + "/" + name;
}

class AuditCli : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/seccheck-audit-cli-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  ProcessOutput seccheck(std::vector<std::string> args) {
    args.insert(args.begin(), seccheck_binary());
    return run_process(args, 120);
  }
  // `seccheck audit ARGS --format json`: the report.
  nlohmann::json audit_json(std::vector<std::string> args, int expected_exit) {
    const std::string report = dir_ + "/report.json";
    args.insert(args.begin(), "audit");
    args.insert(args.end(), {"--format", "json", "-o", report, "-q"});
    ProcessOutput out = seccheck(args);
    EXPECT_EQ(out.exit_status, expected_exit) << out.err;
    return nlohmann::json::parse(read_file(report));
  }
  static std::set<std::string> keys(const nlohmann::json& report) {
    std::set<std::string> out;
    for (const auto& finding : report["findings"])
      out.insert(finding["key"].get<std::string>());
    return out;
  }
  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  std::string dir_;
};

TEST_F(AuditCli, AuditdLogAgainstDocker) {
  nlohmann::json report = audit_json({fixture("auditd_raw.log"), "--profile", "docker"}, 1);
  // unshare, x32 keyctl and mount are blocked by docker; i386 ptrace is allowed (kernel >= 4.8).
  EXPECT_EQ(keys(report), (std::set<std::string>{"x86_64/unshare", "x32/keyctl", "x86_64/mount"}));
  // The unreadable record line (no syscall=) and the missing serial are lost records.
  ASSERT_TRUE(report.contains("records_lost"));
  EXPECT_EQ(report["records_lost"].size(), 2u);
  EXPECT_EQ(report["summary"]["gate"], "fail");
}

TEST_F(AuditCli, LossFailsTheGateUnlessAllowed) {
  const std::string log =
      write("quiet.log", "[ 1.0] audit: type=1326 audit(1700000000.000:5): pid=1 comm=\"a\" exe=\"/a\" sig=0 "
                         "arch=c000003e syscall=39 compat=0 ip=0x1 code=0x7ffc0000\n"
                         "[ 6.0] kauditd_printk_skb: 4 callbacks suppressed\n");
  nlohmann::json strict = audit_json({log, "--profile", "docker"}, 1);
  EXPECT_TRUE(strict["findings"].empty());
  EXPECT_NE(
      strict["summary"]["gate_text"].get<std::string>().find("FAIL: records are missing from the input"),
      std::string::npos);
  nlohmann::json allowed = audit_json({log, "--profile", "docker", "--allow-lost"}, 0);
  EXPECT_TRUE(allowed["allow_lost"].get<bool>());
  EXPECT_EQ(allowed["summary"]["gate"], "pass");
}

TEST_F(AuditCli, SinceAndStandardInput) {
  // kmsg.log: x32 uname at 1796416333 (allowed) and keyctl at 1796416338.
  nlohmann::json all = audit_json({fixture("kmsg.log"), "--profile", "docker", "--allow-lost"}, 1);
  EXPECT_EQ(keys(all), (std::set<std::string>{"x86_64/keyctl"}));
  nlohmann::json later =
      audit_json({fixture("kmsg.log"), "--profile", "docker", "--since", "@1796416400"}, 0);
  EXPECT_TRUE(later["findings"].empty());
  const std::string report = dir_ + "/stdin.json";
  ProcessOutput out = run_process({"/bin/sh", "-c",
                                   seccheck_binary() + " audit - --profile docker --format json -q -o " +
                                       report + " < " + fixture("journal.json")});
  EXPECT_EQ(out.exit_status, 1) << out.err;
  EXPECT_EQ(keys(nlohmann::json::parse(read_file(report))),
            (std::set<std::string>{"x86_64/unshare", "x86_64/keyctl", "x86_64/mount", "x86_64/bpf"}));
}

// --follow prints each finding as its first record arrives and writes the report when interrupted.
TEST_F(AuditCli, FollowUntilInterrupted) {
  const std::string log =
      write("follow.log", "type=SECCOMP msg=audit(1700000000.000:1): pid=7 comm=\"a\" exe=\"/a\" sig=0 "
                          "arch=c000003e syscall=272 compat=0 ip=0x1 code=0x7ffc0000\n");
  const std::string report = dir_ + "/follow.json";
  RunOptions options;
  options.signal = SIGINT;
  options.signal_after_output = "x86_64/unshare";
  options.signal_delay_ms = 300;
  options.timeout_seconds = 60;
  ProcessRun run = run_process_with({seccheck_binary(), "audit", log, "--follow", "--profile", "docker",
                                     "--format", "json", "-o", report, "-q"},
                                    options);
  EXPECT_TRUE(run.signal_sent);
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.output.exit_status, 1) << run.output.err;
  EXPECT_NE(run.output.out.find("2023-11-14T22:13:20.000Z x86_64/unshare /a: LOG; docker@"),
            std::string::npos)
      << run.output.out;
  nlohmann::json json = nlohmann::json::parse(read_file(report));
  EXPECT_EQ(keys(json), (std::set<std::string>{"x86_64/unshare"}));
  EXPECT_TRUE(json["interrupted"].get<bool>());
}

TEST_F(AuditCli, TextReportNamesArgumentDependenceAndContainersless) {
  const std::string log =
      write("clone.log", "type=SECCOMP msg=audit(1700000000.000:1): pid=7 comm=\"a\" exe=\"/a\" "
                         "sig=0 arch=c000003e syscall=56 compat=0 ip=0x1 code=0x7ffc0000\n");
  ProcessOutput out = seccheck({"audit", log, "--profile", "docker"});
  EXPECT_EQ(out.exit_status, 1) << out.err;
  EXPECT_NE(out.err.find("x86_64/clone (/a): the record has no arguments"), std::string::npos) << out.err;
  EXPECT_NE(out.out.find("seccheck audit: " + log), std::string::npos) << out.out;
  EXPECT_NE(out.out.find("[new] clone(...)  x86_64  1 call"), std::string::npos) << out.out;
  EXPECT_EQ(out.out.find("stack:"), std::string::npos) << "records have no stacks\n" << out.out;
  ProcessOutput markdown = seccheck({"audit", log, "--profile", "docker", "--format", "markdown"});
  EXPECT_NE(markdown.out.find("(kernel seccomp records)"), std::string::npos) << markdown.out;
  EXPECT_EQ(markdown.out.find("exit status"), std::string::npos) << "no workload\n" << markdown.out;
}

TEST_F(AuditCli, GenerateLogOnlyForms) {
  ProcessOutput oci = seccheck({"generate", "--log-only", "--base", "docker", "--for", "containerd", "-q"});
  ASSERT_EQ(oci.exit_status, 0) << oci.err;
  nlohmann::json profile = nlohmann::json::parse(oci.out);
  EXPECT_EQ(profile["defaultAction"], "SCMP_ACT_LOG");
  EXPECT_FALSE(profile.contains("defaultErrnoRet"));
  for (const auto& rule : profile["syscalls"])
    EXPECT_TRUE(rule["action"] == "SCMP_ACT_ALLOW" || rule["action"] == "SCMP_ACT_LOG") << rule.dump();
  ProcessOutput spo =
      seccheck({"generate", "--log-only", "--base", "crio", "--format", "spo", "--name", "web"});
  ASSERT_EQ(spo.exit_status, 0) << spo.err;
  EXPECT_NE(spo.out.find("defaultAction: SCMP_ACT_LOG"), std::string::npos);
  EXPECT_NE(spo.out.find("name: web"), std::string::npos);
  // Podman's capabilities: the AF_VSOCK rule of containers-common 0.67 cannot be copied exactly.
  ProcessOutput gap = seccheck({"generate", "--log-only", "--base", "containers-common@0.67.0", "--cap-drop",
                                "AUDIT_WRITE,MKNOD,NET_RAW", "-q"});
  EXPECT_EQ(gap.exit_status, 1);
  EXPECT_NE(gap.err.find("the log-only copy does not log socket"), std::string::npos) << gap.err;
  ProcessOutput both = seccheck({"generate", "--log-only", "--from-audit", fixture("kmsg.log")});
  EXPECT_EQ(both.exit_status, 2);
}

TEST_F(AuditCli, GenerateFromAuditIsWithinItsBasePlusAdditions) {
  const std::string out_path = dir_ + "/from-audit.json";
  ProcessOutput generated = seccheck({"generate", "--from-audit", fixture("journal.json"), "--base", "docker",
                                      "--name", "from-audit", "-o", out_path, "-q"});
  ASSERT_EQ(generated.exit_status, 0) << generated.err;
  ProcessOutput within = seccheck({"profiles", "within", out_path, "docker"});
  EXPECT_EQ(within.exit_status, 1) << within.err;
  // What it allows beyond docker is exactly the logged calls, on each ABI of the node (a profile
  // names calls, and its rules apply to every architecture it lists).
  for (const char* abi : {"x86_64", "i386", "x32"})
    for (const char* name : {"unshare", "keyctl", "mount", "bpf"})
      EXPECT_NE(within.out.find(std::string(name) + " on " + abi), std::string::npos)
          << name << " on " << abi << "\n"
          << within.out;
  EXPECT_NE(within.out.find("allows 12 calls"), std::string::npos) << within.out;
  // The audit of the same log against the new profile passes.
  audit_json({fixture("journal.json"), "--profile", out_path, "--allow-lost"}, 0);
}

TEST_F(AuditCli, ProfilesWithin) {
  ProcessOutput same = seccheck({"profiles", "within", "docker", "docker"});
  EXPECT_EQ(same.exit_status, 0) << same.err;
  EXPECT_NE(same.out.find("is within docker@"), std::string::npos) << same.out;
  ProcessOutput older = seccheck({"profiles", "within", "docker@20.10.0", "docker@25.0.3"});
  EXPECT_EQ(older.exit_status, 1);
  EXPECT_NE(older.out.find("socket [arg0 == 40] on x86_64"), std::string::npos) << older.out;
  EXPECT_NE(older.out.find("io_uring_setup on x86_64"), std::string::npos) << older.out;
  ProcessOutput arm = seccheck({"profiles", "within", "docker", "docker", "--arch", "aarch64"});
  EXPECT_EQ(arm.exit_status, 0) << arm.err;
  EXPECT_NE(arm.out.find("aarch64 host"), std::string::npos) << arm.out;
}

TEST_F(AuditCli, ArmCallsInExplainAndDiff) {
  ProcessOutput unshare = seccheck({"explain", "unshare", "--arch", "aarch64", "--profile", "docker"});
  EXPECT_EQ(unshare.exit_status, 1) << unshare.out << unshare.err;
  ProcessOutput fadvise = seccheck({"explain", "arm_fadvise64_64", "--arch", "arm", "--profile", "docker"});
  EXPECT_EQ(fadvise.exit_status, 0) << fadvise.out << fadvise.err;
  // A record from an arm64 node, re-checked offline.
  const std::string record =
      write("arm.json", R"({"seccheck_record": 1, "command": ["app"], "complete": true, "exit_status": 0,
    "calls": [{"arch": "aarch64", "nr": 97, "args": ["0x0", "0x0", "0x0", "0x0", "0x0", "0x0"], "count": 1},
              {"arch": "arm", "nr": 337, "args": ["0x0", "0x0", "0x0", "0x0", "0x0", "0x0"], "count": 2}]})");
  const std::string report = dir_ + "/diff.json";
  ProcessOutput diff =
      seccheck({"diff", record, "--profile", "docker", "--format", "json", "-o", report, "-q"});
  EXPECT_EQ(diff.exit_status, 1) << diff.err;
  EXPECT_EQ(keys(nlohmann::json::parse(read_file(report))),
            (std::set<std::string>{"aarch64/unshare", "arm/unshare"}));
}

}  // namespace
}  // namespace seccheck::testing
