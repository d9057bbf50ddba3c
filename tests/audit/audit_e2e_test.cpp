// The real proof: a log-only copy of a catalog profile, loaded for testprogs by a real runtime
// (runc 1.1.5, from a bundle) or by seccheck's own compile path, makes the kernel write type=1326
// records to its log; the records read back from /dev/kmsg (only those after the test started,
// only the test's own pids) give the same (syscall, ABI) set as `seccheck check` on the same
// programs; a storm makes the kernel's rate limit drop records, and the loss is reported.
//
// The kernel prints audit records through printk_ratelimit() (10 per 5 s by default), which every
// process on the machine shares. Each attempt is therefore bracketed by two sentinel records of
// the test's own and judged on a complete stream (every kernel message from /dev/kmsg, so every
// serial number between the sentinels must be there); an attempt that lost any record is tried
// again in a fresh rate-limit window, and the test skips (saying why) if other processes keep
// the limit exhausted.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "analysis/catalog.h"
#include "analysis/compile.h"
#include "analysis/generate.h"
#include "analysis/log_only.h"
#include "analysis/profile_parser.h"
#include "audit/kmsg.h"
#include "audit/parser.h"
#include "core/exec_argv.h"
#include "core/syscall_table.h"
#include "tests/support/run_process.h"

namespace seccheck::audit {
namespace {

using testing::ProcessOutput;
using testing::read_file;
using testing::run_process;
using testing::testprog;

constexpr int kAttempts = 8;
constexpr auto kRateWindow = std::chrono::milliseconds(5300);  // printk_ratelimit's 5 s, and a bit
constexpr const char* kContainerProgs = "/tp";                 // testprogs/ inside the container

using CallSet = std::set<std::pair<Arch, int>>;

std::string call_set_text(const CallSet& calls) {
  std::string out;
  for (const auto& [arch, nr] : calls)
    out += std::string(out.empty() ? "" : ", ") + std::string(arch_name(arch)) + "/" +
           syscall_display_name(arch, nr);
  return "{" + out + "}";
}

std::string read_sysctl(const std::string& path) {
  std::ifstream in(path);
  std::string value;
  std::getline(in, value);
  return value;
}

// Why the kernel log cannot serve as evidence here, or "".
std::string kernel_log_unusable() {
  if (geteuid() != 0) return "needs root to read /dev/kmsg and run runc";
  if (auto readable = kmsg_readable(); !readable) return readable.error().message;
  const std::string logged = read_sysctl("/proc/sys/kernel/seccomp/actions_logged");
  if (logged.find("log") == std::string::npos)
    return "kernel.seccomp.actions_logged (" + logged + ") does not include log";
  return "";
}

std::string find_program(const std::string& name) {
  for (const char* dir : {"/usr/sbin/", "/usr/bin/", "/usr/local/sbin/", "/usr/local/bin/"})
    if (access((dir + name).c_str(), X_OK) == 0) return dir + name;
  return "";
}

// Runs argv with `program` loaded as its seccomp filter (seccheck's compile path, the way the
// tracer's child loads filters, without a tracer). Returns the child's pid.
pid_t run_under_program(const BpfProgram& program, const std::vector<std::string>& argv) {
  pid_t child = fork();
  if (child == 0) {
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    if (geteuid() != 0) prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    sock_fprog prog{static_cast<unsigned short>(program.instructions.size()),
                    const_cast<sock_filter*>(program.instructions.data())};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) _exit(126);
    std::vector<char*> args = exec_argv(argv);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << argv[0] << ": status " << status;
  return child;
}

BpfProgram compiled(const analysis::Profile& profile, const analysis::Context& context) {
  auto program = analysis::compile(analysis::resolve(profile, context), analysis::CompileMode::kAsIs);
  EXPECT_TRUE(program.ok());
  return program.ok() ? std::move(*program) : BpfProgram{};
}

// A record of the test's own, from a filter that logs getppid and allows everything else.
class Sentinel {
 public:
  Sentinel() {
    auto profile = analysis::parse_profile(
        R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_LOG"}]})",
        "sentinel");
    program_ = compiled(*profile, analysis::Context{});
  }
  pid_t emit() const {
    return run_under_program(program_, {testprog("audit_calls"), "nr:" + std::to_string(SYS_getppid)});
  }

