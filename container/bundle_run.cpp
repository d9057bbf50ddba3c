#include "container/bundle_run.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/exec_argv.h"

namespace seccheck::container {
namespace {

constexpr int kPassedSignals[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2};
volatile sig_atomic_t g_child = 0;

void pass_signal(int sig) {
  if (g_child > 0) kill(static_cast<pid_t>(g_child), sig);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.flush();
  if (!out) throw UserError(ExitCode::kToolFailure, "cannot write " + path + ": " + std::strerror(errno));
}

}  // namespace

int run_passing_signals(const std::vector<std::string>& argv, int stderr_fd) {
  std::vector<char*> args = exec_argv(argv);
  struct sigaction pass {
  }, old[std::size(kPassedSignals)];
  pass.sa_handler = pass_signal;
  pass.sa_flags = SA_RESTART;
  sigemptyset(&pass.sa_mask);
  int exec_pipe[2];
  if (pipe2(exec_pipe, O_CLOEXEC) != 0) return -1;
  for (std::size_t i = 0; i < std::size(kPassedSignals); ++i)
    sigaction(kPassedSignals[i], &pass, &old[i]);
  pid_t child = fork();
  if (child == 0) {
    close(exec_pipe[0]);
    for (std::size_t i = 0; i < std::size(kPassedSignals); ++i)
      sigaction(kPassedSignals[i], &old[i], nullptr);
    if (stderr_fd >= 0) dup2(stderr_fd, STDERR_FILENO);
    execvp(args[0], args.data());
    int error = errno;
    (void)!write(exec_pipe[1], &error, sizeof error);
    _exit(127);
  }
  close(exec_pipe[1]);
  int saved_errno = errno;
  g_child = child;
  int exec_error = 0;
  const bool exec_failed =
      child > 0 && read(exec_pipe[0], &exec_error, sizeof exec_error) == sizeof exec_error;
  close(exec_pipe[0]);
  int status = 0;
  pid_t waited = child;
  if (child > 0) {
    while ((waited = waitpid(child, &status, 0)) < 0 && errno == EINTR) {
    }
  }
  g_child = 0;
  for (std::size_t i = 0; i < std::size(kPassedSignals); ++i)
    sigaction(kPassedSignals[i], &old[i], nullptr);
  if (child < 0 || waited < 0) {
    errno = child < 0 ? saved_errno : errno;
    return -1;
  }
  if (exec_failed) {
    errno = exec_error;
    return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

BundleRun::BundleRun(BundleConfig bundle) : bundle_(std::move(bundle)), folder_("bundle") {
  std::filesystem::create_directory(folder_.dir() + "/bundle");
}

int BundleRun::run(WrapSpec spec, const OciRuntimeSpec& runtime) {
  spec.out_host_dir = folder_.out_dir();
  auto config = wrap_config(bundle_, spec);
  if (!config) throw UserError(ExitCode::kUsage, config.error().message);
  write_text(folder_.dir() + "/bundle/config.json", config->dump(2));
  const std::string state = folder_.dir() + "/state";
  std::vector<std::string> argv = {runtime.name, "--root", state, "--log", folder_.dir() + "/runtime.log"};
  argv.insert(argv.end(), runtime.args.begin(), runtime.args.end());
  argv.insert(argv.end(), {"run", "--bundle", folder_.dir() + "/bundle", folder_.id()});
  const int status = run_passing_signals(argv);
  if (status < 0) {
    throw UserError(ExitCode::kToolFailure,
                    "cannot run the OCI runtime " + runtime.name + ": " + std::strerror(errno));
  }
  // `run` deletes the container when its process ends; after a runtime failure part of it may
  // remain, so it is deleted again (quietly: usually there is nothing).
  if (std::filesystem::exists(state)) {
    std::vector<std::string> remove = {runtime.name, "--root", state};
    remove.insert(remove.end(), runtime.args.begin(), runtime.args.end());
    remove.insert(remove.end(), {"delete", "--force", folder_.id()});
    pid_t child = fork();
    if (child == 0) {
      freopen("/dev/null", "w", stdout);
      freopen("/dev/null", "w", stderr);
      std::vector<char*> args = exec_argv(remove);
      execvp(args[0], args.data());
      _exit(127);
    }
    if (child > 0) waitpid(child, nullptr, 0);
  }
  return status;
}

std::string BundleRun::runtime_error() const {
  std::istringstream log(read_text(folder_.dir() + "/runtime.log"));
  std::string line, last;
  while (std::getline(log, line)) {
    if (line.find("error") == std::string::npos) continue;
    // runc: time="..." level=error msg="runc run failed: ..."; crun: {"msg":"...","level":"error",...}
    std::size_t start = line.find("msg=\"");
    if (start != std::string::npos) {
      start += 5;
      last = line.substr(start, line.rfind('"') > start ? line.rfind('"') - start : std::string::npos);
      continue;
    }
    start = line.find("\"msg\":\"");
    if (start != std::string::npos) {
      start += 7;
      last = line.substr(start, line.find('"', start) - start);
      continue;
    }
    last = line;
  }
  return last;
}

}  // namespace seccheck::container
