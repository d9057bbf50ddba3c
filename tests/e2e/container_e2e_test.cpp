// End to end: seccheck run where containers run. The static seccheck in a busybox root
// filesystem and a musl one (chroot); `check --bundle` with the real runc and crun from Debian on
// a bundle the test builds from busybox-static and the static testprog container_workload_static.
// `check --image` with the real docker from Debian (docker.io): the test starts a private dockerd
// (its own socket, data and exec folders, no bridge or iptables) and imports the same root
// filesystem as an image. Skips with the reason when root, chroot, a runtime, an engine or a tool
// is missing.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/run_process.h"

namespace seccheck::testing {
namespace {

namespace fs = std::filesystem;

std::string which(const std::string& name) {
  for (const char* dir : {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
    std::string path = std::string(dir) + "/" + name;
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

// crun refuses this VM's hybrid cgroup layout unless it runs in a private mount namespace with
// a plain cgroup2 mount and without a cgroup manager (../shared/README.md).
std::vector<std::string> in_private_cgroup2(const std::vector<std::string>& argv) {
  std::vector<std::string> out = {which("unshare"),
                                  "-m",
                                  "--propagation",
                                  "private",
                                  "sh",
                                  "-c",
                                  "mount -t cgroup2 none /sys/fs/cgroup && exec \"$@\"",
                                  "sh"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

class ContainerE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (chroot, OCI runtimes)";
    char pattern[] = "/tmp/seccheck-container-e2e-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    tmp_ = dir_ + "/tmp";
    fs::create_directories(tmp_);
  }
  void TearDown() override {
    if (!dir_.empty()) std::system(("rm -rf '" + dir_ + "'").c_str());
  }
  // The tests that put seccheck-static into a root filesystem (sanitizer builds make none).
  bool static_root_unavailable() {
    if (seccheck_static_binary().empty()) {
      skip_reason_ = "the build made no seccheck-static (SECCHECK_STATIC_BINARY=OFF or a sanitizer build)";
      return true;
    }
    if (!fs::exists("/bin/busybox")) {
      skip_reason_ = "busybox-static is not installed";
      return true;
    }
    return false;
  }
  std::string skip_reason_;

  // A busybox root filesystem with the workload as /bin/workload.
  std::string make_rootfs(const std::string& name) {
    std::string root = dir_ + "/" + name;
    for (const char* sub : {"bin", "proc", "dev", "sys", "tmp", "lib"})
      fs::create_directories(root + "/" + sub);
    fs::copy_file("/bin/busybox", root + "/bin/busybox");
    for (const char* applet : {"sh", "true", "echo", "sleep", "cat"})
      fs::create_symlink("busybox", root + "/bin/" + applet);
    fs::copy_file(testprog("container_workload_static"), root + "/bin/workload");
    return root;
  }

  // A bundle from `runc spec` with process.args = args and the bounding (and every other)
  // capability set = caps.
  std::string make_bundle(const std::vector<std::string>& args, const std::vector<std::string>& caps,
                          const nlohmann::json& seccomp = nullptr) {
    std::string bundle = dir_ + "/bundle";
    fs::create_directories(bundle);
    make_rootfs("bundle/rootfs");
    ProcessOutput spec = run_process({which("runc"), "spec", "--bundle", bundle});
    EXPECT_EQ(spec.exit_status, 0) << spec.err;
    nlohmann::json config = nlohmann::json::parse(read_file(bundle + "/config.json"));
    config["process"]["terminal"] = false;
    config["process"]["args"] = args;
    for (const char* set : {"bounding", "effective", "permitted"})
      config["process"]["capabilities"][set] = caps;
    if (!seccomp.is_null()) config["linux"]["seccomp"] = seccomp;
    write_file(bundle + "/config.json", config.dump(2));
    return bundle;
  }

  std::vector<std::string> check_bundle(const std::string& runtime, const std::string& bundle,
                                        std::vector<std::string> extra) {
    std::vector<std::string> argv = {"/usr/bin/env", "TMPDIR=" + tmp_, seccheck_binary(), "check",
                                     "--bundle",     bundle,           "--oci-runtime",   runtime};
    if (runtime == "crun") argv.push_back("--oci-runtime-arg=--cgroup-manager=disabled");
    argv.insert(argv.end(), extra.begin(), extra.end());
    return runtime == "crun" ? in_private_cgroup2(argv) : argv;
  }

  // Findings of a JSON report: key -> verdict labels.
  static std::map<std::string, std::vector<std::string>> findings(const std::string& report_path) {
    std::map<std::string, std::vector<std::string>> out;
    const auto report = nlohmann::json::parse(read_file(report_path));
    for (const auto& finding : report["findings"]) {
      std::vector<std::string> labels;
      for (const auto& verdict : finding["verdicts"])
        labels.push_back(verdict["label"]);
      out[finding["key"]] = labels;
    }
    return out;
  }

  // Processes whose root is under this test's folder (containers of its bundles).
  std::vector<std::string> processes_rooted_here() {
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator("/proc")) {
      const std::string name = entry.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::error_code error;
      const auto root = fs::read_symlink(entry.path() / "root", error);
      if (!error && root.string().rfind(dir_, 0) == 0) found.push_back(name + " " + root.string());
    }
    return found;
  }

  std::string dir_;
  std::string tmp_;  // TMPDIR of the seccheck runs: must be empty afterwards
};

TEST_F(ContainerE2E, StaticBinaryChecksInsideABusyboxRootFilesystem) {
  if (static_root_unavailable()) GTEST_SKIP() << skip_reason_;
  const std::string root = make_rootfs("busybox");
  fs::copy_file(seccheck_static_binary(), root + "/seccheck");
  const std::string script =
      "mount -t proc proc \"$1/proc\" && exec chroot \"$1\" /seccheck check --profile docker --format json "
      "-o /tmp/report.json -q --stack 3 -- /bin/workload clone-ns";
  ProcessOutput run = run_process({which("unshare"), "-m", "--fork", "sh", "-c", script, "sh", root});
  ASSERT_EQ(run.exit_status, 1) << run.err;
  const auto report = nlohmann::json::parse(read_file(root + "/tmp/report.json"));
  ASSERT_EQ(report["findings"].size(), 1u) << report.dump(2);
  EXPECT_EQ(report["findings"][0]["syscall"], "clone");
  // The stack comes from the libunwind linked into the static binary.
  EXPECT_NE(report["findings"][0].dump().find("main"), std::string::npos) << report["findings"][0].dump(2);
}

TEST_F(ContainerE2E, StaticBinaryChecksAMuslProgramInAMuslRootFilesystem) {
  if (static_root_unavailable()) GTEST_SKIP() << skip_reason_;
  const std::string musl_gcc = which("musl-gcc");
  if (musl_gcc.empty()) GTEST_SKIP() << "musl-tools is not installed";
  const std::string root = make_rootfs("musl");
  // A dynamically linked musl program: its loader and libc are musl's, nothing of glibc's.
  const std::string source = dir_ + "/musl_unshare.c";
  write_file(source, "#define _GNU_SOURCE\n#include <sched.h>\n#include <stdio.h>\n"
                     "int main(void) { printf(\"unshare: %d\\n\", unshare(CLONE_NEWUTS)); return 0; }\n");
  ProcessOutput cc = run_process({musl_gcc, "-O0", "-o", root + "/bin/musl_unshare", source});
  ASSERT_EQ(cc.exit_status, 0) << cc.err;
  fs::copy_file(fs::canonical("/lib/ld-musl-x86_64.so.1"), root + "/lib/ld-musl-x86_64.so.1");
  fs::copy_file(seccheck_static_binary(), root + "/seccheck");
  const std::string script =
      "mount -t proc proc \"$1/proc\" && exec chroot \"$1\" /seccheck check --profile docker --format json "
      "-o /tmp/report.json -q -- /bin/musl_unshare";
  ProcessOutput run = run_process({which("unshare"), "-m", "--fork", "sh", "-c", script, "sh", root});
  ASSERT_EQ(run.exit_status, 1) << run.err;
  EXPECT_NE(run.out.find("unshare: 0"), std::string::npos) << run.out;
  const auto found = findings(root + "/tmp/report.json");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found.begin()->first, "x86_64/unshare");
}

// check --init on the host: the same init behaviour without a container.
TEST_F(ContainerE2E, InitModePassesSigtermToTheWorkload) {
  const std::string report = dir_ + "/report.json";
  RunOptions options;
  options.timeout_seconds = 60;
  options.signal = SIGTERM;
  options.signal_after_output = "ready";
  options.signal_delay_ms = 200;
  ProcessRun run = run_process_with({seccheck_binary(), "check", "--init", "--format", "json", "-o", report,
                                     "-q", "--", testprog("container_workload_static"), "wait-term"},
                                    options);
  ASSERT_TRUE(run.signal_sent);
  EXPECT_NE(run.output.out.find("got SIGTERM"), std::string::npos) << run.output.out << run.output.err;
  EXPECT_EQ(nlohmann::json::parse(read_file(report))["workload_exit_status"], 143);
  EXPECT_EQ(run.left_behind, std::vector<std::string>{});
}

TEST_F(ContainerE2E, InitModeStopsWhenTheMainProcessEnds) {
  const std::string report = dir_ + "/report.json";
  RunOptions options;
  options.timeout_seconds = 60;
  ProcessRun run = run_process_with({seccheck_binary(), "check", "--init", "--format", "json", "-o", report,
                                     "-q", "--", testprog("container_workload_static"), "orphan"},
                                    options);
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.output.exit_status, 0) << run.output.err;
  EXPECT_LT(run.seconds, 20.0);
  EXPECT_NE(read_file(report).find("1 process(es) outlived"), std::string::npos);
  EXPECT_EQ(run.left_behind, std::vector<std::string>{}) << "the orphan was left running";
}

class BundleE2E : public ContainerE2E, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    ContainerE2E::SetUp();
    if (IsSkipped()) return;
    if (static_root_unavailable()) GTEST_SKIP() << skip_reason_;
    if (which("runc").empty()) GTEST_SKIP() << "runc is not installed (needed for `runc spec`)";
    if (which(GetParam()).empty()) GTEST_SKIP() << GetParam() << " is not installed";
  }
  void TearDown() override {
    if (!dir_.empty()) {
      EXPECT_TRUE(fs::is_empty(tmp_)) << "seccheck left its work folder behind";
      EXPECT_EQ(processes_rooted_here(), std::vector<std::string>{}) << "container processes left behind";
    }
    ContainerE2E::TearDown();
  }
};

