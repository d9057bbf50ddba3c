#include "session/impact.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "analysis/evaluate.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/syscall_table.h"

namespace seccheck::session {
namespace {

// Points fds 0, 1 and 2 of seccheck elsewhere while the tracer forks the workload, and back.
class StdioRedirect {
 public:
  StdioRedirect(int stdin_fd, int stdout_fd, int stderr_fd) {
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    const int targets[3] = {stdin_fd, stdout_fd, stderr_fd};
    for (int fd = 0; fd < 3; ++fd) {
      if (targets[fd] < 0) continue;
      saved_[fd].reset(fcntl(fd, F_DUPFD_CLOEXEC, 3));
      dup2(targets[fd], fd);
    }
  }
  ~StdioRedirect() {
    for (int fd = 0; fd < 3; ++fd)
      if (saved_[fd].valid()) dup2(saved_[fd].get(), fd);
  }
  StdioRedirect(const StdioRedirect&) = delete;
  StdioRedirect& operator=(const StdioRedirect&) = delete;

 private:
  Fd saved_[3];
};

// Forwards everything and keeps the workload's live processes, so a watchdog can kill them.
class WatchingObserver final : public tracer::TraceObserver {
 public:
  explicit WatchingObserver(tracer::TraceObserver& inner) : inner_(inner) {}
  tracer::SeccompDecision on_syscall_entry(const SyscallEvent& event,
                                           tracer::StoppedTracee& tracee) override {
    return inner_.on_syscall_entry(event, tracee);
  }
  void on_syscall_exit(const SyscallEvent& event, tracer::StoppedTracee& tracee) override {
    inner_.on_syscall_exit(event, tracee);
  }
  void on_process_start(pid_t pid) override {
    {
      std::lock_guard lock(mutex_);
      live_.insert(pid);
    }
    inner_.on_process_start(pid);
  }
  void on_workload_started() override { inner_.on_workload_started(); }
  void on_process_exit(pid_t pid, int wait_status) override {
    {
      std::lock_guard lock(mutex_);
      live_.erase(pid);
    }
    inner_.on_process_exit(pid, wait_status);
  }
  void on_thread_exit(pid_t tid, int wait_status) override { inner_.on_thread_exit(tid, wait_status); }
  void on_notice(std::string_view message) override { inner_.on_notice(message); }

  // The processes are traced children not yet reaped, so their ids cannot have been reused.
  void kill_all() {
    std::lock_guard lock(mutex_);
    for (pid_t pid : live_)
      kill(pid, SIGKILL);
  }

 private:
  tracer::TraceObserver& inner_;
  std::mutex mutex_;
  std::set<pid_t> live_;
};

// Kills the workload when it has not ended within the timeout.
class Watchdog {
 public:
  Watchdog(double seconds, WatchingObserver& observer) {
    if (seconds <= 0) return;
    thread_ = std::thread([this, seconds, &observer] {
      std::unique_lock lock(mutex_);
      if (done_cv_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return done_; })) return;
      fired_ = true;
      lock.unlock();
      observer.kill_all();
    });
  }
  ~Watchdog() { stop(); }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  void stop() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  bool fired() const { return fired_; }

 private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  bool fired_ = false;
  std::thread thread_;
};

// FNV-1a over the captured bytes: equality of outputs, not security.
std::uint64_t digest_fd(int fd, bool echo) {
  std::uint64_t hash = 1469598103934665603ull;
  lseek(fd, 0, SEEK_SET);
  char buffer[65536];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      hash ^= static_cast<unsigned char>(buffer[i]);
      hash *= 1099511628211ull;
    }
    if (echo) std::cout.write(buffer, n);
  }
  if (echo) std::cout.flush();
  return hash;
}

std::string signal_text(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

}  // namespace

std::string describe_outcome(const RunOutcome& outcome, const RunOutcome* reference) {
  if (outcome.timed_out) return "no exit within the timeout";
  std::string text = outcome.exit_status > 128 && outcome.exit_status < 128 + 65
                         ? "killed by " + signal_text(outcome.exit_status - 128)
                         : "exit status " + std::to_string(outcome.exit_status);
  if (reference != nullptr && reference->stdout_digest && outcome.stdout_digest != reference->stdout_digest &&
      outcome.exit_status == reference->exit_status)
    text += ", other stdout";
  return text;
}

