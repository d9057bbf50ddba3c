// The session's recording, enforcement, report assembly and trace pipeline on a scripted tracer:
// no ptrace, so every branch is reachable and every count exact.
#include <gtest/gtest.h>
#include <linux/sched.h>
#include <sys/socket.h>

#include <cerrno>

#include "analysis/catalog.h"
#include "analysis/check_report.h"
#include "core/error.h"
#include "core/syscall_table.h"
#include "report/trace_writer.h"
#include "session/check.h"
#include "session/recorder.h"
#include "session/trace.h"
#include "tests/session/fake_tracer.h"

namespace seccheck::session {
namespace {

using testing::entry;
using testing::ScriptedRunner;

analysis::ResolvedProfile docker() {
  auto profiles = analysis::catalog_profiles("docker@29.4.3");
  EXPECT_TRUE(profiles.ok());
  return analysis::resolve(profiles->front(), analysis::Context{});
}

std::vector<analysis::Profile> docker_profiles() {
  return *analysis::catalog_profiles("docker@29.4.3");
}

TEST(CallRecorder, AggregatesByTheArgumentsProfilesConditionOn) {
  const analysis::ArgRelevance relevance = analysis::argument_relevance(docker_profiles());
  RecorderOptions options;
  options.relevance = &relevance;
  options.stack_frames = 3;
  CallRecorder recorder(options);
  testing::FakeTracee tracee;
  tracee.info = {100, "/usr/bin/app", {"app", "--x"}};
  tracee.frames = {{0x10, "/usr/bin/app", "main", 4, "", 0},
                   {0x20, "/lib/libc.so.6", "__libc_start_main", 8, "", 0}};
  // Two clones with different namespace flags are two calls; the same flags again count once more.
  // (The catalog's s390 rules condition clone on arg1 too, so the key keeps it.)
  for (std::uint64_t flags :
       {std::uint64_t{CLONE_NEWUSER}, std::uint64_t{CLONE_NEWNET}, std::uint64_t{CLONE_NEWUSER}})
    recorder.on_syscall_entry(entry(100, "clone", {flags}).event, tracee);
  // keyctl's arguments matter to no profile: its calls are one entry whatever they pass.
  recorder.on_syscall_entry(entry(100, "keyctl", {1}).event, tracee);
  recorder.on_syscall_entry(entry(100, "keyctl", {2}).event, tracee);

  EXPECT_EQ(recorder.calls_stopped(), 5u);
  std::vector<analysis::RecordedCall> calls = recorder.take_calls();
  ASSERT_EQ(calls.size(), 3u);
  std::vector<std::pair<std::string, std::uint64_t>> seen;
  seen.reserve(calls.size());
  for (const auto& call : calls)
    seen.emplace_back(call.key(), call.count);
  EXPECT_EQ(seen,
            (std::vector<std::pair<std::string, std::uint64_t>>{{"x86_64/clone/arg0=0x10000000/arg1=0x0", 2},
                                                                {"x86_64/clone/arg0=0x40000000/arg1=0x0", 1},
                                                                {"x86_64/keyctl", 2}}));
  EXPECT_EQ(calls[0].executable, "/usr/bin/app");
  EXPECT_EQ(calls[0].command_line, (std::vector<std::string>{"app", "--x"}));
  ASSERT_EQ(calls[0].stack.size(), 2u);
  EXPECT_EQ(calls[0].stack[0].function, "main");
  // Details are read once per distinct call, never per stop.
  EXPECT_EQ(tracee.stack_requests, 3);
  EXPECT_EQ(tracee.process_requests, 3);
}

TEST(CallRecorder, KeepsNoStackWhenNoneIsAskedFor) {
  CallRecorder recorder(RecorderOptions{});
  testing::FakeTracee tracee;
  tracee.frames = {{0x10, "/bin/x", "main", 0, "", 0}};
  recorder.on_syscall_entry(entry(1, "unshare", {CLONE_NEWUSER}).event, tracee);
  EXPECT_EQ(tracee.stack_requests, 0);
  auto calls = recorder.take_calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_TRUE(calls[0].stack.empty());
  EXPECT_EQ(calls[0].key(), "x86_64/unshare") << "without relevance no argument is kept";
}

TEST(EnforceProfile, AnswersAsTheRuntimesFilterWould) {
  const analysis::ResolvedProfile profile = docker();
  EnforceProfile policy(profile);
  const tracer::SeccompDecision unshare = policy.decide(entry(1, "unshare", {CLONE_NEWUSER}).event);
  EXPECT_EQ(unshare.kind, tracer::SeccompDecision::Kind::kFailWithErrno);
  EXPECT_EQ(unshare.error_number, EPERM);
  EXPECT_EQ(policy.decide(entry(1, "getpid").event).kind, tracer::SeccompDecision::Kind::kContinue);
  // Docker answers clone3 without CAP_SYS_ADMIN with ENOSYS so glibc falls back to clone.
  const tracer::SeccompDecision clone3 = policy.decide(entry(1, "clone3").event);
  EXPECT_EQ(clone3.kind, tracer::SeccompDecision::Kind::kFailWithErrno);
  EXPECT_EQ(clone3.error_number, ENOSYS);
}

TEST(DecisionFor, MapsEveryActionKind) {
  using analysis::ActionKind;
  EXPECT_EQ(decision_for({ActionKind::kAllow, {}}).kind, tracer::SeccompDecision::Kind::kContinue);
  EXPECT_EQ(decision_for({ActionKind::kLog, {}}).kind, tracer::SeccompDecision::Kind::kContinue);
  EXPECT_EQ(decision_for({ActionKind::kErrno, 13}).error_number, 13);
  EXPECT_EQ(decision_for({ActionKind::kErrno, {}}).error_number, EPERM);
  EXPECT_EQ(decision_for({ActionKind::kTrace, 5}).error_number, ENOSYS)
      << "no tracer of the runtime's: ENOSYS";
  EXPECT_EQ(decision_for({ActionKind::kNotify, {}}).error_number, ENOSYS);
  for (ActionKind kind : {ActionKind::kTrap, ActionKind::kKillThread, ActionKind::kKillProcess})
    EXPECT_EQ(decision_for({kind, {}}).kind, tracer::SeccompDecision::Kind::kKillProcess);
}

TEST(RunWorkload, RecordsTheRunsFacts) {
  ScriptedRunner runner;
  runner.script = {entry(7, "unshare", {CLONE_NEWUSER}), entry(7, "unshare", {CLONE_NEWUSER})};
  runner.script.push_back(testing::notice("pid 7 installs its own seccomp filter"));
  runner.summary.exit_status = 3;
  runner.summary.processes = 2;
  runner.summary.interrupted = true;
  WorkloadRequest request;
  request.command = {"app", "arg"};
  request.filters.push_back(BpfProgram{{}, "f", false});
  request.complete = true;
  const analysis::RunRecord record = run_workload(request, runner);
  ASSERT_TRUE(runner.launched);
  EXPECT_EQ(runner.launched->argv, request.command);
  EXPECT_EQ(runner.launched->filters.size(), 1u);
  EXPECT_EQ(record.command, request.command);
  EXPECT_EQ(record.exit_status, 3);
  EXPECT_TRUE(record.interrupted);
  EXPECT_TRUE(record.complete);
  EXPECT_EQ(record.processes, 2u);
  EXPECT_EQ(record.calls_stopped, 2u);
  ASSERT_EQ(record.calls.size(), 1u);
  EXPECT_EQ(record.calls[0].count, 2u);
  EXPECT_EQ(record.notices, (std::vector<std::string>{"pid 7 installs its own seccomp filter"}));
  EXPECT_FALSE(record.started_at.empty());
  EXPECT_FALSE(record.kernel.empty());
}

TEST(RunWorkload, LaunchFailuresAreUsageOrToolErrors) {
  WorkloadRequest request;
  request.command = {"missing"};
  ScriptedRunner not_found;
  not_found.failure = {{tracer::LaunchError::kNotFound, "missing: command not found in PATH"}};
  try {
    run_workload(request, not_found);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    EXPECT_STREQ(e.what(), "missing: command not found in PATH");
  }
  ScriptedRunner denied;
  denied.failure = {{tracer::LaunchError::kPtrace, "ptrace not permitted"}};
  try {
    run_workload(request, denied);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_EQ(e.code(), ExitCode::kToolFailure);
  }
}

TEST(RunCheck, OneFilterPerProfileAndFindingsFromTheStops) {
  ScriptedRunner runner;
  runner.script = {entry(9, "unshare", {CLONE_NEWUSER}), entry(9, "clone3")};
  CheckRequest request;
  request.run.command = {"app"};
  request.run.stack_frames = 0;
  request.profiles = {"docker@29.4.3", "crio"};
  const CheckOutcome outcome = run_check(request, runner);
  ASSERT_TRUE(runner.launched);
  EXPECT_EQ(runner.launched->filters.size(), 2u);
  // Nothing is enforced: every stopped call runs.
  for (const auto& decision : runner.decisions)
    EXPECT_EQ(decision.kind, tracer::SeccompDecision::Kind::kContinue);
  EXPECT_FALSE(outcome.record.complete);
  ASSERT_EQ(outcome.report.profiles.size(), 2u);
  std::vector<std::string> keys;
  for (const auto& finding : outcome.report.findings)
    keys.push_back(finding.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"x86_64/clone3", "x86_64/unshare"}));
  EXPECT_EQ(outcome.report.calls_stopped, 2u);
}