const std::vector<std::string> kDefaultCaps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};

TEST_P(BundleE2E, CapabilitiesComeFromConfigJson) {
  const std::string report = dir_ + "/report.json";
  const std::string bundle = make_bundle({"/bin/workload", "clone-ns"}, kDefaultCaps);
  const std::string config_before = read_file(bundle + "/config.json");
  ProcessOutput without = run_process(
      check_bundle(GetParam(), bundle, {"--profile", "docker", "--format", "json", "-o", report, "-q"}), 120);
  ASSERT_EQ(without.exit_status, 1) << without.err;
  auto found = findings(report);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found.begin()->first.rfind("x86_64/clone/", 0), 0u);
  EXPECT_EQ(found.begin()->second, std::vector<std::string>{"ERRNO(EPERM)"});
  // The workload ran in the container, as the runtime runs it: it printed through.
  EXPECT_NE(without.out.find("clone: "), std::string::npos) << without.out;
  EXPECT_EQ(read_file(bundle + "/config.json"), config_before) << "the user's config.json was changed";
  EXPECT_FALSE(fs::exists(bundle + "/rootfs/dev/.seccheck")) << "a mount point was made in the user's rootfs";

  std::vector<std::string> with_admin = kDefaultCaps;
  with_admin.push_back("CAP_SYS_ADMIN");
  fs::remove_all(bundle);
  make_bundle({"/bin/workload", "clone-ns"}, with_admin);
  ProcessOutput with = run_process(
      check_bundle(GetParam(), bundle, {"--profile", "docker", "--format", "json", "-o", report, "-q"}), 120);
  ASSERT_EQ(with.exit_status, 0) << with.err;
  EXPECT_TRUE(findings(report).empty());
  EXPECT_NE(with.out.find("clone: ok"), std::string::npos) << with.out;
}

