// Stress tests: the real seccheck binary on testprogs/stress_*.c, programs built to be hard on a
// tracer (thread and process storms, deep fork chains, execve from a non-leader thread, vfork,
// SIGKILL mid-syscall, SIGSTOP/SIGCONT storms, SIGINT ignored, hostile arguments). Each
// testprog prints how many getppid calls it made ("getppid_calls=N"); each test checks that
// seccheck counted exactly that many, that the workload's exit status passed through, that no
// process of the run outlived seccheck (no zombie, no stopped tracee), and that seccheck
// finished within a time bound.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/run_process.h"

namespace seccheck::testing {
namespace {

// Generous: these must finish in seconds on an idle 2-core machine; the bound catches hangs
// and order-of-magnitude slowdowns while other builds share the CPUs.
constexpr int kTimeoutSeconds = 90;
constexpr double kBoundSeconds = 60;

std::string temp_path(const std::string& name) {
  return "/tmp/seccheck-stress-" + std::to_string(getpid()) + "-" + name;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines)
    out += "  " + line + "\n";
  return out;
}

// "getppid_calls=N" from the workload's stdout.
std::optional<long> workload_count(const std::string& out) {
  const std::string key = "getppid_calls=";
  size_t at = out.rfind(key);
  if (at == std::string::npos) return std::nullopt;
  return std::stol(out.substr(at + key.size()));
}

// The count column of the `getppid` row of `seccheck trace -c` output; 0 when the row is absent
// (the table has no row for a call that was never made).
long summary_count(const std::string& table, const std::string& syscall = "getppid") {
  std::istringstream in(table);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::vector<std::string> tokens;
    for (std::string word; words >> word;)
      tokens.push_back(word);
    if (tokens.size() < 3 || tokens[0].find_first_not_of("0123456789") != std::string::npos) continue;
    for (size_t i = 1; i < tokens.size() && i < 4; ++i)
      if (tokens[i] == syscall) return std::stol(tokens[0]);
  }
  return 0;
}

void expect_nothing_left(const ProcessRun& run, bool strict_at_exit) {
  EXPECT_FALSE(run.timed_out) << run.output.err;
  EXPECT_TRUE(run.left_behind.empty()) << "processes of the run outlived seccheck:\n"
                                       << join(run.left_behind);
  if (strict_at_exit) {
    EXPECT_TRUE(run.at_exit.empty()) << "processes of the run were still there when seccheck exited:\n"
                                     << join(run.at_exit);
  }
  EXPECT_LT(run.seconds, kBoundSeconds) << "seccheck took " << run.seconds << " s";
}

struct Counted {
  ProcessRun run;
  std::optional<long> workload;  // what the workload says it made
  long seen = -1;                // what seccheck's -c table says
};

// seccheck trace -c -e trace=getppid -o FILE -- testprog args...
Counted trace_counted(const std::string& program, const std::vector<std::string>& args) {
  const std::string table = temp_path(program + ".txt");
  std::vector<std::string> argv = {seccheck_binary(), "trace", "-c", "-e", "trace=getppid", "-o", table, "--",
                                   testprog(program)};
  argv.insert(argv.end(), args.begin(), args.end());
  RunOptions options;
  options.timeout_seconds = kTimeoutSeconds;
  Counted counted{run_process_with(argv, options), std::nullopt, -1};
  counted.workload = workload_count(counted.run.output.out);
  std::ifstream in(table);
  if (in) {
    std::stringstream content;
    content << in.rdbuf();
    counted.seen = summary_count(content.str());
  }
  std::remove(table.c_str());
  return counted;
}

void expect_counts_match(const Counted& counted, long expected_workload) {
  ASSERT_TRUE(counted.workload.has_value()) << "workload printed no count; stdout:\n"
                                            << counted.run.output.out << "\nstderr:\n"
                                            << counted.run.output.err;
  EXPECT_EQ(*counted.workload, expected_workload);
  EXPECT_EQ(counted.seen, *counted.workload) << "seccheck's count differs from the workload's own; stderr:\n"
                                             << counted.run.output.err;
}

