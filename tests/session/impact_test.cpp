// check --impact on a fake workload that reacts to how its calls are answered (no ptrace):
// group testing, its bound on the number of runs, fallbacks, instability, the ENOSYS trial,
// reuse of runs across profiles, and the gate.
#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <map>

#include "analysis/catalog.h"
#include "analysis/evaluate.h"
#include "analysis/resolve.h"
#include "core/error.h"
#include "core/syscall_table.h"
#include "session/check.h"
#include "session/impact.h"
#include "tests/session/fake_tracer.h"

namespace seccheck::session {
namespace {

using testing::FakeTracee;
using Kind = tracer::SeccompDecision::Kind;

// What a call does when it is not allowed to run.
struct Behaviour {
  bool breaks_on_eperm = false;   // exit 1 when failed with any errno but ENOSYS
  bool breaks_on_enosys = false;  // exit 1 when failed with ENOSYS
  std::string fallback;           // call made instead when it failed (and did not break)
};

// A workload as a list of calls that exits 0 when every call ran or was recovered from, 1
// otherwise, 159 (SIGSYS) when killed; `flaky` alternates its exit status run by run.
class ReactiveRunner final : public WorkloadRunner {
 public:
  std::vector<std::pair<std::string, Behaviour>> calls;
  bool flaky = false;
  std::string contended_call;  // made in every run but the first, as a contended join's futex
  int launches = 0;

  Result<tracer::TraceSummary> launch(const tracer::LaunchOptions&, tracer::TraceObserver& observer,
                                      tracer::LaunchError* error) override {
    if (error) *error = tracer::LaunchError::kNone;
    ++launches;
    tracer::TraceSummary summary;
    summary.processes = 1;
    observer.on_process_start(kPid);
    for (const auto& [name, behaviour] : calls) {
      const tracer::SeccompDecision decision = make(observer, name);
      if (decision.kind == Kind::kKillProcess) {
        summary.exit_status = 128 + 31;
        break;
      }
      if (decision.kind != Kind::kFailWithErrno) continue;
      const bool enosys = decision.error_number == ENOSYS;
      if ((enosys && behaviour.breaks_on_enosys) || (!enosys && behaviour.breaks_on_eperm)) {
        summary.exit_status = 1;
        break;
      }
      if (!behaviour.fallback.empty()) make(observer, behaviour.fallback);
    }
    if (!contended_call.empty() && launches > 1) make(observer, contended_call);
    if (flaky) summary.exit_status = launches;  // never the same twice
    observer.on_process_exit(kPid, summary.exit_status << 8);
    return summary;
  }
  Result<tracer::TraceSummary> attach(pid_t, bool, tracer::TraceObserver&, tracer::LaunchError*) override {
    return make_error("not here");
  }

 private:
  static constexpr pid_t kPid = 4242;
  FakeTracee tracee_;