TEST_P(BundleE2E, DeclaredProfileIsRemovedForTheRunAndChecked) {
  const std::string report = dir_ + "/report.json";
  const nlohmann::json seccomp = {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"architectures", {"SCMP_ARCH_X86_64"}},
      {"syscalls", {{{"names", {"getpid"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 1}}}}};
  const std::string bundle = make_bundle({"/bin/workload", "exit", "7"}, kDefaultCaps, seccomp);
  ProcessOutput run = run_process(check_bundle(GetParam(), bundle, {"--format", "json", "-o", report}), 120);
  ASSERT_EQ(run.exit_status, 1) << run.err;
  EXPECT_NE(
      run.err.find("declared profile: linux.seccomp of config.json: defaultAction SCMP_ACT_ALLOW, 1 syscall "
                   "rule, architectures SCMP_ARCH_X86_64; removed for this run and checked as "
                   "/dev/.seccheck/out/declared-profile.json"),
      std::string::npos)
      << run.err;
  const auto json = nlohmann::json::parse(read_file(report));
  EXPECT_EQ(json["workload_exit_status"], 7) << json["workload"].dump();
  const auto found = findings(report);
  ASSERT_EQ(found.count("x86_64/getpid"), 1u) << json.dump(2);
  // runtime-default (docker, containerd, containers-common) allow getpid; the declared one does not.
  EXPECT_EQ(found.at("x86_64/getpid"),
            (std::vector<std::string>{"allowed", "allowed", "allowed", "ERRNO(EPERM)"}));
}