 private:
  BpfProgram program_;
};

// One bracketed window of the kernel log: every message from open to close.
struct Window {
  std::vector<SeccompRecord> records;
  std::vector<std::string> lines;  // the raw kmsg lines, for `seccheck audit` and for messages
  LossSummary loss;
  bool complete = false;  // both sentinels seen and nothing lost between
  std::string why;        // why not complete
};

// Runs `workload` between two sentinel records and reads the kernel log until the second one
// shows up (emitting it again in the next rate-limit window if the limit swallowed it). The
// window is judged from the first sentinel to the last: every audit serial number between them
// must be there, and no rate-limit line may follow the first (a line just before it counts drops
// of an earlier window).
Window capture(const Sentinel& sentinel, const std::function<void()>& workload) {
  Window window;
  auto reader = KmsgReader::open(KmsgReader::Start::kNow);
  if (!reader) {
    window.why = reader.error().message;
    return window;
  }
  std::vector<std::string> lines;
  std::vector<std::pair<std::size_t, std::uint32_t>> record_pids;  // line index, pid
  AuditParser scan;
  auto drain = [&] {
    auto count = reader->read_available([&](std::string_view line) {
      lines.emplace_back(line);
      if (auto record = scan.add_line(line))
        record_pids.emplace_back(lines.size() - 1, record->pid.value_or(0));
    });
    EXPECT_TRUE(count.ok());
  };
  auto line_of = [&](pid_t pid) -> std::optional<std::size_t> {
    for (const auto& [index, record_pid] : record_pids)
      if (record_pid == static_cast<std::uint32_t>(pid)) return index;
    return std::nullopt;
  };
  const pid_t start = sentinel.emit();
  workload();
  pid_t end = sentinel.emit();
  for (int tries = 0; tries < 3; ++tries) {
    for (int wait = 0; wait < 50 && !line_of(end); ++wait) {
      reader->wait(100);
      drain();
    }
    if (line_of(end)) break;
    std::this_thread::sleep_for(kRateWindow);
    end = sentinel.emit();
  }
  drain();
  const auto first = line_of(start);
  const auto last = line_of(end);
  if (!first || !last) {
    window.why = first ? "the last sentinel record never showed" : "the first sentinel record was dropped";
    return window;
  }
  AuditParser::Options options;
  options.complete_stream = true;
  AuditParser parser(options);
  for (std::size_t i = *first; i <= *last; ++i) {
    window.lines.push_back(lines[i]);
    if (auto record = parser.add_line(lines[i])) window.records.push_back(std::move(*record));
  }
  parser.add_kernel_messages_lost(reader->overwritten());
  window.loss = parser.loss();
  if (window.loss.any()) {
    window.why = "records were lost: " + window.loss.describe().front();
  } else {
    window.complete = true;
  }
  return window;
}

CallSet calls_of(const std::vector<SeccompRecord>& records,
                 const std::function<bool(const SeccompRecord&)>& mine,
                 analysis::ActionKind expected = analysis::ActionKind::kLog) {
  CallSet calls;
  for (const SeccompRecord& record : records) {
    if (!mine(record)) continue;
    EXPECT_TRUE(record.arch) << record_call_text(record);
    EXPECT_EQ(record.action.kind, expected) << record_call_text(record);
    if (record.arch) calls.emplace(*record.arch, record.nr);
  }
  return calls;
}

// The (ABI, number) of every finding `seccheck check` reports as blocked by `profile`.
CallSet check_findings(const std::string& dir, const std::vector<std::string>& workload) {
  const std::string report = dir + "/report.json";
  std::vector<std::string> argv = {testing::seccheck_binary(),
                                   "check",
                                   "--profile",
                                   "docker",
                                   "--libseccomp",
                                   "2.5",
                                   "--format",
                                   "json",
                                   "-o",
                                   report,
                                   "-q",
                                   "--stack",
                                   "0",
                                   "--"};
  argv.insert(argv.end(), workload.begin(), workload.end());
  ProcessOutput out = run_process(argv, 120);
  EXPECT_TRUE(out.exit_status == 0 || out.exit_status == 1) << out.err;
  CallSet calls;
  const nlohmann::json json = nlohmann::json::parse(read_file(report));
  for (const auto& finding : json["findings"]) {
    if (!finding["verdicts"][0]["blocked"].get<bool>()) continue;
    calls.emplace(*parse_arch(finding["arch"].get<std::string>()), finding["nr"].get<int>());
  }
  return calls;
}

// `seccheck audit LOG --profile PROFILE --format json`: the report, and the (ABI, number) of every
// finding of `executable` the profile blocks.
struct AuditRun {  // NOLINT(bugprone-exception-escape): test data; nlohmann::json may throw on copy
  int exit_status = -1;
  nlohmann::json report;
  CallSet blocked;
};
AuditRun audit_log(const std::string& dir, const std::vector<std::string>& lines,
                   const std::string& executable, const std::string& profile = "docker",
                   const std::vector<std::string>& extra = {}) {
  const std::string log = dir + "/kmsg.log";
  {
    std::ofstream out(log);
    for (const std::string& line : lines)
      out << line << "\n";
  }
  const std::string report = dir + "/audit.json";
  std::vector<std::string> argv = {testing::seccheck_binary(),
                                   "audit",
                                   log,
                                   "--profile",
                                   profile,
                                   "--libseccomp",
                                   "2.5",
                                   "--format",
                                   "json",
                                   "-o",
                                   report,
                                   "-q"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  ProcessOutput out = run_process(argv, 120);
  AuditRun run;
  run.exit_status = out.exit_status;
  EXPECT_TRUE(out.exit_status == 0 || out.exit_status == 1) << out.err;
  run.report = nlohmann::json::parse(read_file(report));
  for (const auto& finding : run.report["findings"]) {
    if (finding["executable"] != executable || !finding["verdicts"][0]["blocked"].get<bool>()) continue;
    run.blocked.emplace(*parse_arch(finding["arch"].get<std::string>()), finding["nr"].get<int>());
  }
  return run;
}

class AuditE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = kernel_log_unusable(); !why.empty()) GTEST_SKIP() << "kernel log: " << why;
    char pattern[] = "/tmp/seccheck-audit-e2e-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    context_.libseccomp = analysis::KernelVersion{2, 5};  // what runc 1.1.5 links on Debian 12
    auto profiles = analysis::catalog_profiles("docker");
    ASSERT_TRUE(profiles.ok());
    docker_ = profiles->front();
  }
  void TearDown() override {
    if (!dir_.empty()) std::system(("rm -rf '" + dir_ + "'").c_str());
  }

