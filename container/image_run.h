// Checking a container image with a real engine (docker or podman): what `ENGINE image inspect`
// says the image runs (entrypoint, cmd, env, working folder, user), and the `ENGINE run` command
// that runs the static seccheck as the container's entrypoint around the image's own command,
// with seccomp unconfined for this run only, seccheck bind-mounted read-only and an output
// folder bind-mounted read-write (both under the container's /dev tmpfs, as for bundles).
// Building commands and parsing are pure (unit-tested); running them is run_engine_command.
#pragma once

#include <string>
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

// The last non-empty line of an engine's error output, without the "Error: " / "docker: " prefix
// noise kept out ("" when there is none).
std::string engine_message(const std::string& stderr_text);

// True when the engine's message says the image does not exist (a user error, not an engine one).
bool is_missing_image(const std::string& stderr_text);

}  // namespace seccheck::container
