#include "container/image_run.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "container/oci_config.h"
#include "core/exec_argv.h"

namespace seccheck::container {
namespace {

Result<std::vector<std::string>> string_list(const nlohmann::json& config, const char* key) {
  std::vector<std::string> out;
  if (!config.contains(key) || config[key].is_null()) return out;
  if (!config[key].is_array())
    return make_error(std::string("image inspect: Config.") + key + " is not a list");
  for (const auto& item : config[key]) {
    if (!item.is_string())
      return make_error(std::string("image inspect: Config.") + key + " holds a non-string");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::string> string_field(const nlohmann::json& config, const char* key) {
  if (!config.contains(key) || config[key].is_null()) return std::string();
  if (!config[key].is_string())
    return make_error(std::string("image inspect: Config.") + key + " is not a string");
  return config[key].get<std::string>();
}

double now_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

Result<ImageConfig> parse_image_inspect(const std::string& text) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) return make_error("image inspect: the engine's output is not JSON");
  if (doc.is_array()) {
    if (doc.empty()) return make_error("image inspect: the engine listed no image");
    doc = doc[0];
  }
  if (!doc.is_object()) return make_error("image inspect: the engine's output is not an image");
  if (!doc.contains("Config") || doc["Config"].is_null()) return ImageConfig{};
  const auto& config = doc["Config"];
  if (!config.is_object()) return make_error("image inspect: Config is not an object");
  ImageConfig image;
  for (auto [key, target] : {std::pair{"Entrypoint", &image.entrypoint}, std::pair{"Cmd", &image.cmd},
                             std::pair{"Env", &image.env}}) {
    auto list = string_list(config, key);
    if (!list) return list.error();
    *target = std::move(*list);
  }
  auto working_dir = string_field(config, "WorkingDir");
  if (!working_dir) return working_dir.error();
  image.working_dir = *working_dir;
  auto user = string_field(config, "User");
  if (!user) return user.error();
  image.user = *user;
  return image;
}

std::vector<std::string> image_command(const ImageConfig& image) {
  std::vector<std::string> command = image.entrypoint;
  command.insert(command.end(), image.cmd.begin(), image.cmd.end());
  return command;
}

std::vector<std::string> engine_container_args(const ContainerOptions& options) {
  std::vector<std::string> args;
  auto each_cap = [&](const std::vector<std::string>& values, const char* option) {
    for (const auto& value : values) {
      for (std::size_t start = 0; start <= value.size();) {
        std::size_t end = value.find(',', start);
        if (end == std::string::npos) end = value.size();
        if (end > start) args.insert(args.end(), {option, value.substr(start, end - start)});
        start = end + 1;
      }
    }
  };
  each_cap(options.cap_add, "--cap-add");
  each_cap(options.cap_drop, "--cap-drop");
  if (options.privileged) args.push_back("--privileged");
  if (!options.user.empty()) args.insert(args.end(), {"--user", options.user});
  for (const auto& env : options.env)
    args.insert(args.end(), {"--env", env});
  for (const auto& volume : options.volumes)
    args.insert(args.end(), {"--volume", volume});
  if (!options.network.empty()) args.insert(args.end(), {"--network", options.network});
  return args;
}

std::string describe_image_run(const ImageConfig& image, const std::vector<std::string>& workload) {
  std::string out = "runs";
  for (const auto& arg : workload)
    out += " " + arg;
  out += " as user " + (image.user.empty() ? std::string("root") : image.user);
  out += " in " + (image.working_dir.empty() ? std::string("/") : image.working_dir);
  out += " (" + std::to_string(image.env.size()) + " environment variable" +
         (image.env.size() == 1 ? "" : "s") + ")";
  return out;
}

std::vector<std::string> engine_run_command(const EngineRunSpec& spec) {
  std::vector<std::string> argv = {spec.engine, "run", "--rm", "--name", spec.container_name,
                                   // Unconfined for this run only: seccheck checks the profiles itself.
                                   "--security-opt", "seccomp=unconfined", "--volume",
                                   spec.seccheck_host_path + ":" + kSeccheckInContainer + ":ro", "--volume",
                                   spec.out_host_dir + ":" + kOutInContainer, "--entrypoint",
                                   kSeccheckInContainer};
  argv.insert(argv.end(), spec.engine_args.begin(), spec.engine_args.end());
  argv.push_back(spec.image);
  argv.insert(argv.end(), spec.check_args.begin(), spec.check_args.end());
  argv.push_back("--");
  argv.insert(argv.end(), spec.workload.begin(), spec.workload.end());
  return argv;
}

std::vector<std::string> engine_inspect_command(const std::string& engine, const std::string& image) {
  return {engine, "image", "inspect", image};
}

std::vector<std::string> engine_remove_command(const std::string& engine, const std::string& name) {
  return {engine, "rm", "--force", name};
}

CommandOutput capture_command(const std::vector<std::string>& argv, int timeout_seconds) {
  CommandOutput result;
  int out_pipe[2], err_pipe[2], exec_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.status = -1;
    result.error_number = errno;
    return result;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0 || pipe2(exec_pipe, O_CLOEXEC) != 0) {
    result.status = -1;
    result.error_number = errno;
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }
  std::vector<char*> args = exec_argv(argv);
  const pid_t child = fork();
  if (child == 0) {
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    execvp(args[0], args.data());
    int error = errno;
    (void)!write(exec_pipe[1], &error, sizeof error);
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  close(exec_pipe[1]);
  if (child < 0) {
    result.status = -1;
    result.error_number = errno;
    close(out_pipe[0]);
    close(err_pipe[0]);
    close(exec_pipe[0]);
    return result;
  }
  int exec_error = 0;
  const bool exec_failed = read(exec_pipe[0], &exec_error, sizeof exec_error) == sizeof exec_error;
  close(exec_pipe[0]);
  const double deadline = now_seconds() + timeout_seconds;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0) {
    const double left = deadline - now_seconds();
    if (left <= 0) {
      result.timed_out = true;
      kill(child, SIGKILL);
      break;
    }
    int ready = poll(fds, 2, static_cast<int>(left * 1000) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& fd : fds)
    if (fd.fd >= 0) close(fd.fd);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (exec_failed) {
    result.status = -1;
    result.error_number = exec_error;
  } else if (WIFEXITED(status)) {
    result.status = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.status = 128 + WTERMSIG(status);
  } else {
    result.status = 255;
  }
  return result;
}

StderrRelay::StderrRelay() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return;  // fd() is then -1: the child keeps seccheck's stderr
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  relay_ = std::thread([this] {
    char buffer[4096];
    for (;;) {
      ssize_t n = read(read_fd_, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      for (ssize_t done = 0; done < n;) {
        ssize_t written = write(STDERR_FILENO, buffer + done, static_cast<std::size_t>(n - done));
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) break;
        done += written;
      }
      tail_.append(buffer, static_cast<std::size_t>(n));
      if (tail_.size() > 4096) tail_.erase(0, tail_.size() - 4096);
    }
  });
}

StderrRelay::~StderrRelay() {
  (void)finish();
}

std::string StderrRelay::finish() {
  if (write_fd_ >= 0) {
    close(write_fd_);
    write_fd_ = -1;
  }
  if (relay_.joinable()) relay_.join();
  if (read_fd_ >= 0) {
    close(read_fd_);
    read_fd_ = -1;
  }
  return tail_;
}

std::string engine_message(const std::string& stderr_text) {
  std::string last;
  std::size_t start = 0;
  while (start < stderr_text.size()) {
    std::size_t end = stderr_text.find('\n', start);
    if (end == std::string::npos) end = stderr_text.size();
    std::string line = stderr_text.substr(start, end - start);
    // docker adds "See 'docker run --help'." (20.10) or "Run 'docker run --help' for more
    // information" (later clients) after its message.
    if (line.find_first_not_of(" \t\r") != std::string::npos && line.rfind("See '", 0) != 0 &&
        line.rfind("Run '", 0) != 0)
      last = line;
    start = end + 1;
  }
  for (const char* prefix : {"Error: ", "docker: ", "Error response from daemon: "})
    if (last.rfind(prefix, 0) == 0) last = last.substr(std::string(prefix).size());
  return last;
}

bool is_missing_image(const std::string& stderr_text) {
  // docker: "Error: No such image: X"; podman: "Error: X: image not known".
  return stderr_text.find("No such image") != std::string::npos ||
         stderr_text.find("image not known") != std::string::npos;
}

}  // namespace seccheck::container