  // The docker profile's log-only copy in containerd's flat form (what runc reads).
  analysis::Profile log_only_copy() {
    analysis::LogOnlyRequest request;
    request.base = &docker_;
    request.context = context_;
    request.engine = analysis::Engine::kContainerd;
    auto copy = analysis::make_log_only(request);
    EXPECT_TRUE(copy.ok());
    EXPECT_TRUE(copy->gaps.empty());
    return copy->profile;
  }

  // Writes a runc bundle running `args` (testprogs under /tp) with `seccomp` as linux.seccomp.
  std::string bundle(const analysis::Profile& seccomp, const std::vector<std::string>& args) {
    std::string path = dir_ + "/bundle";
    std::filesystem::create_directories(path + "/rootfs");
    for (const char* link : {"bin", "lib", "lib64", "sbin"}) {
      std::error_code ignored;
      std::filesystem::create_symlink(std::string("usr/") + link, path + "/rootfs/" + link, ignored);
    }
    nlohmann::json caps = nlohmann::json::array();
    for (const std::string& cap : analysis::default_container_capabilities())
      caps.push_back(cap);
    nlohmann::json config = {
        {"ociVersion", "1.0.2"},
        {"process",
         {{"terminal", false},
          {"user", {{"uid", 0}, {"gid", 0}}},
          {"args", args},
          {"env", {"PATH=/usr/sbin:/usr/bin"}},
          {"cwd", "/"},
          {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
          {"noNewPrivileges", false}}},
        {"root", {{"path", "rootfs"}, {"readonly", true}}},
        {"hostname", "seccheck-audit"},
        {"mounts",
         {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
          {{"destination", "/dev"},
           {"type", "tmpfs"},
           {"source", "tmpfs"},
           {"options", {"nosuid", "mode=755"}}},
          {{"destination", "/usr"}, {"type", "bind"}, {"source", "/usr"}, {"options", {"rbind", "ro"}}},
          {{"destination", kContainerProgs},
           {"type", "bind"},
           {"source", std::string(SECCHECK_TESTPROGS_DIR)},
           {"options", {"rbind", "ro"}}}}},
        {"linux",
         {{"namespaces", {{{"type", "pid"}}, {{"type", "ipc"}}, {{"type", "uts"}}, {{"type", "mount"}}}},
          {"seccomp", nlohmann::json::parse(analysis::profile_to_json(seccomp))}}},
    };
    std::ofstream(path + "/config.json") << config.dump(1);
    return path;
  }

  // Runs the bundle with runc; returns the container process's pid (in the initial namespace),
  // 0 when runc refused to start it (`runc_error` gets its message).
  pid_t run_container(const std::string& runc, const std::string& bundle_path,
                      std::string* runc_error = nullptr) {
    static int counter = 0;
    const std::string id = "seccheck-audit-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
    const std::string pid_file = dir_ + "/" + id + ".pid";
    ProcessOutput out = run_process({runc, "run", "--bundle", bundle_path, "--pid-file", pid_file, id}, 60);
    if (runc_error != nullptr) {
      *runc_error = out.exit_status == 0 ? "" : out.err;
    } else {
      EXPECT_EQ(out.exit_status, 0) << out.err << out.out;
    }
    if (!std::filesystem::exists(pid_file)) return 0;
    const std::string pid = read_file(pid_file);
    return pid.empty() ? 0 : std::stoi(pid);
  }

  // Runs the workload through `capture` until an attempt lost nothing.
  Window capture_complete(const Sentinel& sentinel, const std::function<void()>& workload) {
    Window window;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(kRateWindow);
      window = capture(sentinel, workload);
      if (window.complete) return window;
      std::cerr << "attempt " << attempt + 1 << ": " << window.why
                << "; again in a fresh rate-limit window\n";
    }
    return window;
  }

