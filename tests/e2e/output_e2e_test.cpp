// What seccheck writes and where (issue 19, items 5, 7, 8 and 9): every write is checked (a full
// device, a full file system, a closed pipe), output paths and the baseline are checked before
// the workload starts, empty option values are errors, and two outputs may not name one file.
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_fixture.h"

namespace seccheck::testing {
namespace {

// A write failed: a non-zero status and one line naming the error the kernel gave.
void expect_write_error(const ProcessOutput& result, const std::string& error, const std::string& what) {
  EXPECT_NE(result.exit_status, 0) << what << ": " << result.err;
  EXPECT_NE(result.err.find(error), std::string::npos) << what << ": " << result.err;
  EXPECT_EQ(line_count(result.err), 1u) << what << ": " << result.err;
}

class Outputs : public SeccheckE2E {
 protected:
  void SetUp() override {
    SeccheckE2E::SetUp();
    record_ = dir_ + "/run.json";
    ProcessOutput recorded = seccheck({"check", "-q", "--profile", "docker", "--stack", "0", "--record",
                                       record_, "-o", "/dev/null", "--", testprog("check_calls"), "keyctl"});
    ASSERT_EQ(recorded.exit_status, 1) << recorded.err;
  }
  std::string record_;
};

TEST_F(Outputs, FullDeviceIsAnErrorForEveryCommand) {
  const std::string calls = testprog("check_calls");
  const std::vector<std::vector<std::string>> to_file = {
      {"check", "-q", "--profile", "docker", "-o", "/dev/full", "--", calls, "keyctl"},
      {"check", "-q", "--profile", "docker", "--record", "/dev/full", "-o", "/dev/null", "--", calls,
       "keyctl"},
      {"diff", record_, "--profile", "docker", "-o", "/dev/full"},
      {"verify", "-q", "--profile", "docker", "-o", "/dev/full", "--", calls, "keyctl"},
      {"generate", "-q", "-o", "/dev/full", "--", calls, "keyctl"},
      {"generate", "-q", "--from", record_, "-o", "/dev/full"},
      {"merge", record_, record_, "-o", "/dev/full"},
      {"trace", "-o", "/dev/full", "--", calls, "keyctl"},
      {"trace", "--json", "-o", "/dev/full", "--", calls, "keyctl"},
      {"trace", "-c", "-o", "/dev/full", "--", calls, "keyctl"},
  };
  for (const auto& args : to_file) {
    ProcessOutput result = seccheck(args);
    expect_write_error(result, "No space left on device", args[0] + " " + args[1] + " " + args[2]);
    EXPECT_NE(result.err.find("/dev/full"), std::string::npos) << result.err;
  }
  // Standard output on the full device.
  const std::vector<std::string> to_stdout = {
      "check -q --profile docker -- \"${TESTPROGS}check_calls\" keyctl",
      "check -q --profile docker --format json -- \"${TESTPROGS}check_calls\" keyctl",
      "diff \"$DIR/run.json\" --format sarif",
      "verify -q --profile docker -- \"${TESTPROGS}check_calls\" keyctl",
      "generate -q --from \"$DIR/run.json\"",
      "merge \"$DIR/run.json\" \"$DIR/run.json\"",
      "profiles list",
      "profiles show docker --json",
      "explain clone --arg 0=0x10000000",
      "completion bash",
      "completion man",
      "--help",
  };
  for (const std::string& command : to_stdout) {
    ProcessOutput result = shell("\"$SECCHECK\" " + command + " > /dev/full");
    expect_write_error(result, "seccheck: standard output: write failed: No space left on device", command);
  }
}

TEST_F(Outputs, ClosedPipeIsAnError) {
  // The reader is gone before seccheck writes. A command that runs a workload keeps SIGPIPE
  // handled after the run (tracer/interrupt.h: a write error, not an interrupt), so the report's
  // write fails with EPIPE and says so, whatever SIGPIPE's disposition was. Commands that run
  // nothing die of SIGPIPE at its default (as other tools do), and say so when it is ignored.
  const std::string epipe = "seccheck: standard output: write failed: Broken pipe\nstatus 3\n";
  auto closed_pipe = [&](const std::string& command, bool ignore_sigpipe) {
    return shell(std::string(ignore_sigpipe ? "trap '' PIPE; " : "") + "(sleep 1; \"$SECCHECK\" " + command +
                 "; echo \"status $?\" >&2) | true")
        .err;
  };
  for (bool ignore_sigpipe : {false, true}) {
    const std::string err = closed_pipe("check -q --profile docker -- /bin/true", ignore_sigpipe);
    EXPECT_NE(err.find(epipe), std::string::npos)
        << "check, SIGPIPE ignored " << ignore_sigpipe << ": " << err;
  }
  const std::string killed = closed_pipe("profiles list", false);
  EXPECT_NE(killed.find("status 141"), std::string::npos) << killed;
  const std::string ignored = closed_pipe("profiles list", true);
  EXPECT_NE(ignored.find(epipe), std::string::npos) << ignored;
}

// A 64 KiB tmpfs in a mount namespace of the test's own: nothing outlives the test process.
class SmallFileSystem : public Outputs {
 protected:
  void SetUp() override {
    Outputs::SetUp();
    if (unshare(CLONE_NEWNS) != 0) GTEST_SKIP() << "cannot make a mount namespace (needs CAP_SYS_ADMIN)";
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      GTEST_SKIP() << "cannot make the mounts private";
    mount_ = dir_ + "/small";
    ASSERT_EQ(mkdir(mount_.c_str(), 0755), 0);
    if (mount("tmpfs", mount_.c_str(), "tmpfs", 0, "size=64k") != 0)
      GTEST_SKIP() << "cannot mount a tmpfs: " << std::strerror(errno);
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) umount2(mount_.c_str(), MNT_DETACH);
    Outputs::TearDown();
  }
  // Fills the file system but for about `left` bytes.
  void fill_leaving(std::size_t left) {
    std::ofstream filler(mount_ + "/filler", std::ios::binary);
    filler << std::string(std::size_t{64} * 1024 - left, 'x');
    filler.close();
  }
  std::string mount_;
  bool mounted_ = false;
};

TEST_F(SmallFileSystem, FillingUpIsAnErrorAndLeavesNoHalfFile) {
  fill_leaving(4096);
  const std::string report = mount_ + "/report.json";
  const std::string record = mount_ + "/record.json";
  ProcessOutput check = seccheck({"check", "-q", "--profile", "docker", "--format", "json", "-o", report,
                                  "--", testprog("check_calls"), "all"});
  expect_write_error(check, "-o " + report + ": write failed: No space left on device", "check -o");
  EXPECT_NE(check.err.find("(the partly written file was removed)"), std::string::npos) << check.err;
  EXPECT_FALSE(exists(report)) << "a truncated report was left behind";
  ProcessOutput recorded = seccheck({"check", "-q", "--profile", "docker", "--record", record, "-o",
                                     "/dev/null", "--", testprog("check_calls"), "all"});
  expect_write_error(recorded, "--record " + record + ": write failed: No space left on device", "--record");
  EXPECT_FALSE(exists(record));
  ProcessOutput traced =
      seccheck({"trace", "--json", "-o", mount_ + "/trace.jsonl", "--", "/bin/ls", "-lR", "/usr/include"});
  expect_write_error(traced, "No space left on device", "trace --json");
  EXPECT_EQ(traced.exit_status, 125) << traced.err;
}

// A typo in an output path must not cost a long run: these fail before the workload starts
// (the workload would create a marker file).
TEST_F(Outputs, PathsAreCheckedBeforeTheWorkloadStarts) {
  const std::string marker = dir_ + "/workload-ran";
  const std::vector<std::string> workload = {"--", "/bin/sh", "-c", "touch " + marker};
  const std::string profile = write("profile.json", R"({"defaultAction": "SCMP_ACT_ALLOW"})");
  const std::string missing_dir = dir_ + "/missing/r.txt";
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"check", "-o", missing_dir},
       "seccheck: -o " + missing_dir + ": cannot write: No such file or directory"},
      {{"check", "-o", dir_}, "seccheck: -o " + dir_ + ": cannot write: Is a directory"},
      {{"check", "--record", missing_dir},
       "seccheck: --record " + missing_dir + ": cannot write: No such file or directory"},
      {{"check", "--record", profile + "/r.json"},
       "seccheck: --record " + profile + "/r.json: cannot write: Not a directory"},
      {{"check", "--baseline", dir_ + "/missing.json"},
       "seccheck: baseline " + dir_ + "/missing.json: cannot read the report: No such file or directory"},
      {{"check", "--baseline", profile},
       "seccheck: baseline " + profile + ": not a seccheck JSON report (no \"schema_version\")"},
      {{"verify", "--profile", "docker", "-o", missing_dir},
       "seccheck: -o " + missing_dir + ": cannot write"},
      {{"verify", "--profile", "docker", "--baseline", dir_ + "/missing.json"},
       "seccheck: baseline " + dir_ + "/missing.json: cannot read the report"},
      {{"generate", "-o", missing_dir}, "seccheck: -o " + missing_dir + ": cannot write"},
      {{"trace", "-o", missing_dir}, "seccheck: -o " + missing_dir + ": cannot open for writing"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = c.args;
    args.insert(args.end(), workload.begin(), workload.end());
    ProcessOutput result = seccheck(args);
    EXPECT_NE(result.exit_status, 0) << c.args[1];
    EXPECT_EQ(result.err.rfind(c.message, 0), 0u) << result.err;
    EXPECT_EQ(line_count(result.err), 1u) << result.err;
    EXPECT_FALSE(exists(marker)) << c.args[0] << " " << c.args[1] << ": the workload ran first";
  }
  // And nothing is left in the output's directory by the check.
  ProcessOutput fine = seccheck({"check", "-q", "-o", dir_ + "/r.txt", "--", "/bin/true"});
  EXPECT_EQ(fine.exit_status, 0) << fine.err;
  EXPECT_EQ(run_process({"/bin/ls", "-A", dir_}).out, "profile.json\nr.txt\nrun.json\n");
}