TEST(Stress, SixtyFourThreadsCreatingAndJoiningThreads) {
  Counted counted = trace_counted("stress_threads", {"64", "20"});
  EXPECT_EQ(counted.run.output.exit_status, 0) << counted.run.output.err;
  expect_counts_match(counted, 64L * 20 * 51);
  expect_nothing_left(counted.run, true);
}

TEST(Stress, FiveHundredShortLivedProcesses) {
  Counted counted = trace_counted("stress_processes", {"500"});
  EXPECT_EQ(counted.run.output.exit_status, 0) << counted.run.output.out << counted.run.output.err;
  expect_counts_match(counted, 500 * 3 + 1);
  expect_nothing_left(counted.run, true);
}

TEST(Stress, ForkChainTwoHundredDeepPassesExitStatusUp) {
  Counted counted = trace_counted("stress_fork_chain", {"200"});
  EXPECT_EQ(counted.run.output.exit_status, 42) << counted.run.output.err;
  expect_counts_match(counted, 201);
  expect_nothing_left(counted.run, true);
}

TEST(Stress, ExecveFromNonLeaderThread) {
  Counted counted = trace_counted("stress_exec_thread", {});
  EXPECT_EQ(counted.run.output.exit_status, 9) << counted.run.output.err;
  expect_counts_match(counted, 8 * 100 + 5);
  expect_nothing_left(counted.run, true);
}

TEST(Stress, VforkAndExec) {
  Counted counted = trace_counted("stress_vfork_exec", {"200"});
  EXPECT_EQ(counted.run.output.exit_status, 0) << counted.run.output.out << counted.run.output.err;
  expect_counts_match(counted, 200L * 3);
  expect_nothing_left(counted.run, true);
}

TEST(Stress, ProcessKillsItsChildrenMidSyscall) {
  Counted counted = trace_counted("stress_kill_children", {"20"});
  EXPECT_EQ(counted.run.output.exit_status, 0) << counted.run.output.out << counted.run.output.err;
  expect_counts_match(counted, 20 * 10 + 1);
  expect_nothing_left(counted.run, true);
}

TEST(Stress, StopContStorm) {
  Counted counted = trace_counted("stress_stop_cont", {"300"});
  EXPECT_EQ(counted.run.output.exit_status, 0) << counted.run.output.out << counted.run.output.err;
  expect_counts_match(counted, 20002);
  expect_nothing_left(counted.run, true);
}

TEST(Stress, WorkloadIgnoringSigint) {
  Counted counted = trace_counted("stress_ignore_sigint", {});
  EXPECT_EQ(counted.run.output.exit_status, 5) << counted.run.output.err;
  expect_counts_match(counted, 1000);
  expect_nothing_left(counted.run, true);
}

// --- Interrupting seccheck --------------------------------------------------------------------

// Every line of a JSON-lines file parses; returns the number of lines.
size_t expect_json_lines(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  size_t count = 0;
  while (std::getline(in, line)) {
    ++count;
    EXPECT_TRUE(nlohmann::json::accept(line)) << "line " << count << " is not valid JSON: " << line;
  }
  EXPECT_TRUE(text.empty() || text.back() == '\n') << "the last line is cut off";
  return count;
}