  std::string dir_;
  analysis::Context context_;
  analysis::Profile docker_;
};

// check_calls' calls in groups small enough for one rate-limit window with the two sentinels.
const std::vector<std::vector<std::string>> kGroups = {
    {"acct", "unshare", "mount", "keyctl", "add_key", "bpf"},
    {"perf_event_open", "userfaultfd", "clone_newuser", "clone_newuts", "clone3", "ptrace"},
    {"personality_linux", "personality_no_randomize", "socket_inet", "socket_vsock", "socket_alg",
     "x32_keyctl", "x32_getpid"},
};

TEST_F(AuditE2E, RuncLogOnlyCopyLogsWhatCheckReports) {
  const std::string runc = find_program("runc");
  if (runc.empty()) GTEST_SKIP() << "runc is not installed";
  const Sentinel sentinel;
  const analysis::Profile copy = log_only_copy();
  CallSet logged, reported;
  std::vector<std::string> kmsg_lines;
  for (const std::vector<std::string>& group : kGroups) {
    std::vector<std::string> args = {std::string(kContainerProgs) + "/check_calls"};
    args.insert(args.end(), group.begin(), group.end());
    const std::string path = bundle(copy, args);
    pid_t container = 0;
    Window window = capture_complete(sentinel, [&] { container = run_container(runc, path); });
    if (!window.complete)
      GTEST_SKIP() << "the kernel log lost records in every attempt (" << window.why << ")";
    CallSet calls = calls_of(window.records, [&](const SeccompRecord& record) {
      return record.pid == static_cast<std::uint32_t>(container);
    });
    for (const SeccompRecord& record : window.records)
      if (record.pid == static_cast<std::uint32_t>(container)) {
        EXPECT_EQ(record.exe, args.front());
      }
    logged.insert(calls.begin(), calls.end());
    kmsg_lines.insert(kmsg_lines.end(), window.lines.begin(), window.lines.end());

    std::vector<std::string> workload = {testprog("check_calls")};
    workload.insert(workload.end(), group.begin(), group.end());
    CallSet flagged = check_findings(dir_, workload);
    reported.insert(flagged.begin(), flagged.end());
    EXPECT_EQ(calls, flagged) << "kernel log " << call_set_text(calls) << " vs check "
                              << call_set_text(flagged);
  }
  EXPECT_EQ(logged, reported);
  // Most of check_calls' calls are ones docker blocks (some share a syscall: clone, socket,
  // personality); x32 getpid, ptrace and AF_INET/AF_ALG sockets are allowed and not logged.
  for (const char* name : {"acct", "unshare", "mount", "keyctl", "add_key", "bpf", "perf_event_open",
                           "userfaultfd", "clone", "clone3", "personality", "socket"})
    EXPECT_TRUE(logged.count({Arch::kX86_64, *syscall_number(Arch::kX86_64, name)})) << name;
  EXPECT_TRUE(logged.count({Arch::kX32, 250})) << "x32 keyctl";
  EXPECT_FALSE(logged.count({Arch::kX32, 39})) << "x32 getpid";
  // The real binary on the same kernel log: `seccheck audit` reports the set `check` reported.
  const AuditRun audited = audit_log(dir_, kmsg_lines, std::string(kContainerProgs) + "/check_calls");
  EXPECT_EQ(audited.blocked, reported)
      << "audit " << call_set_text(audited.blocked) << " vs check " << call_set_text(reported);
  EXPECT_EQ(audited.exit_status, 1) << "docker blocks them: the gate fails";
  EXPECT_FALSE(audited.report.contains("records_lost")) << audited.report["records_lost"].dump();
}