TEST(RunCheck, EnforceAnswersTheStopsAndRecordEverythingStopsAll) {
  ScriptedRunner runner;
  runner.script = {entry(9, "unshare", {CLONE_NEWUSER}), entry(9, "getpid")};
  CheckRequest request;
  request.run.command = {"app"};
  request.profiles = {"crio"};
  request.enforce = "docker@29.4.3";
  run_check(request, runner);
  ASSERT_EQ(runner.decisions.size(), 2u);
  EXPECT_EQ(runner.decisions[0].kind, tracer::SeccompDecision::Kind::kFailWithErrno);
  EXPECT_EQ(runner.decisions[1].kind, tracer::SeccompDecision::Kind::kContinue);
  EXPECT_EQ(runner.launched->filters.size(), 2u) << "crio's filter and the enforced profile's";

  ScriptedRunner everything;
  CheckRequest record_request;
  record_request.run.command = {"app"};
  record_request.record_everything = true;
  const CheckOutcome outcome = run_check(record_request, everything);
  EXPECT_EQ(everything.launched->filters.size(), 1u) << "one filter that stops every call";
  EXPECT_TRUE(outcome.record.complete);
}

TEST(RunCheck, BadProfileNamesAreUsageErrors) {
  ScriptedRunner runner;
  CheckRequest request;
  request.run.command = {"app"};
  request.profiles = {"dockr"};
  EXPECT_THROW(run_check(request, runner), UserError);
  EXPECT_FALSE(runner.launched) << "nothing runs when the input is wrong";
  request.profiles = {};
  request.enforce = "runtime-default";
  try {
    run_check(request, runner);
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("name exactly one"), std::string::npos) << e.what();
  }
}