  tracer::SeccompDecision make(tracer::TraceObserver& observer, const std::string& name) {
    SyscallEvent event;
    event.pid = kPid;
    event.tid = kPid;
    event.arch = Arch::kX86_64;
    event.nr = syscall_number(Arch::kX86_64, name).value_or(-1);
    tracee_.tid_value = kPid;
    tracee_.info.pid = kPid;
    return observer.on_syscall_entry(event, tracee_);
  }
};

// Calls the latest Docker profile fails with EPERM whatever their arguments, in number order.
std::vector<std::string> docker_eperm_calls(std::size_t n) {
  const analysis::ResolvedProfile docker =
      analysis::resolve(analysis::catalog_profiles("docker@29.4.3")->front(), analysis::Context{});
  std::vector<std::string> names;
  for (int nr = 0; nr <= max_syscall_number(Arch::kX86_64) && names.size() < n; ++nr) {
    const std::string name = syscall_display_name(Arch::kX86_64, nr);
    if (name.rfind("syscall_", 0) == 0) continue;
    bool always = true;
    for (std::uint64_t arg : {0ull, 1ull, 0x10000000ull, ~0ull}) {
      const analysis::Verdict v =
          analysis::evaluate(docker, Arch::kX86_64, nr, {arg, arg, arg, arg, arg, arg});
      always = always && v.action.kind == analysis::ActionKind::kErrno && v.action.value == EPERM;
    }
    if (always) names.push_back(name);
  }
  return names;
}

CheckOutcome check_impact(ReactiveRunner& runner, std::vector<std::string> profiles = {"docker@29.4.3"}) {
  CheckRequest request;
  request.run.command = {"app"};
  request.run.stack_frames = 0;
  request.profiles = std::move(profiles);
  request.impact = ImpactSettings{false, 5};
  return run_check(request, runner);
}

const analysis::FindingImpact& impact_of(const CheckOutcome& outcome, const std::string& syscall,
                                         std::size_t index = 0) {
  for (const analysis::Finding& finding : outcome.report.findings)
    if (finding.syscall == syscall && finding.impacts.size() > index) return finding.impacts[index];
  ADD_FAILURE() << "no impact for " << syscall;
  static const analysis::FindingImpact none;
  return none;
}

TEST(Impact, EveryFindingRecoversInOneRun) {
  ReactiveRunner runner;
  for (const std::string& name : docker_eperm_calls(16))
    runner.calls.push_back({name, {}});
  const CheckOutcome outcome = check_impact(runner);
  ASSERT_EQ(outcome.report.findings.size(), 16u);
  ASSERT_TRUE(outcome.report.impact);
  EXPECT_EQ(outcome.report.impact->group_runs, 1u);
  EXPECT_EQ(outcome.report.impact->runs, 1u);
  EXPECT_EQ(runner.launches, 2);  // discovery + one answered run
  for (const analysis::Finding& finding : outcome.report.findings) {
    ASSERT_EQ(finding.impacts.size(), 1u);
    EXPECT_EQ(finding.impacts[0].kind, analysis::ImpactKind::kRecovers);
    EXPECT_EQ(finding.impacts[0].together, 16u);
    EXPECT_EQ(finding.impacts[0].answer, "ERRNO(EPERM)");
  }
  EXPECT_EQ(outcome.report.gate_mode, analysis::GateMode::kBreaking);
  EXPECT_FALSE(outcome.report.gate_failed());
}

TEST(Impact, OneBreakingFindingAmongNCostsAtMostOnePlusTwoLog2NGroupRuns) {
  const std::vector<std::string> names = docker_eperm_calls(64);
  ASSERT_EQ(names.size(), 64u);
  for (std::size_t n : {1u, 2u, 3u, 5u, 8u, 13u, 32u, 64u}) {
    for (std::size_t breaking = 0; breaking < n; ++breaking) {
      ReactiveRunner runner;
      for (std::size_t i = 0; i < n; ++i)
        runner.calls.push_back({names[i], Behaviour{i == breaking, i == breaking, ""}});
      const CheckOutcome outcome = check_impact(runner);
      ASSERT_TRUE(outcome.report.impact);
      const double bound = 1 + 2 * std::log2(static_cast<double>(n));
      EXPECT_LE(static_cast<double>(outcome.report.impact->group_runs), bound)
          << "n=" << n << " breaking=" << names[breaking];
      std::size_t breaks = 0;
      for (const analysis::Finding& finding : outcome.report.findings) {
        ASSERT_EQ(finding.impacts.size(), 1u);
        const bool expected = finding.syscall == names[breaking];
        EXPECT_EQ(finding.impacts[0].kind == analysis::ImpactKind::kBreaks, expected) << finding.syscall;
        breaks += finding.impacts[0].kind == analysis::ImpactKind::kBreaks;
      }
      EXPECT_EQ(breaks, 1u);
      EXPECT_EQ(impact_of(outcome, names[breaking]).outcome, "exit status 1");
      EXPECT_EQ(impact_of(outcome, names[breaking]).fix, analysis::ImpactFix::kAllow);
      EXPECT_TRUE(outcome.report.gate_failed());
    }
  }
}

TEST(Impact, NamesTheCallTheWorkloadFellBackTo) {
  ReactiveRunner runner;
  runner.calls = {{"clone3", Behaviour{true, false, "clone"}}};
  const CheckOutcome outcome = check_impact(runner, {"docker@29.4.3", "containerd@2.3.4"});
  const analysis::FindingImpact& docker = impact_of(outcome, "clone3", 0);
  EXPECT_EQ(docker.kind, analysis::ImpactKind::kRecovers);
  EXPECT_EQ(docker.answer, "ERRNO(ENOSYS)");
  EXPECT_EQ(docker.fell_back_to, std::vector<std::string>{"clone"});
  EXPECT_EQ(analysis::describe_impact(docker), "recovers (fell back to clone)");
  EXPECT_EQ(impact_of(outcome, "clone3", 1).profile, "containerd@2.3.4");
  // containerd answers every call of Docker's run the same way: that run is reused.
  EXPECT_EQ(outcome.report.impact->runs, 1u);
  EXPECT_EQ(runner.launches, 2);
}

TEST(Impact, AWaitOnContentionIsNoFallback) {
  for (const char* wait : {"futex", "sched_yield"}) {
    ReactiveRunner runner;
    runner.calls = {{"clone3", Behaviour{true, false, "clone"}}};
    runner.contended_call = wait;
    const CheckOutcome outcome = check_impact(runner);
    const analysis::FindingImpact& docker = impact_of(outcome, "clone3");
    EXPECT_EQ(docker.kind, analysis::ImpactKind::kRecovers) << wait;
    EXPECT_EQ(docker.fell_back_to, std::vector<std::string>{"clone"}) << wait;
  }
}

TEST(Impact, EnosysIsTriedForAFindingThatBreaksOnEperm) {
  ReactiveRunner runner;
  runner.calls = {{"add_key", Behaviour{true, false, ""}}, {"acct", {}}};
  const CheckOutcome outcome = check_impact(runner);
  const analysis::FindingImpact& add_key = impact_of(outcome, "add_key");
  EXPECT_EQ(add_key.kind, analysis::ImpactKind::kBreaks);
  EXPECT_EQ(add_key.fix, analysis::ImpactFix::kEnosys);
  EXPECT_EQ(add_key.fix_outcome, "exit status 0");
  EXPECT_EQ(impact_of(outcome, "acct").kind, analysis::ImpactKind::kRecovers);
  // Both answered (breaks), a plain re-run (same as discovery), acct alone (recovers, so
  // add_key breaks without a run of its own), add_key alone with ENOSYS.
  EXPECT_EQ(outcome.report.impact->group_runs, 2u);
  EXPECT_EQ(outcome.report.impact->runs, 4u);
  EXPECT_EQ(impact_of(outcome, "add_key").together, 2u);
  EXPECT_TRUE(outcome.report.gate_failed());
  analysis::CheckReport any = outcome.report;
  any.gate_mode = analysis::GateMode::kAny;
  EXPECT_EQ(any.new_blocking_findings(), 2u);
  EXPECT_EQ(outcome.report.new_blocking_findings(), 1u);
}

TEST(Impact, TwoPlainRunsThatDifferMakeEveryFindingUnstable) {
  ReactiveRunner runner;
  runner.flaky = true;
  runner.calls = {{"acct", {}}, {"bpf", {}}};
  const CheckOutcome outcome = check_impact(runner);
  ASSERT_TRUE(outcome.report.impact);
  EXPECT_TRUE(outcome.report.impact->unstable);
  for (const analysis::Finding& finding : outcome.report.findings) {
    ASSERT_EQ(finding.impacts.size(), 1u);
    EXPECT_EQ(finding.impacts[0].kind, analysis::ImpactKind::kUnstable);
  }
  EXPECT_TRUE(outcome.report.gate_failed()) << "no verdict cannot pass a breaking gate";
}

TEST(Impact, EnforceAndImpactDoNotMix) {
  ReactiveRunner runner;
  CheckRequest request;
  request.run.command = {"app"};
  request.enforce = "docker";
  request.impact = ImpactSettings{};
  EXPECT_THROW(run_check(request, runner), seccheck::UserError);
}

TEST(Impact, EventKeyIsTheRecordedCallsKey) {
  analysis::ArgRelevance relevance;
  relevance.add_profile(analysis::catalog_profiles("docker@29.4.3")->front());
  SyscallEvent event;
  event.arch = Arch::kX86_64;
  event.nr = *syscall_number(Arch::kX86_64, "personality");
  event.args = {0x40000, 7, 0, 0, 0, 0};
  EXPECT_EQ(event_key(event, relevance), "x86_64/personality/arg0=0x40000");
}

TEST(Impact, DescribesOutcomes) {
  EXPECT_EQ(describe_outcome(RunOutcome{1, false, std::nullopt}), "exit status 1");
  EXPECT_EQ(describe_outcome(RunOutcome{159, false, std::nullopt}), "killed by SIGSYS");
  EXPECT_EQ(describe_outcome(RunOutcome{137, true, std::nullopt}), "no exit within the timeout");
  const RunOutcome reference{0, false, 1};
  EXPECT_EQ(describe_outcome(RunOutcome{0, false, 2}, &reference), "exit status 0, other stdout");
}

}  // namespace
}  // namespace seccheck::session