// runc adds no -ENOSYS stub under a LOG default: a call numbered above every call the profile
// names, which docker answers with ENOSYS, is logged; and runc 1.1.x refuses a profile carrying
// SECCOMP_FILTER_FLAG_LOG (runc >= 1.2 and crun load it, and the kernel then logs the enforcing
// profile's ERRNO).
TEST_F(AuditE2E, RuncEnosysStubAndFilterFlagLog) {
  const std::string runc = find_program("runc");
  if (runc.empty()) GTEST_SKIP() << "runc is not installed";
  const Sentinel sentinel;
  const int beyond = max_syscall_number(Arch::kX86_64) + 20;
  {
    const std::string path = bundle(
        log_only_copy(), {std::string(kContainerProgs) + "/audit_calls", "nr:" + std::to_string(beyond)});
    pid_t container = 0;
    Window window = capture_complete(sentinel, [&] { container = run_container(runc, path); });
    if (!window.complete)
      GTEST_SKIP() << "the kernel log lost records in every attempt (" << window.why << ")";
    CallSet calls =
        calls_of(window.records, [&](const SeccompRecord& r) { return r.pid == std::uint32_t(container); });
    EXPECT_EQ(calls, (CallSet{{Arch::kX86_64, beyond}}));
    EXPECT_EQ(check_findings(dir_, {testprog("audit_calls"), "nr:" + std::to_string(beyond)}), calls)
        << "check reports the docker profile's ENOSYS stub for it";
  }
  {
    analysis::Profile enforcing = analysis::flatten_profile(analysis::resolve(docker_, context_),
                                                            docker_);  // the base, as containerd hands it on
    enforcing.flags = {"SECCOMP_FILTER_FLAG_LOG"};
    const std::string path = bundle(enforcing, {std::string(kContainerProgs) + "/check_calls", "keyctl"});
    ProcessOutput version = run_process({runc, "--version"});
    const bool before_1_2 = version.out.find("runc version 1.1.") != std::string::npos ||
                            version.out.find("runc version 1.0.") != std::string::npos;
    if (before_1_2) {
      // runc 1.1 refuses a profile with flags outright (libcontainer/specconv).
      std::string error;
      EXPECT_EQ(run_container(runc, path, &error), 0);
      EXPECT_NE(error.find("seccomp flags are not yet supported by runc"), std::string::npos) << error;
      return;
    }
    pid_t container = 0;
    Window window = capture_complete(sentinel, [&] { container = run_container(runc, path); });
    if (!window.complete)
      GTEST_SKIP() << "the kernel log lost records in every attempt (" << window.why << ")";
    CallSet calls = calls_of(
        window.records, [&](const SeccompRecord& r) { return r.pid == std::uint32_t(container); },
        analysis::ActionKind::kErrno);
    EXPECT_EQ(calls.size(), 1u) << version.out;
  }
}