Result<tracer::TraceSummary> OutcomeRunner::launch(const tracer::LaunchOptions& options,
                                                   tracer::TraceObserver& observer,
                                                   tracer::LaunchError* error) {
  Fd null_fd;
  Fd capture;
  if (options_.quiet) null_fd.reset(open("/dev/null", O_RDWR | O_CLOEXEC));
  // Trials capture stdout even when it is not compared: /dev/null is a character device, and
  // stdio would make calls for it (ioctl TCGETS) that look like a fallback.
  if (options_.capture_stdout || options_.quiet) {
    capture.reset(memfd_create("seccheck-stdout", MFD_CLOEXEC));
    if (!capture.valid())
      throw UserError(ExitCode::kToolFailure, std::string("memfd_create: ") + std::strerror(errno));
  }
  const int out = capture.valid() ? capture.get() : null_fd.get();
  WatchingObserver watching(observer);
  Result<tracer::TraceSummary> summary = make_error("not run");
  bool fired = false;
  {
    StdioRedirect redirect(null_fd.get(), out, null_fd.get());
    Watchdog watchdog(options_.timeout_seconds, watching);
    summary = inner_.launch(options, watching, error);
    watchdog.stop();
    fired = watchdog.fired();
  }
  last_ = RunOutcome{};
  if (summary) last_.exit_status = summary->exit_status;
  last_.timed_out = fired;
  if (options_.capture_stdout) last_.stdout_digest = digest_fd(capture.get(), options_.echo_stdout);
  return summary;
}

std::string event_key(const SyscallEvent& event, const analysis::ArgRelevance& relevance) {
  analysis::RecordedCall call;
  call.arch = event.arch;
  call.nr = event.nr;
  call.args = event.args;
  if (event.arch == Arch::kI386)
    for (auto& arg : call.args)
      arg &= 0xffffffffu;
  call.kept_args = relevance.indices(syscall_display_name(event.arch, event.nr));
  return call.key();
}

namespace {

using Answers = std::map<std::string, tracer::SeccompDecision>;  // finding key -> answer

bool same_decision(const tracer::SeccompDecision& a, const tracer::SeccompDecision& b) {
  return a.kind == b.kind &&
         (a.kind != tracer::SeccompDecision::Kind::kFailWithErrno || a.error_number == b.error_number);
}

bool same_answers(const Answers& a, const Answers& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](const auto& x, const auto& y) {
           return x.first == y.first && same_decision(x.second, y.second);
         });
}

// A trial's answers: the chosen findings as given; calls the discovery run did not make, as
// the profile answers them; everything else runs.
class TrialPolicy final : public CallPolicy {
 public:
  TrialPolicy(const Answers& answers, const std::set<std::string>& discovered,
              const analysis::ResolvedProfile& profile, const analysis::ArgRelevance& relevance)
      : answers_(answers), discovered_(discovered), profile_(profile), relevance_(relevance) {}
  tracer::SeccompDecision decide(const SyscallEvent& event) override {
    const std::string key = event_key(event, relevance_);
    auto it = answers_.find(key);
    if (it != answers_.end()) return it->second;
    if (discovered_.count(key) != 0) return tracer::SeccompDecision::proceed();
    return decision_for(analysis::evaluate(profile_, event.arch, event.nr, event.args).action);
  }

 private:
  const Answers& answers_;
  const std::set<std::string>& discovered_;
  const analysis::ResolvedProfile& profile_;
  const analysis::ArgRelevance& relevance_;
};

struct Trial {
  Answers answers;
  std::size_t profile = 0;  // the profile whose rules answered the new calls
  RunOutcome outcome;
  std::vector<analysis::RecordedCall> new_calls;  // not in the discovery run
};

// A trial was interrupted (SIGINT, ...): the assessment ends with what it knows.
struct Interrupted {};

struct Item {
  std::size_t finding = 0;  // index in report.findings
  tracer::SeccompDecision answer;
};

class Assessor {
 public:
  Assessor(const ImpactRequest& request, const analysis::RunRecord& discovery, const RunOutcome& reference,
           analysis::CheckReport& report, WorkloadRunner& runner)
      : request_(request), reference_(reference), report_(report),
        runner_(runner, OutcomeOptions{request.compare_output, false, true, request.timeout_seconds}) {
    for (const analysis::RecordedCall& call : discovery.calls) {
      discovered_.insert(call.key());
    }
  }

