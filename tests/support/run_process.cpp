#include "tests/support/run_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/exec_argv.h"

namespace seccheck::testing {
namespace {

void drain(int fd, std::string& into, bool& open) {
  char buffer[65536];
  ssize_t n = read(fd, buffer, sizeof buffer);
  if (n > 0) {
    into.append(buffer, static_cast<size_t>(n));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    open = false;
  }
}

}  // namespace

ProcessOutput run_process(const std::vector<std::string>& argv, int timeout_seconds) {
  RunOptions options;
  options.timeout_seconds = timeout_seconds;
  return run_process_with(argv, options).output;
}

namespace {

double seconds_since(const timespec& start) {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec - start.tv_sec) +
         static_cast<double>(now.tv_nsec - start.tv_nsec) / 1e9;
}

}  // namespace

std::vector<std::string> processes_in_group(int pgid) {
  std::vector<std::string> found;
  DIR* proc = opendir("/proc");
  if (!proc) return found;
  while (dirent* entry = readdir(proc)) {
    if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
    std::ifstream in(std::string("/proc/") + entry->d_name + "/stat");
    std::string stat;
    if (!std::getline(in, stat)) continue;
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
    size_t close = stat.rfind(')');
    size_t open = stat.find('(');
    if (close == std::string::npos || open == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    std::string state;
    long ppid = 0, group = 0;
    rest >> state >> ppid >> group;
    if (group == pgid)
      found.push_back(std::string(entry->d_name) + " " + state + " " + stat.substr(open, close - open + 1));
  }
  closedir(proc);
  return found;
}

int start_process(const std::vector<std::string>& argv, int out_fd, int err_fd, bool own_group) {
  pid_t child = fork();
  if (child == 0) {
    int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    if (own_group) setpgid(0, 0);
    std::vector<char*> args = exec_argv(argv);
    execv(args[0], args.data());
    _exit(127);
  }
  if (own_group && child > 0) setpgid(child, child);  // also from here, so the group exists before a signal
  return child;
}

ProcessRun run_process_with(const std::vector<std::string>& argv, const RunOptions& options) {
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  pid_t child = start_process(argv, out_pipe[1], err_pipe[1], true);
  close(out_pipe[1]);
  close(err_pipe[1]);
  ProcessRun run;
  run.pgid = child;
  bool out_open = true, err_open = true, reaped = false;
  int status = 0;
  double signal_due = -1;  // seconds since start; < 0: not yet due
  while (out_open || err_open || !reaped) {
    pollfd fds[2] = {{out_open ? out_pipe[0] : -1, POLLIN, 0}, {err_open ? err_pipe[0] : -1, POLLIN, 0}};
    int ready = poll(fds, 2, 10);
    const double now = seconds_since(start);
    if (ready > 0) {
      if (fds[0].revents) drain(out_pipe[0], run.output.out, out_open);
      if (fds[1].revents) drain(err_pipe[0], run.output.err, err_open);
    }
    if (options.signal != 0 && !run.signal_sent && signal_due < 0 &&
        (options.signal_after_output.empty() ||
         run.output.out.find(options.signal_after_output) != std::string::npos))
      signal_due = now + options.signal_delay_ms / 1000.0;
    if (signal_due >= 0 && !run.signal_sent && now >= signal_due && !reaped) {
      kill(child, options.signal);
      run.signal_sent = true;
      run.signal_seconds = now;
    }
    if (!reaped && waitpid(child, &status, WNOHANG) == child) {
      reaped = true;
      run.seconds = now;
      run.at_exit = processes_in_group(child);
      // Whatever is left must go within the grace time; orphans reparented to us are reaped.
      for (int waited = 0; waited < options.grace_ms; waited += 20) {
        while (waitpid(-child, nullptr, WNOHANG) > 0) {
        }
        run.left_behind = processes_in_group(child);
        if (run.left_behind.empty()) break;
        usleep(20000);
      }
    }
    if (now > options.timeout_seconds) {
      if (!reaped) run.left_behind = processes_in_group(child);
      kill(-child, SIGKILL);
      kill(child, SIGKILL);
      run.timed_out = true;
      run.output.err +=
          "\n[run_process_with: timed out after " + std::to_string(options.timeout_seconds) + "s]";
      break;
    }
    if (reaped && (out_open || err_open) && now > run.seconds + options.grace_ms / 1000.0 + 1) {
      // Something outside the group still holds the pipes; stop reading.
      break;
    }
  }
  close(out_pipe[0]);
  close(err_pipe[0]);
  if (!reaped) {
    waitpid(child, &status, 0);
    run.seconds = seconds_since(start);
  }
  // Clean up after a failing run so one test's leftovers do not disturb the next.
  if (!run.left_behind.empty()) {
    kill(-child, SIGKILL);
    for (int i = 0; i < 100 && waitpid(-child, nullptr, WNOHANG) >= 0; ++i)
      usleep(10000);
  }
  run.output.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

std::string seccheck_binary() {
  return SECCHECK_BINARY;
}
std::string seccheck_static_binary() {
#ifdef SECCHECK_STATIC_BINARY
  return SECCHECK_STATIC_BINARY;
#else
  return "";
#endif
}
std::string testprog(const std::string& name) {
  return std::string(SECCHECK_TESTPROGS_DIR) + "/" + name;
}

std::string shared_dir() {
  struct stat st;
  std::string dir = SECCHECK_SHARED_DIR;
  for (const char* part : {"/reference-profiles/index.json", "/schemas"})
    if (stat((dir + part).c_str(), &st) != 0) return "";
  return dir;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace seccheck::testing