TEST_F(Outputs, EmptyValuesAreErrors) {
  const std::string marker = dir_ + "/workload-ran";
  const std::vector<std::string> workload = {"--", "/bin/sh", "-c", "touch " + marker};
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"check", "--record", ""}, "--record"},
      {{"check", "--baseline", ""}, "--baseline"},
      {{"check", "-o", ""}, "--output"},
      {{"check", "--cap-add", ""}, "--cap-add"},
      {{"check", "--cap-drop", ""}, "--cap-drop"},
      {{"check", "--profile", ""}, "--profile"},
      {{"check", "--enforce", ""}, "--enforce"},
      {{"check", "--kernel", ""}, "--kernel"},
      {{"check", "--libseccomp", ""}, "--libseccomp"},
      {{"verify", "--profile", ""}, "--profile"},
      {{"generate", "--base", ""}, "--base"},
      {{"generate", "--name", ""}, "--name"},
      {{"generate", "-o", ""}, "--output"},
      {{"generate", "--from", ""}, "--from"},
      {{"trace", "-o", ""}, "--output"},
      {{"trace", "-e", ""}, "--expr"},
  };
  for (const auto& [options, name] : cases) {
    std::vector<std::string> args = options;
    args.insert(args.end(), workload.begin(), workload.end());
    ProcessOutput result = seccheck(args);
    EXPECT_EQ(result.exit_status, 2) << options[0] << " " << options[1];
    EXPECT_EQ(result.err, "seccheck: " + name + ": an empty value is not allowed (see seccheck --help)\n");
    EXPECT_FALSE(exists(marker)) << options[0] << " " << options[1] << ": the workload ran";
  }
  const std::vector<std::vector<std::string>> without_workload = {
      {"diff", ""},
      {"merge", "", record_},
      {"merge", record_, "-o", ""},
      {"explain", ""},
      {"explain", "clone", "--arg", ""},
      {"profiles", "show", ""},
      {"check", "--cap-add", "SYS_ADMIN,", "--", "/bin/true"}};
  for (const auto& args : without_workload) {
    ProcessOutput result = seccheck(args);
    EXPECT_EQ(result.exit_status, 2) << args[0] << ": " << result.err;
    EXPECT_EQ(line_count(result.err), 1u) << result.err;
  }
  // The workload's own arguments may be empty.
  ProcessOutput empty_argument = seccheck({"check", "-q", "--", "/bin/sh", "-c", "exit 0", ""});
  EXPECT_EQ(empty_argument.exit_status, 0) << empty_argument.err;
}

