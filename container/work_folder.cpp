#include "container/work_folder.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "container/oci_config.h"
#include "core/error.h"

namespace seccheck::container {

WorkFolder::WorkFolder(const std::string& kind) {
  const char* tmp = getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/seccheck-" + kind + "-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr)
    throw UserError(ExitCode::kToolFailure,
                    "cannot make a work folder " + pattern + ": " + std::strerror(errno));
  dir_ = pattern;
  // Reachable by the container's user whoever it is; the output folder takes its files.
  chmod(dir_.c_str(), 0711);
  std::filesystem::create_directory(out_dir());
  chmod(out_dir().c_str(), 0777);
  id_ = "seccheck-" + std::to_string(getpid()) + "-" + dir_.substr(dir_.size() - 6);
}

WorkFolder::~WorkFolder() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string WorkFolder::place_file(const std::string& host_path, const std::string& name) {
  std::ifstream in(host_path);
  if (!in) throw UserError(ExitCode::kUsage, host_path + ": cannot be read: " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  return place_text(text.str(), name);
}

std::string WorkFolder::place_text(const std::string& text, const std::string& name) {
  std::ofstream out(output_path(name), std::ios::trunc);
  out << text;
  out.flush();
  if (!out)
    throw UserError(ExitCode::kToolFailure,
                    "cannot write " + output_path(name) + ": " + std::strerror(errno));
  chmod(output_path(name).c_str(), 0644);
  return container_path(name);
}

std::string WorkFolder::output_path(const std::string& name) const {
  return out_dir() + "/" + name;
}

std::string WorkFolder::container_path(const std::string& name) const {
  return std::string(kOutInContainer) + "/" + name;
}

}  // namespace seccheck::container