// crun honours the profile's flags: with SECCOMP_FILTER_FLAG_LOG the kernel logs the enforcing
// docker profile's ERRNO (code 0x50000: the errno is not logged). crun refuses this machine's
// hybrid cgroup layout, so it runs in a private mount namespace on a plain cgroup2 mount,
// without a cgroup manager.
TEST_F(AuditE2E, CrunLogsErrnoWithFilterFlagLog) {
  const std::string crun = find_program("crun");
  const std::string unshare = find_program("unshare");
  if (crun.empty() || unshare.empty()) GTEST_SKIP() << "crun or unshare is not installed";
  const Sentinel sentinel;
  analysis::Context context = context_;
  context.oci_runtime = analysis::OciRuntime::kCrun;
  analysis::Profile enforcing = analysis::flatten_profile(analysis::resolve(docker_, context), docker_);
  enforcing.flags = {"SECCOMP_FILTER_FLAG_LOG"};
  const std::string path = bundle(enforcing, {std::string(kContainerProgs) + "/check_calls", "keyctl"});
  const std::string pid_file = dir_ + "/crun.pid";
  pid_t container = 0;
  std::string error;
  Window window = capture_complete(sentinel, [&] {
    const std::string id = "seccheck-audit-crun-" + std::to_string(getpid());
    ProcessOutput out =
        run_process({unshare, "-m", "sh", "-c",
                     "mount -t cgroup2 none /sys/fs/cgroup && exec " + crun +
                         " --cgroup-manager=disabled run --pid-file " + pid_file + " -b " + path + " " + id},
                    60);
    error = out.exit_status == 0 ? "" : out.err;
    container = std::filesystem::exists(pid_file) ? std::stoi(read_file(pid_file)) : 0;
  });
  if (!error.empty()) GTEST_SKIP() << "crun cannot run a container here: " << error;
  if (!window.complete) GTEST_SKIP() << "the kernel log lost records in every attempt (" << window.why << ")";
  CallSet calls = calls_of(
      window.records, [&](const SeccompRecord& r) { return r.pid == std::uint32_t(container); },
      analysis::ActionKind::kErrno);
  EXPECT_EQ(calls, (CallSet{{Arch::kX86_64, *syscall_number(Arch::kX86_64, "keyctl")}}));
}

// `seccheck audit --follow` on /dev/kmsg prints a finding when its first record arrives and writes
// the report when interrupted. unshare(0) under the log-only copy of docker is logged (docker
// blocks unshare) and changes nothing.
TEST_F(AuditE2E, FollowTheKernelLogUntilInterrupted) {
  const BpfProgram program = compiled(log_only_copy(), context_);
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const std::string since =
      "@" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now).count());
  const std::string report = dir_ + "/follow.json";
  std::atomic<bool> done{false};
  std::thread calls([&] {
    // Again in each rate-limit window until seccheck has printed it (other processes share it).
    for (int attempt = 0; attempt < 6 && !done; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(attempt == 0 ? 1000 : 5300));
      if (!done) run_under_program(program, {testprog("audit_calls"), "nr:" + std::to_string(SYS_unshare)});
    }
  });
  testing::RunOptions options;
  options.signal = SIGINT;
  options.signal_after_output = "x86_64/unshare " + testprog("audit_calls") + ": LOG";
  options.signal_delay_ms = 200;
  options.timeout_seconds = 45;
  testing::ProcessRun run = testing::run_process_with(
      {testing::seccheck_binary(), "audit", "--follow", "--since", since, "--profile", "docker",
       "--libseccomp", "2.5", "--format", "json", "-o", report, "-q"},
      options);
  done = true;
  calls.join();
  if (!run.signal_sent)
    GTEST_SKIP() << "the kernel log dropped the record in every window:\n" << run.output.out;
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.output.exit_status, 1) << run.output.err;
  EXPECT_NE(run.output.out.find(options.signal_after_output + "; docker@"), std::string::npos)
      << run.output.out;
  const nlohmann::json json = nlohmann::json::parse(read_file(report));
  EXPECT_TRUE(json["interrupted"].get<bool>());
  bool found = false;
  for (const auto& finding : json["findings"])
    found |= finding["key"] == "x86_64/unshare" && finding["executable"] == testprog("audit_calls");
  EXPECT_TRUE(found) << json["findings"].dump();
}

