// The trace pipeline without ptrace: the session decodes and pairs calls from a scripted tracer,
// the writers format them; write errors are reported, never a silently short trace.
#include <gtest/gtest.h>
#include <linux/sched.h>
#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "report/trace_writer.h"
#include "session/trace.h"
#include "tests/session/fake_tracer.h"

namespace seccheck::session {
namespace {

using testing::entry;
using testing::exit_of;
using testing::FakeEvent;
using testing::ScriptedRunner;

// Runs the writer over `calls` into a temporary file and returns what it wrote.
std::string written(report::TraceFormat format, bool count_errors,
                    const std::function<void(report::TraceWriter&)>& feed) {
  std::FILE* file = std::tmpfile();
  auto writer = report::make_trace_writer(format, file, count_errors);
  feed(*writer);
  EXPECT_TRUE(writer->finish().ok());
  std::rewind(file);
  std::string out;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0)
    out.append(buffer, n);
  std::fclose(file);
  return out;
}

report::TracedCall traced(const FakeEvent& event, const std::string& arguments) {
  report::TracedCall call;
  call.event = event.event;
  call.arguments = arguments;
  return call;
}

TEST(TraceWriter, TextLinesAsStracePrintsThem) {
  const std::string out = written(report::TraceFormat::kText, false, [](report::TraceWriter& w) {
    report::TracedCall call = traced(exit_of(entry(5, "openat", {}), -2), "AT_FDCWD, \"/x\", O_RDONLY");
    w.call(call);
    report::TracedCall unfinished = traced(entry(6, "exit_group", {3}), "3");
    unfinished.show_pid = true;
    w.call(unfinished);
    w.process_exit(6, 3 << 8, true);
    w.process_exit(7, SIGKILL, false);
  });
  EXPECT_EQ(out, "openat(AT_FDCWD, \"/x\", O_RDONLY) = -1 ENOENT (No such file or directory)\n"
                 "[pid 6] exit_group(3) = ?\n"
                 "[pid 6] +++ exited with 3 +++\n"
                 "+++ killed by SIGKILL +++\n");
}

TEST(TraceWriter, JsonLinesStayValidForInvalidUtf8) {
  const std::string out = written(report::TraceFormat::kJsonLines, false, [](report::TraceWriter& w) {
    report::TracedCall call = traced(exit_of(entry(5, "getpid"), 5), "");
    call.executable = "/tmp/bad\xff\xfe\x1b[31m";
    w.call(call);
  });
  const nlohmann::json line = nlohmann::json::parse(out);
  EXPECT_EQ(line["name"], "getpid");
  EXPECT_EQ(line["ret"], 5);
  EXPECT_EQ(line["exe"], "/tmp/bad\xEF\xBF\xBD\xEF\xBF\xBD\x1b[31m");
  EXPECT_FALSE(line.contains("errno"));
}

TEST(TraceWriter, SummaryCountsCallsErrorsAndValues) {
  const std::string out = written(report::TraceFormat::kSummary, true, [](report::TraceWriter& w) {
    for (int i = 0; i < 3; ++i) {
      report::TracedCall call = traced(exit_of(entry(5, "clone"), i == 0 ? -1 : 10), "");
      call.profile_value = i == 2 ? "CLONE_NEWUSER" : "CLONE_VM";
      w.call(call);
    }
    w.call(traced(exit_of(entry(5, "getpid"), 5), ""));
  });
  EXPECT_NE(out.find("         3        1 x86_64  clone                    CLONE_NEWUSER x1; CLONE_VM x2\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("         1        0 x86_64  getpid"), std::string::npos) << out;
  EXPECT_NE(out.find("         4        1 total\n"), std::string::npos) << out;
}

TEST(TraceWriter, AFullDeviceIsAnError) {
  std::FILE* full = std::fopen("/dev/full", "w");
  if (full == nullptr) GTEST_SKIP() << "/dev/full is not available";
  auto writer = report::make_trace_writer(report::TraceFormat::kText, full, false);
  for (int i = 0; i < 10000; ++i)
    writer->call(traced(entry(5, "getpid"), ""));
  Result<void> finished = writer->finish();
  std::fclose(full);
  ASSERT_FALSE(finished.ok());
  EXPECT_NE(finished.error().message.find("No space left on device"), std::string::npos)
      << finished.error().message;
}

class RecordingWriter final : public report::TraceWriter {
 public:
  std::vector<report::TracedCall> calls;
  std::vector<std::pair<pid_t, bool>> exits;
  void call(const report::TracedCall& call) override { calls.push_back(call); }
  void process_exit(pid_t pid, int, bool show_pid) override { exits.emplace_back(pid, show_pid); }
  Result<void> finish() override { return {}; }
};

TEST(TraceSession, PairsEntriesWithExitsAndReadsStringsAtEntry) {
  ScriptedRunner runner;
  FakeEvent open = entry(5, "openat", {static_cast<std::uint64_t>(-100), 0x1000, 0});
  runner.tracee.memory[0x1000] = std::string("/etc/hosts\0", 11);
  FakeEvent exiting = entry(5, "exit_group", {0});
  runner.script = {testing::process_start(5),  open, exit_of(open, 3), exiting, testing::thread_exit(5, 0),
                   testing::process_exit(5, 0)};
  TraceRequest request;
  request.command = {"app"};
  RecordingWriter writer;
  tracer::LaunchError error = tracer::LaunchError::kNone;
  auto summary = run_trace(request, writer, {}, runner, &error);
  ASSERT_TRUE(summary.ok());
  ASSERT_EQ(writer.calls.size(), 2u);
  EXPECT_EQ(writer.calls[0].arguments, "AT_FDCWD, \"/etc/hosts\", O_RDONLY");
  EXPECT_EQ(writer.calls[0].event.return_value, 3);
  EXPECT_EQ(writer.calls[1].event.nr, exiting.event.nr);
  EXPECT_FALSE(writer.calls[1].event.return_value) << "exit_group never returns: `= ?`";
  EXPECT_EQ(writer.exits, (std::vector<std::pair<pid_t, bool>>{{5, false}}));
  ASSERT_TRUE(runner.launched);
  EXPECT_TRUE(runner.launched->return_values);
  EXPECT_FALSE(runner.launched->filters.empty()) << "a trace-everything filter";
}

TEST(TraceSession, OnlyTheNamedCallsAreShownWithoutAFilter) {
  // -p and --no-seccomp stop every call: -e trace= must still select what is written.
  ScriptedRunner runner;
  FakeEvent write_call = entry(8, "write", {1, 0, 0});
  FakeEvent read_call = entry(8, "read", {0, 0, 0});
  runner.script = {read_call, exit_of(read_call, 0), write_call, exit_of(write_call, 0)};
  TraceRequest request;
  request.attach_pid = 8;
  request.only = std::vector<std::string>{"write"};
  RecordingWriter writer;
  ASSERT_TRUE(run_trace(request, writer, {}, runner, nullptr).ok());
  EXPECT_EQ(runner.attached, 8);
  ASSERT_EQ(writer.calls.size(), 1u);
  EXPECT_EQ(writer.calls[0].event.nr, write_call.event.nr);
}

TEST(TraceSession, SummaryDecodesCloneThreeFlagsFromMemory) {
  ScriptedRunner runner;
  FakeEvent clone3 = entry(5, "clone3", {0x2000, 88});
  const std::uint64_t flags = CLONE_NEWUSER;
  runner.tracee.memory[0x2000] = std::string(reinterpret_cast<const char*>(&flags), 8);
  runner.script = {clone3};
  TraceRequest request;
  request.command = {"app"};
  request.summary = true;
  request.return_values = false;
  RecordingWriter writer;
  ASSERT_TRUE(run_trace(request, writer, {}, runner, nullptr).ok());
  ASSERT_EQ(writer.calls.size(), 1u);
  EXPECT_EQ(writer.calls[0].profile_value, "CLONE_NEWUSER");
  EXPECT_EQ(runner.tracee.process_requests, 0) << "-c reads no /proc files";
}

}  // namespace
}  // namespace seccheck::session