TEST_P(BundleE2E, WorkloadExitStatusPassesIntoTheReportAndTheGate) {
  const std::string report = dir_ + "/report.json";
  const std::string bundle = make_bundle({"/bin/workload", "exit", "7"}, kDefaultCaps);
  ProcessOutput plain =
      run_process(check_bundle(GetParam(), bundle, {"--format", "json", "-o", report, "-q"}), 120);
  EXPECT_EQ(plain.exit_status, 0) << plain.err;
  EXPECT_EQ(nlohmann::json::parse(read_file(report))["workload_exit_status"], 7);
  ProcessOutput gated = run_process(
      check_bundle(GetParam(), bundle, {"--format", "json", "-o", report, "-q", "--fail-on-workload-error"}),
      120);
  EXPECT_EQ(gated.exit_status, 1) << gated.err;
}

TEST_P(BundleE2E, BadInputIsAOneLineUsageError) {
  const std::string bundle = dir_ + "/bad";
  fs::create_directories(bundle + "/rootfs");
  auto expect_usage = [&](const std::string& what, const std::string& message) {
    ProcessOutput run = run_process(check_bundle(GetParam(), bundle, {}), 60);
    EXPECT_EQ(run.exit_status, 2) << what << ": " << run.err;
    EXPECT_NE(run.err.find(message), std::string::npos) << what << ": " << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << what << ": " << run.err;
  };
  expect_usage("no config.json", "no config.json there");
  write_file(bundle + "/config.json", "{ not json");
  expect_usage("not JSON", "config.json: not valid JSON");
  write_file(bundle + "/config.json", R"({"process": {"args": ["/bin/true"]}})");
  expect_usage("not OCI", "not an OCI runtime config");
  ProcessOutput missing = run_process(check_bundle(GetParam(), dir_ + "/missing", {}), 60);
  EXPECT_EQ(missing.exit_status, 2) << missing.err;
  EXPECT_NE(missing.err.find("no such folder"), std::string::npos) << missing.err;
}

