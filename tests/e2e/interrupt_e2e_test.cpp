// An interrupted run cannot pass a gate (issue 19, items 4 and 6): whether seccheck gets SIGINT
// before any finding, the workload SIGTERMs seccheck and then makes a blocked call, or the
// workload runs `kill -TERM 0`, check and verify exit 4 and every report format says
// "incomplete"; so does a diff of the record of such a run, and generate refuses to write a
// profile from it unless --allow-partial.
#include <signal.h>

#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_fixture.h"

namespace seccheck::testing {
namespace {

constexpr int kIncomplete = 4;

class Interrupted : public SeccheckE2E {
 protected:
  // `check` of a workload that says "ready" and then waits 10 s before its blocked call;
  // SIGINT reaches seccheck 300 ms after "ready", before any finding.
  ProcessRun sigint_before_any_finding(const std::vector<std::string>& options) {
    std::vector<std::string> argv = {seccheck_binary(), "check", "-q", "--profile", "docker"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.insert(argv.end(), {"--", testprog("check_interrupt"), "wait"});
    RunOptions run_options;
    run_options.timeout_seconds = 60;
    run_options.signal = SIGINT;
    run_options.signal_after_output = "ready";
    run_options.signal_delay_ms = 300;
    ProcessRun run = run_process_with(argv, run_options);
    EXPECT_TRUE(run.signal_sent) << run.output.err;
    EXPECT_LT(run.seconds, 8) << "the workload ran to its end: the signal did not end the run";
    return run;
  }
};

TEST_F(Interrupted, SigintBeforeAnyFindingIsIncomplete) {
  const std::string report = dir_ + "/report.json";
  ProcessRun run = sigint_before_any_finding({"--format", "json", "-o", report});
  EXPECT_EQ(run.output.exit_status, kIncomplete) << run.output.err;
  const nlohmann::json json = nlohmann::json::parse(read_file(report));
  EXPECT_EQ(json["incomplete"], true);
  EXPECT_EQ(json["summary"]["gate"], "incomplete");
  EXPECT_TRUE(json["findings"].empty()) << "the blocked call comes after the signal";
}

TEST_F(Interrupted, WorkloadThatTerminatesSeccheckThenMakesABlockedCall) {
  ProcessOutput result =
      seccheck({"check", "-q", "--profile", "docker", "--", testprog("check_interrupt"), "term-parent"});
  EXPECT_EQ(result.exit_status, kIncomplete) << result.err;
  EXPECT_NE(result.out.find("\ngate: INCOMPLETE: the run was interrupted"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("gate: pass"), std::string::npos) << result.out;
}

TEST_F(Interrupted, WorkloadRunningKillTermZero) {
  // `kill -TERM 0` signals the whole process group, seccheck included.
  ProcessOutput result = seccheck({"check", "-q", "--profile", "docker", "--", "/bin/sh", "-c",
                                   "kill -TERM 0; " + testprog("check_calls") + " keyctl"});
  EXPECT_EQ(result.exit_status, kIncomplete) << result.err;
  EXPECT_NE(result.out.find("gate: INCOMPLETE"), std::string::npos) << result.out;
}

TEST_F(Interrupted, VerifyOfAnInterruptedRunIsIncomplete) {
  // SIGTERM to seccheck while the workload runs under the profile.
  ProcessOutput traced = seccheck(
      {"verify", "-q", "--profile", "docker", "--", "/bin/sh", "-c",
       "[ -e " + dir_ + "/plain-done ] && kill -TERM $PPID; touch " + dir_ + "/plain-done; sleep 0.3"});
  EXPECT_EQ(traced.exit_status, kIncomplete) << traced.err;
  EXPECT_NE(traced.out.find("gate: INCOMPLETE"), std::string::npos) << traced.out;
  // SIGTERM during the plain reference run, before the one under the profile.
  ProcessOutput plain =
      seccheck({"verify", "-q", "--profile", "docker", "--", testprog("check_interrupt"), "term-parent"});
  EXPECT_EQ(plain.exit_status, kIncomplete) << plain.err;
  EXPECT_EQ(plain.err,
            "seccheck: SIGTERM during the workload's plain run (for its reference exit status): nothing was "
            "verified\n");
  // Every signal that interrupts a traced run interrupts the plain one too (SIGHUP killed seccheck).
  ProcessOutput hup =
      seccheck({"verify", "-q", "--profile", "docker", "--", testprog("check_interrupt"), "hup-parent"});
  EXPECT_EQ(hup.exit_status, kIncomplete) << hup.err;
  EXPECT_EQ(hup.err,
            "seccheck: SIGHUP during the workload's plain run (for its reference exit status): nothing was "
            "verified\n");
  // And a traced run ended by SIGHUP is incomplete as SIGTERM's is.
  ProcessOutput traced_hup =
      seccheck({"check", "-q", "--profile", "docker", "--", testprog("check_interrupt"), "hup-parent"});
  EXPECT_EQ(traced_hup.exit_status, kIncomplete) << traced_hup.err;
  EXPECT_NE(traced_hup.out.find("gate: INCOMPLETE"), std::string::npos) << traced_hup.out;
}

TEST_F(Interrupted, DiffOfAnInterruptedRecordSaysIncompleteInEveryFormat) {
  const std::string record = dir_ + "/run.json";
  ProcessRun run = sigint_before_any_finding({"--record", record, "-o", "/dev/null"});
  ASSERT_EQ(run.output.exit_status, kIncomplete) << run.output.err;
  ASSERT_EQ(nlohmann::json::parse(read_file(record))["interrupted"], true);
  const std::vector<std::pair<std::string, std::string>> formats = {
      {"text", "gate: INCOMPLETE: the run was interrupted"},
      {"json", "\"incomplete\": true"},
      {"sarif", "\"gate\": \"incomplete\""},
      {"junit", "<error message=\"INCOMPLETE: the run was interrupted"},
      {"markdown", "## seccheck: incomplete"},
  };
  for (const auto& [format, marker] : formats) {
    ProcessOutput diff = seccheck({"diff", record, "--profile", "docker", "-q", "--format", format});
    EXPECT_EQ(diff.exit_status, kIncomplete) << format << ": " << diff.err;
    EXPECT_NE(diff.out.find(marker), std::string::npos) << format << ":\n" << diff.out;
  }
}

TEST_F(Interrupted, GenerateRefusesAPartialRecordUnlessAllowed) {
  const std::string record = dir_ + "/run.json";
  ProcessRun run = sigint_before_any_finding({"--record", record, "-o", "/dev/null"});
  ASSERT_EQ(run.output.exit_status, kIncomplete) << run.output.err;
  const std::string profile = dir_ + "/profile.json";
  ProcessOutput refused = seccheck({"generate", "-q", "--from", record, "-o", profile});
  EXPECT_EQ(refused.exit_status, 2) << refused.err;
  EXPECT_EQ(refused.err,
            "seccheck: " + record +
                ": the recorded run was interrupted, so the record is partial: a profile from it "
                "would miss every call made after that; record the run again, or give "
                "--allow-partial\n");
  EXPECT_FALSE(exists(profile));
  ProcessOutput allowed = seccheck({"generate", "--allow-partial", "--from", record, "-o", profile});
  EXPECT_EQ(allowed.exit_status, 0) << allowed.err;
  EXPECT_NE(
      allowed.err.find("note: the run was interrupted: the profile covers only the calls made until then"),
      std::string::npos)
      << allowed.err;
  EXPECT_TRUE(nlohmann::json::accept(read_file(profile)));
}

}  // namespace
}  // namespace seccheck::testing
