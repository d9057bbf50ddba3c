// Running a check inside an OCI bundle with the real runtime: a private work folder (the
// rewritten config.json, the runtime's state, seccheck's output folder), the runtime run in the
// foreground with the terminal's signals passed on to it, and nothing left behind: the work
// folder is removed and the container deleted when the run ends, however it ends.
#pragma once

#include <string>
#include <vector>

#include "container/oci_config.h"
#include "container/work_folder.h"

namespace seccheck::container {

struct OciRuntimeSpec {
  std::string name = "runc";      // runc or crun, looked up in PATH
  std::vector<std::string> args;  // global options before `run` (e.g. --cgroup-manager=disabled)
};

class BundleRun {
 public:
  // Makes the work folder under $TMPDIR (or /tmp). Throws UserError(kToolFailure) when it cannot.
  explicit BundleRun(BundleConfig bundle);
  BundleRun(const BundleRun&) = delete;
  BundleRun& operator=(const BundleRun&) = delete;

  const BundleConfig& bundle() const { return bundle_; }
  // The output folder mounted into the container and the files placed there.
  WorkFolder& folder() { return folder_; }
  std::string output_path(const std::string& name) const { return folder_.output_path(name); }
  std::string container_path(const std::string& name) const { return folder_.container_path(name); }

  // Writes the wrapped config (WrapSpec's out_host_dir is filled in) and runs the runtime on it,
  // waiting for it. SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1 and SIGUSR2 sent to seccheck
  // meanwhile go to the runtime, which passes them to the container's process. Returns the
  // runtime's exit status (shell-style). Throws UserError: kUsage for a config that cannot be
  // wrapped, kToolFailure when the runtime cannot be started.
  int run(WrapSpec spec, const OciRuntimeSpec& runtime);
  // The runtime's last error message from its log ("" when it logged none).
  std::string runtime_error() const;

 private:
  BundleConfig bundle_;
  WorkFolder folder_;
};

// Runs argv (argv[0] looked up in PATH) with seccheck's stdio, passing the signals above to it
// while it runs. Returns its shell-style exit status, or -1 (errno set) when it could not start.
// `stderr_fd` >= 0 becomes its standard error.
int run_passing_signals(const std::vector<std::string>& argv, int stderr_fd = -1);

}  // namespace seccheck::container