void interrupt_trace(int signal, int expected_status) {
  const std::string output = temp_path("interrupt.jsonl");
  RunOptions options;
  options.timeout_seconds = kTimeoutSeconds;
  options.signal = signal;
  options.signal_after_output = "ready";
  options.signal_delay_ms = 300;
  ProcessRun run = run_process_with({seccheck_binary(), "trace", "--json", "-e", "trace=getppid", "-o",
                                     output, "--", testprog("stress_ignore_sigint"), "forever"},
                                    options);
  EXPECT_TRUE(run.signal_sent) << "the workload never said ready; stderr:\n" << run.output.err;
  EXPECT_EQ(run.output.exit_status, expected_status) << run.output.err;
  // The workload ignores SIGINT and SIGTERM: only seccheck can have ended it.
  expect_nothing_left(run, false);
  const std::string text = read_file(output);
  std::remove(output.c_str());
  EXPECT_GE(expect_json_lines(text), 1000u) << "the calls made before the signal were not all written";
}

TEST(Stress, SigintToTraceKillsWorkloadAndWritesCompleteJsonLines) {
  interrupt_trace(SIGINT, 130);
}
TEST(Stress, SigtermToTraceKillsWorkloadAndWritesCompleteJsonLines) {
  interrupt_trace(SIGTERM, 143);
}

// `seccheck check` exists once its issue lands; until then these tests skip.
bool check_available() {
  ProcessOutput help = run_process({seccheck_binary(), "check", "--help"}, 30);
  return help.exit_status == 0 && help.out.find("not built yet") == std::string::npos;
}

void interrupt_check(int signal) {
  if (!check_available()) GTEST_SKIP() << "`seccheck check` is not built yet";
  const std::string report = temp_path("interrupt-report.json");
  RunOptions options;
  options.timeout_seconds = kTimeoutSeconds;
  options.signal = signal;
  options.signal_after_output = "ready";
  options.signal_delay_ms = 300;
  ProcessRun run = run_process_with({seccheck_binary(), "check", "--format", "json", "-o", report, "--",
                                     testprog("stress_ignore_sigint"), "forever", "flagged"},
                                    options);
  EXPECT_TRUE(run.signal_sent) << "the workload never said ready; stderr:\n" << run.output.err;
  EXPECT_NE(run.output.exit_status, 0) << "an interrupted check must not pass the gate; stderr:\n"
                                       << run.output.err;
  expect_nothing_left(run, false);
  std::string text;
  try {
    text = read_file(report);
  } catch (const std::exception&) {
    ADD_FAILURE() << "no report written; stderr:\n" << run.output.err;
    return;
  }
  std::remove(report.c_str());
  ASSERT_TRUE(nlohmann::json::accept(text)) << "the partial report is not valid JSON:\n" << text;
  // The keyctl made before "ready" is in the partial report.
  EXPECT_NE(text.find("keyctl"), std::string::npos) << text;
}

TEST(Stress, SigintToCheckKillsWorkloadAndWritesValidJsonReport) {
  interrupt_check(SIGINT);
}
TEST(Stress, SigtermToCheckKillsWorkloadAndWritesValidJsonReport) {
  interrupt_check(SIGTERM);
}

// --- Interrupting a fork storm (issue 20) -------------------------------------------------------

// From the signal to seccheck's exit: the tracer waits at most 1 s for the tasks it killed or
// detached, then seccheck writes its report and exits.
constexpr double kInterruptBoundSeconds = 2.0;
constexpr int kStormRounds = 50;

std::string describe(const ProcessRun& run) {
  return "exit " + std::to_string(run.output.exit_status) + ", " +
         std::to_string(run.seconds - run.signal_seconds) + " s after the signal" +
         (run.timed_out ? ", timed out" : "") +
         (run.left_behind.empty() ? "" : ", left behind:\n" + join(run.left_behind)) +
         "\nstderr: " + run.output.err.substr(0, 2000);
}

