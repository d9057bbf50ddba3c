#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <vector>

namespace seccheck::testing {
namespace {

class ProcessTempDir {
 public:
  ProcessTempDir() {
    std::string pattern = ::testing::TempDir() + "/seccheck_test_XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern + " failed");
    path_ = buffer.data();
  }
  ~ProcessTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

std::string temp_path(const std::string& name) {
  static const ProcessTempDir dir;
  return dir.path() + "/" + name;
}

}  // namespace seccheck::testing