TEST(MakeReport, CarriesTheRunsFactsAndOnlyBlockedCalls) {
  analysis::RunRecord record;
  record.command = {"app"};
  record.exit_status = 1;
  record.interrupted = true;
  record.processes = 4;
  record.calls_stopped = 12;
  record.notices = {"n"};
  analysis::RecordedCall allowed;
  allowed.nr = *syscall_number(Arch::kX86_64, "getpid");
  allowed.count = 10;
  analysis::RecordedCall blocked;
  blocked.nr = *syscall_number(Arch::kX86_64, "keyctl");
  blocked.count = 2;
  record.calls = {allowed, blocked};
  const analysis::CheckReport report = analysis::make_report(record, {docker()}, analysis::Context{});
  EXPECT_EQ(report.command, record.command);
  EXPECT_EQ(report.workload_exit_status, 1);
  EXPECT_TRUE(report.interrupted);
  EXPECT_EQ(report.processes, 4u);
  EXPECT_EQ(report.calls_stopped, 12u);
  EXPECT_EQ(report.notices, record.notices);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].key, "x86_64/keyctl");
  EXPECT_EQ(report.findings[0].call.count, 2u);
  ASSERT_EQ(report.profiles.size(), 1u);
  EXPECT_EQ(report.profiles[0].name, "docker@29.4.3");
  EXPECT_EQ(report.profiles[0].default_action, "ERRNO(EPERM)");
}

// An interrupted run cannot pass a gate (issue 19, item 4): the tracer's summary says the run
// was interrupted, so check's and verify's reports are incomplete whatever they found.
TEST(RunCheck, AnInterruptedRunIsIncomplete) {
  ScriptedRunner runner;
  runner.summary.interrupted = true;
  runner.summary.exit_status = 137;
  CheckRequest request;
  request.run.command = {"app"};
  request.profiles = {"docker"};
  const CheckOutcome outcome = run_check(request, runner);
  EXPECT_TRUE(outcome.record.interrupted);
  EXPECT_TRUE(outcome.report.findings.empty());
  EXPECT_EQ(outcome.report.gate(), analysis::Gate::kIncomplete);

  ScriptedRunner finished;
  EXPECT_EQ(run_check(request, finished).report.gate(), analysis::Gate::kPass);
}

TEST(ParseTraceExpressions, NamesAllAndErrors) {
  auto names = parse_trace_expressions({"trace=openat,read", "write"});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(**names, (std::vector<std::string>{"openat", "read", "write"}));
  EXPECT_FALSE(parse_trace_expressions({"trace=all"})->has_value());
  EXPECT_FALSE(parse_trace_expressions({})->has_value());
  EXPECT_FALSE(parse_trace_expressions({"trace=opnat"}).ok());
  EXPECT_FALSE(parse_trace_expressions({"signal=none"}).ok());
  EXPECT_FALSE(parse_trace_expressions({"trace="}).ok());
}

}  // namespace
}  // namespace seccheck::session