// 50 times: seccheck (trace -c, every 5th round check) runs a fork storm and gets SIGINT or
// SIGTERM at a random moment (mostly while forks and clones are in flight, every 10th round as
// the storm starts). Each run must end within the bound, trace with 128+N and its table, check
// with its report marked interrupted, and no process of the storm may outlive it.
TEST(Stress, InterruptingAForkStormFiftyTimes) {
  const unsigned seed = static_cast<unsigned>(time(nullptr));
  std::mt19937 random(seed);
  int over_bound = 0, leftovers = 0, wrong_status = 0;
  std::string failures;
  int failed_rounds = 0;
  // A broken tracer hangs here: three failed rounds are enough to tell.
  for (int round = 0; round < kStormRounds && failed_rounds < 3; ++round) {
    const int signal = round % 2 == 0 ? SIGINT : SIGTERM;
    const bool check = round % 5 == 2;
    const bool during_start = round % 10 == 9;
    const std::string output = temp_path("storm.out");
    std::vector<std::string> argv = {seccheck_binary()};
    if (check) {
      argv.insert(argv.end(), {"check", "--format", "json", "-o", output});
    } else {
      argv.insert(argv.end(), {"trace", "-c", "-e", "trace=getppid", "-o", output});
    }
    argv.insert(argv.end(), {"--", testprog("stress_fork_storm"), "4"});
    RunOptions options;
    options.timeout_seconds = 10;
    options.signal = signal;
    options.signal_after_output = during_start ? "started" : "ready";
    options.signal_delay_ms = static_cast<int>(random() % (during_start ? 50 : 300));
    ProcessRun run = run_process_with(argv, options);
    std::string written;
    if (access(output.c_str(), F_OK) == 0) written = read_file(output);
    std::remove(output.c_str());
    const double after_signal = run.signal_sent ? run.seconds - run.signal_seconds : 1e9;
    // An interrupted check's gate and exit status are the CLI's (issue 19, item 4); here the
    // report must be complete and say it is partial, and seccheck must not die by the signal.
    const bool status_ok =
        check ? run.output.exit_status < 128 && nlohmann::json::accept(written) &&
                    written.find("\"interrupted\": true") != std::string::npos
              : run.output.exit_status == 128 + signal && written.find(" total") != std::string::npos;
    const bool over = run.timed_out || after_signal > kInterruptBoundSeconds;
    over_bound += over;
    leftovers += !run.left_behind.empty();
    wrong_status += !status_ok;
    failed_rounds += over || !run.left_behind.empty() || !status_ok;
    if (over || !run.left_behind.empty() || !status_ok)
      failures += "round " + std::to_string(round) + (check ? " (check" : " (trace") + ", signal " +
                  std::to_string(signal) + ", delay " + std::to_string(options.signal_delay_ms) +
                  " ms): " + describe(run) + "\noutput: " + written.substr(0, 1000) + "\n";
  }
  EXPECT_EQ(over_bound, 0) << "seed " << seed << "\n" << failures;
  EXPECT_EQ(leftovers, 0) << "seed " << seed << "\n" << failures;
  EXPECT_EQ(wrong_status, 0) << "seed " << seed << "\n" << failures;
  EXPECT_EQ(failures, "");
}