TEST_P(BundleE2E, RuntimeFailureIsExit3WithTheRuntimesMessage) {
  const std::string bundle = make_bundle({"/bin/workload", "exit", "0"}, kDefaultCaps);
  nlohmann::json config = nlohmann::json::parse(read_file(bundle + "/config.json"));
  config["mounts"].push_back({{"destination", "/dev/data"},
                              {"type", "bind"},
                              {"source", dir_ + "/no-such-source"},
                              {"options", {"bind"}}});
  write_file(bundle + "/config.json", config.dump());
  ProcessOutput run = run_process(check_bundle(GetParam(), bundle, {"-q"}), 60);
  EXPECT_EQ(run.exit_status, 3) << run.err;
  EXPECT_NE(run.err.find("seccheck: " + GetParam() + " failed (exit "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("no-such-source"), std::string::npos) << run.err;
}

TEST_P(BundleE2E, SigtermToSeccheckReachesTheWorkload) {
  const std::string report = dir_ + "/report.json";
  const std::string bundle = make_bundle({"/bin/workload", "wait-term"}, kDefaultCaps);
  RunOptions options;
  options.timeout_seconds = 60;
  options.signal = SIGTERM;
  options.signal_after_output = "ready";
  options.signal_delay_ms = 300;
  ProcessRun run =
      run_process_with(check_bundle(GetParam(), bundle, {"--format", "json", "-o", report, "-q"}), options);
  ASSERT_TRUE(run.signal_sent);
  EXPECT_FALSE(run.timed_out);
  EXPECT_NE(run.output.out.find("got SIGTERM"), std::string::npos) << run.output.out << run.output.err;
  EXPECT_EQ(nlohmann::json::parse(read_file(report))["workload_exit_status"], 143);
}

TEST_P(BundleE2E, AProcessOutlivingTheMainOneIsReportedAndEndedNotWaitedFor) {
  const std::string report = dir_ + "/report.json";
  const std::string bundle = make_bundle({"/bin/workload", "orphan"}, kDefaultCaps);
  RunOptions options;
  options.timeout_seconds = 60;
  ProcessRun run =
      run_process_with(check_bundle(GetParam(), bundle, {"--format", "json", "-o", report, "-q"}), options);
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.output.exit_status, 0) << run.output.err;
  EXPECT_LT(run.seconds, 20.0) << "seccheck waited for the orphan (it sleeps 300 s)";
  const auto json = nlohmann::json::parse(read_file(report));
  EXPECT_EQ(json["workload_exit_status"], 0);
  EXPECT_NE(json["notices"].dump().find("1 process(es) outlived the workload's main process"),
            std::string::npos)
      << json["notices"].dump(2);
}

TEST_P(BundleE2E, OrphansAreReapedAndTheRunEnds) {
  const std::string report = dir_ + "/report.json";
  const std::string bundle = make_bundle({"/bin/workload", "zombies", "5"}, kDefaultCaps);
  ProcessOutput run =
      run_process(check_bundle(GetParam(), bundle, {"--format", "json", "-o", report, "-q"}), 60);
  EXPECT_EQ(run.exit_status, 0) << run.err;
  const auto json = nlohmann::json::parse(read_file(report));
  EXPECT_EQ(json["workload_exit_status"], 0);
  EXPECT_EQ(json["notices"].dump().find("outlived"), std::string::npos) << json["notices"].dump(2);
}

TEST_P(BundleE2E, TheWorkloadRunsAsTheConfigsUser) {
  const std::string report = dir_ + "/report.json";
  const std::string bundle = make_bundle({"/bin/busybox", "id", "-u"}, kDefaultCaps);
  nlohmann::json config = nlohmann::json::parse(read_file(bundle + "/config.json"));
  config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  write_file(bundle + "/config.json", config.dump());
  ProcessOutput run =
      run_process(check_bundle(GetParam(), bundle, {"--format", "json", "-o", report, "-q"}), 60);
  EXPECT_EQ(run.exit_status, 0) << run.err;
  EXPECT_EQ(run.out, "1000\n");
  EXPECT_EQ(nlohmann::json::parse(read_file(report))["workload_exit_status"], 0);
}

// generate --minimal allows what the context's runtime calls between loading the filter and
// execve (analysis/oci_runtime_calls.csv): the profile made for a runtime lets that runtime
// start the container; runc's Go init needs calls crun's does not, so crun's profile stops runc.
TEST_P(BundleE2E, MinimalProfileForTheRuntimeLetsItStartTheContainer) {
  const std::string profile = dir_ + "/minimal.json";
  ProcessOutput generated =
      run_process({seccheck_binary(), "generate", "--minimal", "--runtime", GetParam(), "-q", "-o", profile,
                   "--", testprog("container_workload_static"), "exit", "0"});
  ASSERT_EQ(generated.exit_status, 0) << generated.err;
  const nlohmann::json seccomp = nlohmann::json::parse(read_file(profile));
  const std::string bundle = make_bundle({"/bin/workload", "exit", "0"}, kDefaultCaps, seccomp);
  auto run_under = [&](const std::string& runtime) {
    std::vector<std::string> argv = {which(runtime), "--root", dir_ + "/state-" + runtime};
    if (runtime == "crun") argv.push_back("--cgroup-manager=disabled");
    argv.insert(argv.end(), {"run", "--bundle", bundle, "seccheck-minimal-" + runtime});
    return run_process(runtime == "crun" ? in_private_cgroup2(argv) : argv, 60);
  };
  ProcessOutput own = run_under(GetParam());
  EXPECT_EQ(own.exit_status, 0) << own.err;
  if (GetParam() == "crun" && !which("runc").empty()) {
    ProcessOutput other = run_under("runc");
    EXPECT_NE(other.exit_status, 0) << "runc started a container under crun's minimal profile";
  }
}