  void run() {
    const auto started = std::chrono::steady_clock::now();
    const auto& profiles = *request_.profiles;
    try {
      for (std::size_t p = 0; p < profiles.size() && !unstable_; ++p) {
        std::vector<Item> items;
        for (std::size_t f = 0; f < report_.findings.size(); ++f) {
          const analysis::Finding& finding = report_.findings[f];
          for (const analysis::ProfileVerdict& verdict : finding.verdicts)
            if (verdict.profile == profiles[p].name && verdict.verdict.blocked())
              items.push_back({f, decision_for(verdict.verdict.action)});
        }
        if (!items.empty()) test_group(p, items);
      }
      if (!unstable_) try_fixes();
    } catch (const Interrupted&) {
      // Findings without an impact count for the gate as under --gate any.
      report_.interrupted = true;
      report_.notices.push_back(
          "interrupted while assessing the impact of the findings: " + std::to_string(runs_) +
          " runs made; findings without an impact count for the gate");
    }
    analysis::ImpactSummary summary;
    summary.runs = runs_;
    summary.group_runs = group_runs_;
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    summary.reference = describe_outcome(reference_);
    summary.compared_output = request_.compare_output;
    summary.timeout_seconds = request_.timeout_seconds;
    summary.unstable = unstable_;
    if (unstable_) mark_all_unstable();
    sort_impacts();
    report_.impact = summary;
  }

 private:
  analysis::FindingImpact& impact_for(std::size_t finding, std::size_t p) {
    analysis::Finding& f = report_.findings[finding];
    const std::string& name = (*request_.profiles)[p].name;
    for (analysis::FindingImpact& impact : f.impacts)
      if (impact.profile == name) return impact;
    analysis::FindingImpact impact;
    impact.profile = name;
    for (const analysis::ProfileVerdict& verdict : f.verdicts)
      if (verdict.profile == name) impact.answer = analysis::action_text(verdict.verdict.action);
    f.impacts.push_back(std::move(impact));
    return f.impacts.back();
  }

  // A run with `answers` under profile p's rules for calls the discovery run did not make; an
  // earlier run with the same answers is reused when p answers its new calls the same way.
  const Trial& trial(std::size_t p, const Answers& answers, bool group) {
    const analysis::ResolvedProfile& profile = (*request_.profiles)[p];
    for (const Trial& done : trials_) {
      if (!same_answers(done.answers, answers)) continue;
      bool same = true;
      for (const analysis::RecordedCall& call : done.new_calls) {
        const auto by_p = decision_for(analysis::evaluate(profile, call.arch, call.nr, call.args).action);
        const auto by_run = decision_for(
            analysis::evaluate((*request_.profiles)[done.profile], call.arch, call.nr, call.args).action);
        same = same && same_decision(by_p, by_run);
      }
      if (same) return done;
    }
    TrialPolicy policy(answers, discovered_, profile, *request_.relevance);
    WorkloadRequest workload;
    workload.command = request_.run.command;
    workload.pin_cpu = request_.run.pin_cpu;
    workload.filters.push_back(record_everything_filter(request_.run.diagnostics));
    workload.relevance = request_.relevance;
    workload.policy = &policy;
    workload.complete = true;
    analysis::RunRecord record = run_workload(workload, runner_);
    if (record.interrupted) throw Interrupted{};
    ++runs_;
    if (group) ++group_runs_;
    Trial done;
    done.answers = answers;
    done.profile = p;
    done.outcome = runner_.last();
    for (analysis::RecordedCall& call : record.calls)
      if (discovered_.count(call.key()) == 0) done.new_calls.push_back(std::move(call));
    trials_.push_back(std::move(done));
    return trials_.back();
  }

  // Whether the workload ends as in the discovery run; the first difference checks stability.
  bool matches(const RunOutcome& outcome) {
    if (outcome == reference_) return true;
    if (!stability_checked_) {
      stability_checked_ = true;
      const std::size_t p = 0;
      const Trial& plain = trial(p, {}, false);
      if (!(plain.outcome == reference_)) unstable_ = true;
    }
    return false;
  }

  // Calls (by key: clone with thread flags is not clone with SIGCHLD) the discovery run did not
  // make, by name. Waits on contention are left out: whether pthread_join or a lock makes a
  // futex call depends on which thread got there first, not on how a call was answered (a
  // pthread_create test run "fell back to clone" and, one run in a few, "to futex" as well).
  static std::vector<std::string> fell_back_to(const Trial& done) {
    static const std::set<std::string> timing = {"futex",      "futex_waitv",   "futex_wait",
                                                 "futex_wake", "futex_requeue", "sched_yield"};
    std::set<std::string> names;
    for (const analysis::RecordedCall& call : done.new_calls) {
      std::string name = syscall_display_name(call.arch, call.nr);
      if (timing.count(name) == 0) names.insert(std::move(name));
    }
    return {names.begin(), names.end()};
  }