// The "-p" side: seccheck attaches to a forker of the storm and gets SIGINT or SIGTERM at a
// random moment. Every task must be let go, none left stopped or traced, and the storm runs on.
TEST(Stress, InterruptingAnAttachedForkStorm) {
  const unsigned seed = static_cast<unsigned>(time(nullptr)) + 1;
  std::mt19937 random(seed);
  std::string failures;
  for (int round = 0; round < 10 && failures.size() < 3000; ++round) {
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    pid_t storm = start_process({testprog("stress_fork_storm"), "0"}, ready[1], 2, true);
    close(ready[1]);
    char line[64] = {};
    ASSERT_GT(read(ready[0], line, sizeof line - 1), 0);
    close(ready[0]);
    const int signal = round % 2 == 0 ? SIGINT : SIGTERM;
    const std::string output = temp_path("attached.out");
    RunOptions options;
    options.timeout_seconds = 10;
    options.signal = signal;
    options.signal_delay_ms = 200 + static_cast<int>(random() % 400);
    ProcessRun run = run_process_with(
        {seccheck_binary(), "trace", "-c", "-e", "trace=getppid", "-o", output, "-p", std::to_string(storm)},
        options);
    std::remove(output.c_str());
    // Every process of the storm runs on, neither traced nor stopped.
    std::string held;
    for (const std::string& process : processes_in_group(storm)) {
      const std::string pid = process.substr(0, process.find(' '));
      const std::string state = process.substr(pid.size() + 1, 1);
      std::string tracer;
      std::ifstream status("/proc/" + pid + "/status");
      for (std::string field; std::getline(status, field);)
        if (field.rfind("TracerPid:", 0) == 0) tracer = field.substr(10);
      if (state == "t" || state == "T" || (!tracer.empty() && std::stol(tracer) != 0))
        held += "  " + process + "\n";
    }
    const bool alive = kill(storm, 0) == 0;
    kill(-storm, SIGKILL);
    waitpid(storm, nullptr, 0);
    while (waitpid(-storm, nullptr, WNOHANG) > 0) {
    }
    const double after_signal = run.signal_sent ? run.seconds - run.signal_seconds : 1e9;
    if (run.timed_out || after_signal > kInterruptBoundSeconds || run.output.exit_status != 128 + signal ||
        !held.empty() || !alive)
      failures += "round " + std::to_string(round) + ": " + describe(run) +
                  (alive ? "" : "\nthe storm died") +
                  (held.empty() ? "" : "\nstill stopped or traced:\n" + held) + "\n";
  }
  EXPECT_EQ(failures, "") << "seed " << seed;
}

// --- Hostile tracee ---------------------------------------------------------------------------

// Text that is safe to print on a terminal: no C0 control but LF and TAB, valid UTF-8, and for
// `display` text also no DEL, no C1 control (U+0080..U+009F: U+009B acts as CSI on some
// terminals) and no bidi override. JSON documents need only the first part: JSON escapes C0
// controls itself, and a string value may carry any other character (the decoded values meant
// for display are checked with display = true).
std::string unsafe_reason(const std::string& text, bool display = true) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\n' && c != '\t') || (display && c == 0x7f))
        return "control byte " + std::to_string(c) + " at " + std::to_string(i);
      ++i;
      continue;
    }
    size_t n = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > text.size()) return "invalid UTF-8 at " + std::to_string(i);
    std::uint32_t cp = c & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
    for (size_t k = 1; k < n; ++k) {
      const unsigned char cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xc0) != 0x80) return "invalid UTF-8 at " + std::to_string(i);
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (display && cp >= 0x80 && cp <= 0x9f) return "C1 control at " + std::to_string(i);
    if (display && ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)))
      return "bidi override at " + std::to_string(i);
    i += n;
  }
  return "";
}

size_t count_lines_with(const std::string& text, const std::string& needle) {
  size_t count = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.find(needle) != std::string::npos) ++count;
  return count;
}

ProcessRun trace_hostile(const std::vector<std::string>& trace_options, const std::string& output) {
  std::vector<std::string> argv = {seccheck_binary(), "trace", "-o", output};
  argv.insert(argv.end(), trace_options.begin(), trace_options.end());
  argv.push_back("--");
  argv.push_back(testprog("stress_hostile"));
  argv.push_back("all");
  RunOptions options;
  options.timeout_seconds = kTimeoutSeconds;
  return run_process_with(argv, options);
}

