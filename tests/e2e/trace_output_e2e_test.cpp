// `seccheck trace` output end to end (issue 19, items 16 and 17): JSON lines stay valid JSON for
// a process whose executable path is invalid UTF-8, and `-e trace=write` filters the output
// with --no-seccomp and with -p, where every call stops.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/e2e/e2e_fixture.h"

namespace seccheck::testing {
namespace {

class TraceOutput : public SeccheckE2E {
 protected:
  // Each line of `text` as JSON; a line that is not valid JSON (nlohmann refuses invalid UTF-8
  // too) fails the test.
  static std::vector<nlohmann::json> json_lines(const std::string& text) {
    std::vector<nlohmann::json> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      try {
        lines.push_back(nlohmann::json::parse(line));
      } catch (const nlohmann::json::exception& e) {
        ADD_FAILURE() << "not valid JSON (" << e.what() << "): " << line;
      }
    }
    return lines;
  }
};

TEST_F(TraceOutput, JsonLinesStayValidForAnInvalidUtf8ExecutablePath) {
  // 0xff 0xfe are never valid UTF-8; ESC checks that the line stays one line on a terminal too.
  const std::string program = dir_ + "/prog\xff\xfe\x1b[1m";
  ASSERT_EQ(run_process({"/bin/cp", testprog("check_calls"), program}).exit_status, 0);
  const std::string trace = dir_ + "/trace.jsonl";
  ProcessOutput result = seccheck({"trace", "--json", "-o", trace, "--", program, "keyctl", "socket_inet"});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  const std::vector<nlohmann::json> lines = json_lines(read_file(trace));
  EXPECT_GT(lines.size(), 20u);
  bool saw_exe = false;
  for (const nlohmann::json& line : lines) {
    if (!line.contains("exe")) continue;
    const std::string exe = line["exe"];
    if (exe.find("/prog") == std::string::npos) continue;
    saw_exe = true;
    EXPECT_EQ(exe, dir_ + "/prog\xef\xbf\xbd\xef\xbf\xbd\x1b[1m") << "invalid bytes become U+FFFD";
  }
  EXPECT_TRUE(saw_exe) << "no line named the program";
}

std::vector<std::string> names_of(const std::vector<nlohmann::json>& lines) {
  std::vector<std::string> names;
  for (const nlohmann::json& line : lines)
    if (line.contains("name")) names.push_back(line["name"]);
  return names;
}

TEST_F(TraceOutput, TraceExpressionFiltersWithoutSeccomp) {
  const std::string trace = dir_ + "/trace.jsonl";
  ProcessOutput result = seccheck({"trace", "--no-seccomp", "--json", "-e", "trace=write", "-o", trace, "--",
                                   testprog("check_calls"), "keyctl", "socket_inet"});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  // Every call stops without a filter: the output must still hold the writes only (check_calls
  // prints its lines with one write when its output is a pipe).
  const std::vector<std::string> names = names_of(json_lines(read_file(trace)));
  EXPECT_FALSE(names.empty());
  for (const std::string& name : names)
    EXPECT_EQ(name, "write");
}

TEST_F(TraceOutput, TraceExpressionFiltersAnAttachedProcess) {
  // trace_attach_loop writes, calls getppid and opens files every millisecond.
  int ready_pipe[2];
  ASSERT_EQ(pipe(ready_pipe), 0);
  const pid_t target = fork();
  if (target == 0) {
    dup2(ready_pipe[1], STDOUT_FILENO);
    close(ready_pipe[0]);
    const std::string path = testprog("trace_attach_loop");
    execl(path.c_str(), path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(ready_pipe[1]);
  char ready[8] = {};
  ASSERT_GT(read(ready_pipe[0], ready, sizeof ready - 1), 0) << "the target never said ready";
  close(ready_pipe[0]);

  const std::string trace = dir_ + "/trace.jsonl";
  RunOptions options;
  options.signal = SIGINT;  // detaches
  options.signal_delay_ms = 1500;
  ProcessRun run = run_process_with(
      {seccheck_binary(), "trace", "-p", std::to_string(target), "--json", "-e", "trace=write", "-o", trace},
      options);
  kill(target, SIGKILL);
  waitpid(target, nullptr, 0);
  EXPECT_EQ(run.output.exit_status, 130) << run.output.err;
  const std::vector<std::string> names = names_of(json_lines(read_file(trace)));
  EXPECT_GT(names.size(), 10u) << "the writes of 1.5 s were not traced";
  for (const std::string& name : names)
    EXPECT_EQ(name, "write");
}

}  // namespace
}  // namespace seccheck::testing
