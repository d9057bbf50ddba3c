// End to end: the real `seccheck scan` and `check --scan` binary on the testprogs built for the
// scan (an import used only on a path no run takes, syscall(SYS_keyctl) with a constant, an
// inline `syscall` instruction, a static binary), asserting the exact findings, where they were
// found, how every format marks them, the gate and the exit codes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/run_process.h"

namespace seccheck::testing {
namespace {

// Finding key -> "SOURCE LABEL|LABEL..." (one label per profile, in profile order).
using Findings = std::map<std::string, std::string>;
// "function how via" of each site of a finding.
using Sites = std::vector<std::string>;

class ScanE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/seccheck-scan-e2e-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  // Runs `seccheck ARGS` with a JSON report to a file (inserted before `--` for check); returns
  // the findings and keeps the report in last_.
  Findings run(std::vector<std::string> args, int expected_exit) {
    const std::string report = dir_ + "/report.json";
    std::vector<std::string> argv = {seccheck_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto at = std::find(argv.begin(), argv.end(), "--");
    std::vector<std::string> output = {"--format", "json", "-o", report, "-q"};
    if (argv[1] == "check") output.insert(output.end(), {"--stack", "0"});
    argv.insert(at, output.begin(), output.end());
    ProcessOutput result = run_process(argv, 120);
    EXPECT_EQ(result.exit_status, expected_exit) << result.err;
    last_ = nlohmann::json::parse(read_file(report));
    Findings findings;
    for (const auto& finding : last_["findings"]) {
      std::string labels = finding["source"].get<std::string>() + " ";
      for (const auto& verdict : finding["verdicts"])
        labels += (labels.back() == ' ' ? "" : "|") + verdict["label"].get<std::string>();
      findings[finding["key"]] = labels;
    }
    return findings;
  }

  Sites sites(const std::string& key) const {
    Sites out;
    for (const auto& finding : last_["findings"])
      if (finding["key"] == key)
        for (const auto& site : finding["sites"])
          out.push_back(site["function"].get<std::string>() + " " + site["how"].get<std::string>() + " " +
                        site["via"].get<std::string>());
    return out;
  }

  std::string dir_;
  nlohmann::json last_;
};

const std::string kEperm = "ERRNO(EPERM)";

TEST_F(ScanE2E, ImportOnAPathNoRunTakes) {
  EXPECT_EQ(run({"scan", "--profile", "docker", testprog("scan_unshare_unused")}, 1),
            (Findings{{"x86_64/unshare", "reachable " + kEperm}}));
  EXPECT_EQ(sites("x86_64/unshare"), Sites{"main imported unshare"});
  const auto& finding = last_["findings"][0];
  EXPECT_EQ(finding["pattern"], "unshare(flags=CLONE_NEWUSER)") << "the constant at the call site";
  EXPECT_EQ(finding["sites"][0]["module"], testprog("scan_unshare_unused"));
  EXPECT_EQ(last_["input"], "scan");
  EXPECT_EQ(last_["scan"]["executables"], nlohmann::json::array({testprog("scan_unshare_unused")}));
  EXPECT_EQ(last_["scan"]["modules"], 3) << "the program, the dynamic loader and libc";
  EXPECT_EQ(last_["summary"]["gate"], "fail");
}

TEST_F(ScanE2E, SyscallFunctionWithAConstantNumber) {
  EXPECT_EQ(run({"scan", "--profile", "docker", testprog("scan_keyctl_syscall")}, 1),
            (Findings{{"x86_64/keyctl", "reachable " + kEperm}}));
  EXPECT_EQ(sites("x86_64/keyctl"), Sites{"main syscall() syscall"});
}

TEST_F(ScanE2E, InlineSyscallInstructionIsEvaluatedExactly) {
  // AF_VSOCK (40) as a constant: every catalog runtime's latest profile blocks it.
  EXPECT_EQ(run({"scan", "--profile", "docker", "--profile", "containerd", "--profile", "crio",
                 testprog("scan_inline_syscall")},
                1),
            (Findings{{"x86_64/socket/arg0=0x28", "reachable " + kEperm + "|" + kEperm + "|" + kEperm}}));
  EXPECT_EQ(sites("x86_64/socket/arg0=0x28"), Sites{"vsock_socket direct "});
  for (const auto& verdict : last_["findings"][0]["verdicts"])
    EXPECT_EQ(verdict["exact"], true) << verdict["profile"];
  EXPECT_EQ(last_["findings"][0]["pattern"], "socket(AF_VSOCK, SOCK_STREAM, 0)");
}

TEST_F(ScanE2E, StaticBinaryHoldsLibcsMount) {
  EXPECT_EQ(run({"scan", "--profile", "docker", testprog("scan_mount_static")}, 1),
            (Findings{{"x86_64/mount", "reachable " + kEperm}}));
  EXPECT_EQ(sites("x86_64/mount"), (Sites{"main imported mount", "__mount direct "}));
  EXPECT_EQ(last_["scan"]["modules"], 1) << "a static binary loads nothing";
  EXPECT_GT(last_["scan"]["code_bytes"], 100000) << "libc's code is the program's";
}

TEST_F(ScanE2E, NothingBlockedPassesTheGate) {
  EXPECT_EQ(
      run({"scan", "--profile", "docker", "--cap-add", "SYS_ADMIN", testprog("scan_unshare_unused")}, 0),
      Findings{});
  EXPECT_EQ(last_["summary"]["gate"], "pass");
}

TEST_F(ScanE2E, CheckScanAddsReachableNotExercisedWithoutFailingTheGate) {
  EXPECT_EQ(run({"check", "--scan", "--profile", "docker", "--", testprog("scan_unshare_unused")}, 0),
            (Findings{{"x86_64/unshare", "reachable " + kEperm}}));
  EXPECT_EQ(last_["input"], "run");
  EXPECT_EQ(last_["scan"]["executables"], nlohmann::json::array({testprog("scan_unshare_unused")}))
      << "the program the run executed";
  EXPECT_EQ(last_["summary"]["gate"], "pass");
  EXPECT_EQ(last_["summary"]["reachable"], 1);
}

TEST_F(ScanE2E, GateReachableFailsOnThem) {
  EXPECT_EQ(run({"check", "--scan", "--gate", "reachable", "--profile", "docker", "--",
                 testprog("scan_unshare_unused")},
                1),
            (Findings{{"x86_64/unshare", "reachable " + kEperm}}));
  EXPECT_EQ(last_["gate_mode"], "reachable");
}

TEST_F(ScanE2E, ACallTheRunMadeIsNotRepeatedAsReachable) {
  EXPECT_EQ(
      run({"check", "--scan", "--profile", "docker", "--", testprog("scan_unshare_unused"), "--isolate"}, 1),
      (Findings{{"x86_64/unshare", "run " + kEperm}}));
}

TEST_F(ScanE2E, EveryProgramTheRunExecutedIsScanned) {
  // The shell forks and executes the program: both are in the record and both are scanned.
  const std::string record = dir_ + "/record.json";
  const std::string shell = std::filesystem::canonical("/bin/sh").string();
  Findings findings = run({"check", "--scan", "--profile", "docker", "--record", record, "--", "/bin/sh",
                           "-c", testprog("scan_unshare_unused") + "; true"},
                          0);
  EXPECT_EQ(findings.count("x86_64/unshare"), 1u) << "from the program the shell executed";
  // Sorted by path (RunRecord::executables), wherever the build folder is.
  std::vector<std::string> executed = {shell, testprog("scan_unshare_unused")};
  std::sort(executed.begin(), executed.end());
  EXPECT_EQ(last_["scan"]["executables"], nlohmann::json(executed));
  const nlohmann::json saved = nlohmann::json::parse(read_file(record));
  EXPECT_EQ(saved["executables"], nlohmann::json(executed)) << "the record keeps what the run executed";
}

TEST_F(ScanE2E, WithoutScanNothingIsScanned) {
  EXPECT_EQ(run({"check", "--profile", "docker", "--", testprog("scan_unshare_unused")}, 0), Findings{});
  EXPECT_TRUE(last_["scan"].is_null());
}

TEST_F(ScanE2E, EveryFormatMarksReachableFindings) {
  const std::string program = testprog("scan_unshare_unused");
  // To a file: the workload prints to standard output too.
  auto output = [&](const std::string& format) {
    const std::string path = dir_ + "/report." + format;
    ProcessOutput out = run_process({seccheck_binary(), "check", "-q", "--scan", "--stack", "0", "--profile",
                                     "docker", "--format", format, "-o", path, "--", program},
                                    120);
    EXPECT_EQ(out.exit_status, 0) << format << ": " << out.err;
    return read_file(path);
  };
  const std::string text = output("text");
  EXPECT_NE(text.find("[new] [reachable, not exercised] unshare(flags=CLONE_NEWUSER)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("sites:  main (" + program + "+0x"), std::string::npos) << text;
  const std::string markdown = output("markdown");
  EXPECT_NE(markdown.find("reachable, not exercised"), std::string::npos) << markdown;
  const nlohmann::json sarif = nlohmann::json::parse(output("sarif"));
  const auto& result = sarif["runs"][0]["results"][0];
  EXPECT_EQ(result["level"], "warning");
  EXPECT_EQ(result["properties"]["source"], "reachable");
  EXPECT_EQ(result["message"]["text"].get<std::string>().rfind("Reachable, not exercised by the run: ", 0),
            0u)
      << result["message"];
  const std::string junit = output("junit");
  EXPECT_NE(junit.find("<skipped message=\"reachable, not exercised: ERRNO(EPERM)\""), std::string::npos)
      << junit;
  EXPECT_EQ(junit.find("<failure"), std::string::npos) << junit;
}

// A root filesystem holding the static test program (it needs no libraries) and a file that is
// not ELF, as an OCI bundle whose process runs the program by name.
class ScanRootE2E : public ScanE2E {
 protected:
  void SetUp() override {
    ScanE2E::SetUp();
    namespace fs = std::filesystem;
    fs::create_directories(dir_ + "/bundle/rootfs/usr/bin");
    fs::create_directories(dir_ + "/bundle/rootfs/etc");
    fs::copy_file(testprog("scan_mount_static"), dir_ + "/bundle/rootfs/usr/bin/mounter");
    std::ofstream(dir_ + "/bundle/rootfs/usr/bin/script.sh") << "#!/bin/sh\nexit 0\n";
    fs::create_directory_symlink("usr/bin", dir_ + "/bundle/rootfs/bin");
    std::ofstream(dir_ + "/bundle/config.json") << R"({"ociVersion": "1.0.2", "root": {"path": "rootfs"},
              "process": {"args": ["mounter", "/a", "/b"], "env": ["PATH=/bin"], "cwd": "/"}})";
  }
};

TEST_F(ScanRootE2E, BundleScansItsProcessInItsRoot) {
  EXPECT_EQ(run({"scan", "--profile", "docker", "--bundle", dir_ + "/bundle"}, 1),
            (Findings{{"x86_64/mount", "reachable " + kEperm}}));
  EXPECT_EQ(last_["scan"]["executables"], nlohmann::json::array({"/bin/mounter"}))
      << "found in the root's PATH, named as inside the root";
}

TEST_F(ScanRootE2E, RootfsFolderIsWalkedForElfFiles) {
  EXPECT_EQ(run({"scan", "--profile", "docker", "--rootfs", dir_ + "/bundle/rootfs", "/usr/bin"}, 1),
            (Findings{{"x86_64/mount", "reachable " + kEperm}}));
  EXPECT_EQ(last_["scan"]["executables"], nlohmann::json::array({"/usr/bin/mounter"}))
      << "script.sh is no ELF";
  EXPECT_EQ(last_["findings"][0]["sites"][0]["module"], "/usr/bin/mounter");
}

TEST_F(ScanRootE2E, InputErrorsExitTwo) {
  ProcessOutput missing = run_process({seccheck_binary(), "scan", dir_ + "/nonexistent"});
  EXPECT_EQ(missing.exit_status, 2);
  EXPECT_EQ(missing.err, "seccheck: " + dir_ + "/nonexistent: No such file or directory\n");
  ProcessOutput not_elf = run_process({seccheck_binary(), "scan", dir_ + "/bundle/rootfs/usr/bin/script.sh"});
  EXPECT_EQ(not_elf.exit_status, 2);
  EXPECT_NE(not_elf.err.find("script.sh"), std::string::npos) << not_elf.err;
  ProcessOutput no_bundle = run_process({seccheck_binary(), "scan", "--bundle", dir_});
  EXPECT_EQ(no_bundle.exit_status, 2);
  EXPECT_NE(no_bundle.err.find("config.json"), std::string::npos) << no_bundle.err;
  ProcessOutput nothing = run_process({seccheck_binary(), "scan"});
  EXPECT_EQ(nothing.exit_status, 2) << nothing.err;
  ProcessOutput gate_without_scan =
      run_process({seccheck_binary(), "check", "--gate", "reachable", "--", "/bin/true"});
  EXPECT_EQ(gate_without_scan.exit_status, 2);
  EXPECT_EQ(gate_without_scan.err,
            "seccheck: --gate reachable: reachable findings come from --scan; add it\n");
}

}  // namespace
}  // namespace seccheck::testing