TEST(Stress, HostileTraceeTextOutputStaysSafe) {
  const std::string output = temp_path("hostile.txt");
  ProcessRun run = trace_hostile({}, output);
  EXPECT_EQ(run.output.exit_status, 0) << run.output.err;
  expect_nothing_left(run, true);
  const std::string text = read_file(output);
  std::remove(output.c_str());
  EXPECT_EQ(unsafe_reason(text), "") << "the trace is not safe to print";
  auto workload = workload_count(run.output.out);
  ASSERT_TRUE(workload.has_value()) << run.output.out << run.output.err;
  EXPECT_EQ(*workload, 18);
  EXPECT_EQ(count_lines_with(text, "getppid("), static_cast<size_t>(*workload));
  // The hostile paths were decoded (escaped), not dropped.
  EXPECT_NE(text.find("seccheck-hostile-"), std::string::npos);
  // An already traced process cannot PTRACE_TRACEME, in the root process and in its child.
  EXPECT_NE(run.output.err.find("PTRACE_TRACEME = -1, child status 0"), std::string::npos) << run.output.err;
}

TEST(Stress, HostileTraceeJsonOutputParsesAndStaysSafe) {
  const std::string output = temp_path("hostile.jsonl");
  ProcessRun run = trace_hostile({"--json"}, output);
  EXPECT_EQ(run.output.exit_status, 0) << run.output.err;
  expect_nothing_left(run, true);
  const std::string text = read_file(output);
  std::remove(output.c_str());
  EXPECT_EQ(unsafe_reason(text, false), "");
  std::istringstream in(text);
  size_t getppid = 0, lines = 0;
  for (std::string line; std::getline(in, line);) {
    ++lines;
    nlohmann::json object = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(object.is_discarded()) << "line " << lines << " is not JSON: " << line;
    // Decoded string fields are safe too (a consumer printing them must not get escapes).
    for (const char* field : {"name", "text", "exe"}) {
      if (object.contains(field) && object[field].is_string()) {
        EXPECT_EQ(unsafe_reason(object[field].get<std::string>()), "")
            << field << " of line " << lines << ": " << line;
      }
    }
    if (object.value("name", "") == "getppid") ++getppid;
  }
  auto workload = workload_count(run.output.out);
  ASSERT_TRUE(workload.has_value());
  EXPECT_EQ(getppid, static_cast<size_t>(*workload));
}

TEST(Stress, HostileTraceeCheckReportsStaySafe) {
  if (!check_available()) GTEST_SKIP() << "`seccheck check` is not built yet";
  const std::string report = temp_path("hostile-report.json");
  RunOptions options;
  options.timeout_seconds = kTimeoutSeconds;
  ProcessRun json_run = run_process_with(
      {seccheck_binary(), "check", "--format", "json", "-o", report, "--", testprog("stress_hostile"), "all"},
      options);
  expect_nothing_left(json_run, true);
  EXPECT_EQ(json_run.output.exit_status, 1) << "unshare(CLONE_NEWUSER) and keyctl would be blocked\n"
                                            << json_run.output.err;
  const std::string text = read_file(report);
  std::remove(report.c_str());
  EXPECT_EQ(unsafe_reason(text, false), "");
  EXPECT_TRUE(nlohmann::json::accept(text)) << text.substr(0, 2000);
  EXPECT_NE(text.find("keyctl"), std::string::npos);

  ProcessRun text_run =
      run_process_with({seccheck_binary(), "check", "--", testprog("stress_hostile"), "all"}, options);
  expect_nothing_left(text_run, true);
  EXPECT_EQ(text_run.output.exit_status, 1) << text_run.output.err;
  // The workload's own stdout/stderr are its business; seccheck's report is what must be safe.
  const std::string seccheck_output = text_run.output.out + text_run.output.err;
  const size_t report_start = seccheck_output.find("keyctl");
  ASSERT_NE(report_start, std::string::npos) << seccheck_output;
  // Drop the workload's own lines (it prints "getppid_calls=" and a PTRACE_TRACEME line).
  std::string filtered;
  std::istringstream lines(text_run.output.out + "\n" + text_run.output.err);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("getppid_calls=", 0) != 0 && line.rfind("stress_hostile:", 0) != 0)
      filtered += line + "\n";
  EXPECT_EQ(unsafe_reason(filtered), "") << filtered.substr(0, 4000);
}

}  // namespace
}  // namespace seccheck::testing