  // Tests a group answered together. `broke` is the outcome of a run known to break with this
  // group answered (its parent broke and the sibling half recovered): then no run is made.
  void test_group(std::size_t p, const std::vector<Item>& items, const RunOutcome* broke = nullptr,
                  std::size_t broke_together = 0) {
    RunOutcome outcome;
    std::vector<std::string> fallback;
    bool same = false;
    std::size_t together = items.size();
    if (broke != nullptr) {
      outcome = *broke;
      together = broke_together;
    } else {
      Answers answers;
      for (const Item& item : items)
        answers[report_.findings[item.finding].key] = item.answer;
      const Trial& done = trial(p, answers, true);
      outcome = done.outcome;
      fallback = fell_back_to(done);
      same = matches(outcome);
      if (unstable_) return;
    }
    if (same || items.size() == 1) {
      for (const Item& item : items) {
        analysis::FindingImpact& impact = impact_for(item.finding, p);
        impact.kind = same ? analysis::ImpactKind::kRecovers : analysis::ImpactKind::kBreaks;
        if (same) impact.fell_back_to = fallback;  // what a breaking run did instead is noise
        impact.together = together;
        impact.outcome = describe_outcome(outcome, &reference_);
        if (!same) breaking_.push_back({p, item});
      }
      return;
    }
    // The smaller half first: when it recovers, the larger one breaks without a run of its own
    // (as answering the whole group did), which keeps one breaking finding among n within
    // 1 + 2*log2(n) group runs.
    const auto middle = items.begin() + static_cast<std::ptrdiff_t>(items.size() / 2);
    const std::vector<Item> first(items.begin(), middle);
    const std::vector<Item> second(middle, items.end());
    const std::size_t breaks_before = breaking_.size();
    test_group(p, first);
    if (unstable_) return;
    const bool first_recovered = breaking_.size() == breaks_before;
    if (first_recovered)
      test_group(p, second, &outcome, together);
    else
      test_group(p, second);
  }

  void try_fixes() {
    for (const auto& [p, item] : breaking_) {
      analysis::FindingImpact& impact = impact_for(item.finding, p);
      const bool errno_answer = item.answer.kind == tracer::SeccompDecision::Kind::kFailWithErrno;
      if (!errno_answer || item.answer.error_number == ENOSYS) {
        impact.fix = analysis::ImpactFix::kAllow;
        continue;
      }
      Answers answers{{report_.findings[item.finding].key, tracer::SeccompDecision::fail(ENOSYS)}};
      const Trial& done = trial(p, answers, false);
      const RunOutcome outcome = done.outcome;
      impact.fix_outcome = describe_outcome(outcome, &reference_);
      impact.fix = outcome == reference_ ? analysis::ImpactFix::kEnosys : analysis::ImpactFix::kAllow;
    }
  }

  void mark_all_unstable() {
    for (analysis::Finding& finding : report_.findings)
      for (std::size_t p = 0; p < request_.profiles->size(); ++p)
        for (const analysis::ProfileVerdict& verdict : finding.verdicts)
          if (verdict.profile == (*request_.profiles)[p].name && verdict.verdict.blocked()) {
            analysis::FindingImpact& impact =
                impact_for(static_cast<std::size_t>(&finding - report_.findings.data()), p);
            analysis::FindingImpact fresh;
            fresh.profile = impact.profile;
            fresh.answer = impact.answer;
            fresh.kind = analysis::ImpactKind::kUnstable;
            impact = std::move(fresh);
          }
  }

  // In the report's profile order.
  void sort_impacts() {
    for (analysis::Finding& finding : report_.findings) {
      auto rank = [&](const analysis::FindingImpact& impact) {
        for (std::size_t i = 0; i < finding.verdicts.size(); ++i)
          if (finding.verdicts[i].profile == impact.profile) return i;
        return finding.verdicts.size();
      };
      std::stable_sort(finding.impacts.begin(), finding.impacts.end(),
                       [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
    }
  }

  const ImpactRequest& request_;
  const RunOutcome& reference_;
  analysis::CheckReport& report_;
  OutcomeRunner runner_;
  std::set<std::string> discovered_;
  std::deque<Trial> trials_;  // references stay valid as trials are added
  std::vector<std::pair<std::size_t, Item>> breaking_;
  std::size_t runs_ = 0;
  std::size_t group_runs_ = 0;
  bool stability_checked_ = false;
  bool unstable_ = false;
};

}  // namespace

void assess_impact(const ImpactRequest& request, const analysis::RunRecord& discovery,
                   const RunOutcome& reference, analysis::CheckReport& report, WorkloadRunner& runner) {
  Assessor assessor(request, discovery, reference, report, runner);
  assessor.run();
}

}  // namespace seccheck::session
