// Checking a container image with a real engine (docker or podman): what `ENGINE image inspect`
// says the image runs (entrypoint, cmd, env, working folder, user), and the `ENGINE run` command
// that runs the static seccheck as the container's entrypoint around the image's own command,
// with seccomp unconfined for this run only, seccheck bind-mounted read-only and an output
// folder bind-mounted read-write (both under the container's /dev tmpfs, as for bundles).
// Building commands and parsing are pure (unit-tested); running them is run_engine_command.
#pragma once

#include <string>
#include <thread>
#include <vector>

#include "core/result.h"

namespace seccheck::container {

// The parts of an image's config that decide what runs (from `ENGINE image inspect IMAGE`).
struct ImageConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // NAME=VALUE
  std::string working_dir;
  std::string user;
};

// Parses the inspect output (a JSON array of one object with .Config, as docker and podman print
// it). Errors: not JSON, no image in it, wrong field types.
Result<ImageConfig> parse_image_inspect(const std::string& text);

// What the container runs when no command is given: the entrypoint followed by cmd, as the engine
// would run it. Empty when the image declares neither.
std::vector<std::string> image_command(const ImageConfig& image);

// The options that change the container, given to the engine as `ENGINE run` takes them.
struct ContainerOptions {
  std::vector<std::string> cap_add;  // each may be a comma-separated list (CAP_X,Y or ALL)
  std::vector<std::string> cap_drop;
  bool privileged = false;
  std::string user;
  std::vector<std::string> env;  // NAME=VALUE
  std::vector<std::string> volumes;
  std::string network;
};

// `--cap-add X --cap-add Y --cap-drop Z --privileged --user U --env E --volume V --network N`,
// one engine option per capability (the engines take no comma lists).
std::vector<std::string> engine_container_args(const ContainerOptions& options);

// One line for the reader: "runs /app/run --serve as user 1000 in /srv (2 environment variables)".
std::string describe_image_run(const ImageConfig& image, const std::vector<std::string>& workload);

struct EngineRunSpec {
  std::string engine = "docker";  // docker or podman, looked up in PATH
  std::string image;
  std::string container_name;            // --name, so a container left behind can be removed
  std::string seccheck_host_path;        // mounted read-only at kSeccheckInContainer
  std::string out_host_dir;              // mounted read-write at kOutInContainer
  std::vector<std::string> engine_args;  // the context's container options (--cap-add X, --user U, ...)
  std::vector<std::string> check_args;   // ["check", options...]; "--" and the workload follow
  std::vector<std::string> workload;     // what seccheck runs (the image's command or the user's)
};

// argv of `ENGINE run --rm ...`: seccomp unconfined for this run only, the two mounts, seccheck as
// the entrypoint, the context's options, then IMAGE check ... -- WORKLOAD.
std::vector<std::string> engine_run_command(const EngineRunSpec& spec);

// argv of `ENGINE image inspect IMAGE` and of `ENGINE rm --force NAME`.
std::vector<std::string> engine_inspect_command(const std::string& engine, const std::string& image);
std::vector<std::string> engine_remove_command(const std::string& engine, const std::string& name);

struct CommandOutput {
  int status = 0;  // shell-style; -1: could not start (error_number set)
  int error_number = 0;
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs argv with stdin from /dev/null, capturing stdout and stderr; killed (SIGKILL) after
// `timeout_seconds`, so a hung engine never hangs seccheck.
CommandOutput capture_command(const std::vector<std::string>& argv, int timeout_seconds);

// Standard error of a child passed through to seccheck's own, keeping the last lines, so that an
// engine's failure message can be quoted while the workload's stderr still flows as it comes.
// fd() is the write end to give the child; finish() (after the child ended) closes it, waits for
// the relay to drain and returns what it kept (at most the last 4 KiB).
class StderrRelay {
 public:
  StderrRelay();
  ~StderrRelay();
  StderrRelay(const StderrRelay&) = delete;
  StderrRelay& operator=(const StderrRelay&) = delete;
  int fd() const { return write_fd_; }
  std::string finish();

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
  std::string tail_;
  std::thread relay_;
};

// The last non-empty line of an engine's error output (not docker's pointer to --help),
// without its "Error: " / "docker: " / "Error response from daemon: " prefixes ("" when none).
std::string engine_message(const std::string& stderr_text);

// True when the engine's message says the image does not exist (a user error, not an engine one).
bool is_missing_image(const std::string& stderr_text);

}  // namespace seccheck::container