// The printk rate limit drops most of a storm of logged calls; what the kernel dropped is
// reported: the suppressed count (printed with the next record after the window) and the
// serial numbers missing between the records seen.
TEST_F(AuditE2E, StormLossIsReported) {
  const std::string ratelimit = read_sysctl("/proc/sys/kernel/printk_ratelimit");
  const std::string burst = read_sysctl("/proc/sys/kernel/printk_ratelimit_burst");
  constexpr int kStorm = 200;
  if (ratelimit == "0" || std::atoi(burst.c_str()) >= kStorm)
    GTEST_SKIP() << "the kernel's printk rate limit is off or above " << kStorm << " per window";
  const Sentinel sentinel;
  const BpfProgram program = compiled(log_only_copy(), context_);
  pid_t storm = 0;
  std::this_thread::sleep_for(kRateWindow);  // a window of its own, if the machine is quiet
  Window window = capture(sentinel, [&] {
    storm = run_under_program(program, {testprog("audit_calls"), "storm:" + std::to_string(kStorm)});
    std::this_thread::sleep_for(kRateWindow);  // the next record prints the suppressed count
  });
  ASSERT_FALSE(window.lines.empty());
  CallSet calls =
      calls_of(window.records, [&](const SeccompRecord& r) { return r.pid == std::uint32_t(storm); });
  std::size_t seen = 0;
  for (const SeccompRecord& record : window.records)
    seen += record.pid == static_cast<std::uint32_t>(storm);
  ASSERT_LT(seen, static_cast<std::size_t>(kStorm));
  // (Other processes may have used up the window: then none of the storm's records is seen.)
  if (seen > 0) {
    EXPECT_EQ(calls, (CallSet{{Arch::kX86_64, 163}})) << "acct";
  }
  // Serial numbers between the sentinels are all accounted for: seen or counted as lost.
  EXPECT_TRUE(window.loss.serials_judged);
  EXPECT_GE(window.loss.serial_gaps + seen, static_cast<std::uint64_t>(kStorm));
  EXPECT_GE(window.loss.records_lost_at_least(), static_cast<std::uint64_t>(kStorm) - seen);
  EXPECT_GE(window.loss.rate_limited, static_cast<std::uint64_t>(kStorm) - seen)
      << "the kauditd_printk_skb line came with the sentinel after the window";
  EXPECT_TRUE(window.loss.any());
  // `seccheck audit` on the same lines reports the loss and fails the gate for it alone (the
  // profile checked allows everything, so no finding is blocked), unless --allow-lost.
  const std::string allow_all = dir_ + "/allow.json";
  std::ofstream(allow_all) << R"({"defaultAction": "SCMP_ACT_ALLOW"})";
  AuditRun strict = audit_log(dir_, window.lines, "", allow_all);
  EXPECT_EQ(strict.exit_status, 1);
  ASSERT_TRUE(strict.report.contains("records_lost")) << strict.report.dump();
  EXPECT_NE(strict.report["summary"]["gate_text"].get<std::string>().find("records are missing"),
            std::string::npos);
  bool rate_limit_named = false;
  for (const auto& line : strict.report["records_lost"])
    rate_limit_named |= line.get<std::string>().find("rate limit") != std::string::npos;
  EXPECT_TRUE(rate_limit_named) << strict.report["records_lost"].dump();
  AuditRun allowed = audit_log(dir_, window.lines, "", allow_all, {"--allow-lost"});
  EXPECT_EQ(allowed.exit_status, 0) << allowed.report["summary"].dump();
}

}  // namespace
}  // namespace seccheck::audit