INSTANTIATE_TEST_SUITE_P(Runtimes, BundleE2E, ::testing::Values("runc", "crun"),
                         [](const auto& param_info) { return param_info.param; });

// check --image with docker. Each test starts its own dockerd (about a second) so that tests can
// run in parallel and "no container left behind" means exactly the containers of this test.
class ImageE2E : public ContainerE2E {
 protected:
  void SetUp() override {
    ContainerE2E::SetUp();
    if (IsSkipped()) return;
    if (static_root_unavailable()) GTEST_SKIP() << skip_reason_;
    docker_ = which("docker");
    const std::string dockerd = which("dockerd");
    if (docker_.empty() || dockerd.empty()) GTEST_SKIP() << "docker.io is not installed (docker and dockerd)";
    // A short folder of its own: containerd's socket path must fit in sockaddr_un.
    char pattern[] = "/tmp/scd-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    daemon_dir_ = pattern;
    host_ = "unix://" + daemon_dir_ + "/docker.sock";
    const int log = open((daemon_dir_ + "/dockerd.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(log, 0);
    daemon_pid_ =
        start_process({dockerd, "--host", host_, "--data-root", daemon_dir_ + "/data", "--exec-root",
                       daemon_dir_ + "/exec", "--pidfile", daemon_dir_ + "/dockerd.pid", "--storage-driver",
                       "vfs", "--iptables=false", "--ip6tables=false", "--bridge=none",
                       // Its own namespaces, should it share a containerd already running.
                       "--containerd-namespace", "seccheck-" + daemon_dir_.substr(9),
                       "--containerd-plugins-namespace", "seccheck-plugins-" + daemon_dir_.substr(9)},
                      log, log, true);
    close(log);
    ASSERT_GT(daemon_pid_, 0);
    // Bounded: at most 30 s for the daemon to answer, whatever it does.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (docker({"version"}, 5).exit_status == 0) break;
      int status = 0;
      if (waitpid(daemon_pid_, &status, WNOHANG) == daemon_pid_) {
        daemon_pid_ = 0;
        GTEST_SKIP() << "dockerd cannot start here: " << last_line(read_file(daemon_dir_ + "/dockerd.log"));
      }
      usleep(250 * 1000);
    }
    ProcessOutput up = docker({"version"}, 5);
    if (up.exit_status != 0) GTEST_SKIP() << "dockerd did not answer within 30 s: " << last_line(up.err);
    // The busybox root filesystem with the workload, as an image.
    const std::string root = make_rootfs("image-root");
    fs::create_symlink("busybox", root + "/bin/id");
    ProcessOutput imported = run_process(
        {"/bin/sh", "-c",
         "tar -C \"$1\" -c . | \"$2\" --host \"$3\" import -c 'ENTRYPOINT [\"/bin/workload\"]' -c "
         "'CMD [\"clone-ns\"]' -c 'USER 1000' -c 'WORKDIR /tmp' -c 'ENV MODE=image' - " +
             std::string(kImage),
         "sh", root, docker_, host_},
        120);
    ASSERT_EQ(imported.exit_status, 0) << imported.err;
    // A container of the image runs at all (seccheck's own failures are then seccheck's).
    ProcessOutput plain =
        docker({"run", "--rm", "--network", "none", "--entrypoint", "/bin/true", kImage}, 60);
    if (plain.exit_status != 0)
      GTEST_SKIP() << "docker cannot run a container here: " << last_line(plain.err);
  }
  void TearDown() override {
    if (daemon_pid_ > 0) {
      ProcessOutput left = docker({"ps", "-a", "--format", "{{.Names}}"}, 30);
      EXPECT_EQ(left.out, "") << "containers left behind";
      EXPECT_TRUE(fs::is_empty(tmp_)) << "seccheck left its work folder behind";
      kill(daemon_pid_, SIGTERM);
      bool ended = false;
      for (int i = 0; i < 150 && !ended; ++i) {
        ended = waitpid(daemon_pid_, nullptr, WNOHANG) == daemon_pid_;
        if (!ended) usleep(100 * 1000);
      }
      if (!ended) {
        kill(-daemon_pid_, SIGKILL);
        waitpid(daemon_pid_, nullptr, 0);
      }
    }
    if (!daemon_dir_.empty()) std::system(("rm -rf '" + daemon_dir_ + "'").c_str());
    ContainerE2E::TearDown();
  }

  static std::string last_line(const std::string& text) {
    std::string trimmed = text;
    while (!trimmed.empty() && trimmed.back() == '\n')
      trimmed.pop_back();
    return trimmed.substr(trimmed.rfind('\n') == std::string::npos ? 0 : trimmed.rfind('\n') + 1);
  }
  ProcessOutput docker(std::vector<std::string> args, int timeout_seconds) {
    args.insert(args.begin(), {docker_, "--host", host_});
    return run_process(args, timeout_seconds);
  }
  // seccheck check --image, talking to this test's dockerd.
  std::vector<std::string> check_image(std::vector<std::string> extra, const std::string& path = "") {
    std::vector<std::string> argv = {"/usr/bin/env", "TMPDIR=" + tmp_, "DOCKER_HOST=" + host_};
    if (!path.empty()) argv.push_back("PATH=" + path);
    argv.insert(argv.end(), {seccheck_binary(), "check", "--image", kImage, "--network", "none"});
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  static constexpr const char* kImage = "seccheck-test/busybox:e2e";
  std::string docker_;
  std::string daemon_dir_;
  std::string host_;
  int daemon_pid_ = 0;
};

TEST_F(ImageE2E, RunsTheImagesEntrypointAndCmdWithTheCapabilitiesGiven) {
  const std::string report = dir_ + "/report.json";
  ProcessOutput without =
      run_process(check_image({"--profile", "docker", "--format", "json", "-o", report}), 120);
  ASSERT_EQ(without.exit_status, 1) << without.err;
  auto found = findings(report);
  ASSERT_EQ(found.size(), 1u) << read_file(report);
  EXPECT_EQ(found.begin()->first.rfind("x86_64/clone/", 0), 0u) << found.begin()->first;
  EXPECT_EQ(found.begin()->second, std::vector<std::string>{"ERRNO(EPERM)"});
  // The image's own entrypoint and cmd ran (ENTRYPOINT /bin/workload, CMD clone-ns), its stdout
  // passed through; without CAP_SYS_ADMIN the kernel refused the namespace.
  EXPECT_EQ(without.out, "clone: Operation not permitted\n") << without.err;
  const auto json = nlohmann::json::parse(read_file(report));
  EXPECT_EQ(json["workload_exit_status"], 1);

  // --cap-add goes to docker (the clone succeeds) and to the verdicts (nothing blocked). Root,
  // since capabilities are not raised for the image's uid 1000.
  ProcessOutput with = run_process(check_image({"--cap-add", "SYS_ADMIN", "--user", "0", "--profile",
                                                "docker", "--format", "json", "-o", report}),
                                   120);
  ASSERT_EQ(with.exit_status, 0) << with.err;
  EXPECT_EQ(with.out, "clone: ok\n");
  EXPECT_TRUE(findings(report).empty()) << read_file(report);
}

TEST_F(ImageE2E, TheWorkloadRunsAsTheImageConfiguresIt) {
  const std::string report = dir_ + "/report.json";
  ProcessOutput run = run_process(
      check_image({"-q", "-o", report, "--", "/bin/sh", "-c", "id -u; pwd; echo $MODE $EXTRA; echo err >&2"}),
      120);
  EXPECT_EQ(run.exit_status, 0) << run.err;
  EXPECT_EQ(run.out, "1000\n/tmp\nimage\n");
  EXPECT_EQ(run.err, "err\n");
  // --user, --env and --volume reach the engine.
  fs::create_directories(dir_ + "/data");
  write_file(dir_ + "/data/note", "from the host\n");
  ProcessOutput changed = run_process(check_image({"-q", "-o", report, "--user", "0", "--env", "EXTRA=given",
                                                   "--volume", dir_ + "/data:/data:ro", "--", "/bin/sh", "-c",
                                                   "id -u; echo $MODE $EXTRA; cat /data/note"}),
                                      120);
  EXPECT_EQ(changed.exit_status, 0) << changed.err;
  EXPECT_EQ(changed.out, "0\nimage given\nfrom the host\n");
}

TEST_F(ImageE2E, WorkloadExitStatusPassesIntoTheReportAndTheGate) {
  const std::string report = dir_ + "/report.json";
  ProcessOutput plain = run_process(
      check_image({"--format", "json", "-o", report, "-q", "--", "/bin/workload", "exit", "7"}), 120);
  EXPECT_EQ(plain.exit_status, 0) << plain.err;
  EXPECT_EQ(nlohmann::json::parse(read_file(report))["workload_exit_status"], 7);
  ProcessOutput gated =
      run_process(check_image({"--format", "json", "-o", report, "-q", "--fail-on-workload-error", "--",
                               "/bin/workload", "exit", "7"}),
                  120);
  EXPECT_EQ(gated.exit_status, 1) << gated.err;
  // Every format check has is rendered: the report reaches stdout when no -o is given.
  ProcessOutput sarif =
      run_process(check_image({"--format", "sarif", "-q", "--", "/bin/workload", "exit", "0"}), 120);
  EXPECT_EQ(sarif.exit_status, 0) << sarif.err;
  EXPECT_EQ(nlohmann::json::parse(sarif.out)["version"], "2.1.0") << sarif.out;
}

TEST_F(ImageE2E, SigtermToSeccheckReachesTheWorkload) {
  const std::string report = dir_ + "/report.json";
  RunOptions options;
  options.timeout_seconds = 90;
  options.signal = SIGTERM;
  options.signal_after_output = "ready";
  options.signal_delay_ms = 300;
  ProcessRun run = run_process_with(
      check_image({"--format", "json", "-o", report, "-q", "--", "/bin/workload", "wait-term"}), options);
  ASSERT_TRUE(run.signal_sent);
  EXPECT_FALSE(run.timed_out);
  EXPECT_NE(run.output.out.find("got SIGTERM"), std::string::npos) << run.output.out << run.output.err;
  EXPECT_EQ(nlohmann::json::parse(read_file(report))["workload_exit_status"], 143);
}

TEST_F(ImageE2E, BadInputIsExit2AndEngineFailureExit3) {
  ProcessOutput missing =
      run_process({"/usr/bin/env", "TMPDIR=" + tmp_, "DOCKER_HOST=" + host_, seccheck_binary(), "check",
                   "--image", "seccheck-test/no-such-image", "-q"},
                  60);
  EXPECT_EQ(missing.exit_status, 2) << missing.err;
  // The engine's own words follow (docker 20.10 and later clients word them differently).
  EXPECT_EQ(missing.err.rfind("seccheck: image seccheck-test/no-such-image not found by docker: ", 0), 0u)
      << missing.err;
  EXPECT_NE(missing.err.find("No such image"), std::string::npos) << missing.err;
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;
  ProcessOutput no_engine = run_process(check_image({"-q"}, "/nonexistent"), 60);
  EXPECT_EQ(no_engine.exit_status, 2) << no_engine.err;
  EXPECT_EQ(no_engine.err,
            "seccheck: docker is not installed (not found in PATH); --engine chooses docker or podman\n");
  ProcessOutput failed =
      run_process({"/usr/bin/env", "TMPDIR=" + tmp_, "DOCKER_HOST=" + host_, seccheck_binary(), "check",
                   "--image", kImage, "--network", "seccheck-no-such-network", "-q"},
                  60);
  EXPECT_EQ(failed.exit_status, 3) << failed.err;
  // docker's message passes through and is quoted in seccheck's one line.
  EXPECT_NE(
      failed.err.find("seccheck: docker run failed (exit 125): network seccheck-no-such-network not found"),
      std::string::npos)
      << failed.err;
}

}  // namespace
}  // namespace seccheck::testing