TEST_F(Outputs, TwoOutputsMayNotNameOneFile) {
  ASSERT_EQ(mkdir((dir_ + "/sub").c_str(), 0755), 0);
  ASSERT_EQ(symlink((dir_ + "/same.json").c_str(), (dir_ + "/link.json").c_str()), 0);
  const std::string marker = dir_ + "/workload-ran";
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {dir_ + "/same.json", dir_ + "/same.json"},
      {dir_ + "/sub/../same.json", dir_ + "/same.json"},
      {dir_ + "/link.json", dir_ + "/same.json"},
  };
  for (const auto& [record, report] : pairs) {
    ProcessOutput result =
        seccheck({"check", "--record", record, "-o", report, "--", "/bin/sh", "-c", "touch " + marker});
    EXPECT_EQ(result.exit_status, 2) << record;
    EXPECT_EQ(result.err,
              "seccheck: -o " + report + " and --record " + record +
                  " are one file: the second would overwrite the first; give each its own file\n");
    EXPECT_FALSE(exists(marker));
  }
  // An existing file through a hard link, and standard output redirected to the record.
  write("existing.json", "{}");
  ASSERT_EQ(link((dir_ + "/existing.json").c_str(), (dir_ + "/hard.json").c_str()), 0);
  ProcessOutput hard =
      seccheck({"check", "--record", dir_ + "/hard.json", "-o", dir_ + "/existing.json", "--", "/bin/true"});
  EXPECT_EQ(hard.exit_status, 2) << hard.err;
  ProcessOutput redirected =
      shell("\"$SECCHECK\" check --record \"$DIR/out.json\" -- /bin/true > \"$DIR/out.json\"");
  EXPECT_EQ(redirected.exit_status, 2) << redirected.err;
  EXPECT_NE(redirected.err.find("standard output and --record"), std::string::npos) << redirected.err;
  // Writing both to /dev/null loses nothing.
  ProcessOutput null =
      seccheck({"check", "-q", "--record", "/dev/null", "-o", "/dev/null", "--", "/bin/true"});
  EXPECT_EQ(null.exit_status, 0) << null.err;
}

}  // namespace
}  // namespace seccheck::testing
