// A private work folder for a check run inside a container: an output folder the container
// mounts (writable by whatever user the container runs as), files placed in it for the seccheck
// inside (profiles, baselines), and nothing left behind: removed when the object goes.
#pragma once

#include <string>

namespace seccheck::container {

class WorkFolder {
 public:
  // Makes $TMPDIR (or /tmp)/seccheck-<kind>-XXXXXX with out/ in it. Throws
  // UserError(kToolFailure) when it cannot.
  explicit WorkFolder(const std::string& kind);
  ~WorkFolder();
  WorkFolder(const WorkFolder&) = delete;
  WorkFolder& operator=(const WorkFolder&) = delete;

  const std::string& dir() const { return dir_; }
  // A name unique to this run ("seccheck-PID-XXXXXX"), for containers.
  const std::string& id() const { return id_; }
  std::string out_dir() const { return dir_ + "/out"; }
  // Copies a host file into the output folder as `name`; returns its path inside the container.
  // Throws UserError(kUsage) when it cannot be read.
  std::string place_file(const std::string& host_path, const std::string& name);
  // Writes `text` into the output folder as `name`; returns its path inside the container.
  std::string place_text(const std::string& text, const std::string& name);
  // The host path of `name` in the output folder (what seccheck inside wrote there).
  std::string output_path(const std::string& name) const;
  std::string container_path(const std::string& name) const;

 private:
  std::string dir_;
  std::string id_;
};

}  // namespace seccheck::container
