#include "cli/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "core/error.h"

namespace seccheck::cli {
namespace {

// 0, or the errno of the write that failed.
int write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

// std::cout's buffer: whole-buffer writes to file descriptor 1, the first failure's errno kept
// for the final flush's message (stdio's buffer keeps only "an error happened").
class StandardOutput final : public std::streambuf {
 public:
  StandardOutput() { setp(buffer_, buffer_ + sizeof buffer_); }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    if (sync() != 0) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override {
    const std::string_view pending(pbase(), static_cast<std::size_t>(pptr() - pbase()));
    setp(buffer_, buffer_ + sizeof buffer_);
    if (pending.empty() || error_ != 0) return error_ != 0 ? -1 : 0;
    error_ = write_all(STDOUT_FILENO, pending);
    return error_ != 0 ? -1 : 0;
  }

 private:
  char buffer_[1 << 16];
  int error_ = 0;
};

StandardOutput& standard_output() {
  // Never destroyed: std::cout is flushed at exit, after function-local statics are gone.
  static StandardOutput* const buffer = new StandardOutput;
  return *buffer;
}

// Whether a new file can be made in `directory`: an unnamed O_TMPFILE file where the file
// system has them (nothing appears in the directory), else a probe file made and removed.
int creatable_in(const std::filesystem::path& directory) {
  int fd = ::open(directory.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    return 0;
  }
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) return errno;
  std::string probe = (directory / ".seccheck-probe-XXXXXX").string();
  fd = mkostemp(probe.data(), O_CLOEXEC);
  if (fd < 0) return errno;
  ::close(fd);
  ::unlink(probe.c_str());
  return 0;
}

}  // namespace

OutputFile::OutputFile(std::string option, std::string path)
    : option_(std::move(option)), path_(std::move(path)) {
  if (path_.empty()) return;
  auto fail = [this](int error) {
    throw UserError(ExitCode::kUsage, name() + ": cannot write: " + std::strerror(error));
  };
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) fail(EISDIR);
    // Opening a FIFO or socket to try it would disturb whoever reads it; it is checked when written.
    if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) return;
    const int fd = ::open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) fail(errno);
    ::close(fd);
    return;
  }
  if (errno != ENOENT) fail(errno);
  std::filesystem::path directory = std::filesystem::path(path_).parent_path();
  if (directory.empty()) directory = ".";
  if (const int error = creatable_in(directory); error != 0) fail(error);
}

std::string OutputFile::name() const {
  return is_stdout() ? "standard output" : option_ + " " + path_;
}

void OutputFile::write(std::string_view text) const {
  if (is_stdout()) {
    std::cout.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (Result<void> flushed = flush_standard_output(); !flushed)
      throw UserError(ExitCode::kToolFailure, flushed.error().message);
    return;
  }
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_CLOEXEC, 0666);
  if (fd < 0) throw UserError(ExitCode::kUsage, name() + ": cannot write: " + std::strerror(errno));
  int error = write_all(fd, text);
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (::close(fd) != 0 && errno != EINTR && error == 0) error = errno;
  if (error == 0) return;
  std::string message = name() + ": write failed: " + std::strerror(error);
  if (regular && ::unlink(path_.c_str()) == 0) message += " (the partly written file was removed)";
  throw UserError(ExitCode::kToolFailure, message);
}

std::string OutputFile::identity() const {
  struct stat st {};
  const bool exists = is_stdout() ? ::fstat(STDOUT_FILENO, &st) == 0 : ::stat(path_.c_str(), &st) == 0;
  if (exists) {
    if (S_ISCHR(st.st_mode)) return "";
    return "inode " + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  }
  if (is_stdout()) return "";
  // Not there yet: the path the file will get, through a dangling symlink too.
  std::error_code error;
  std::filesystem::path path = std::filesystem::absolute(path_, error);
  for (int hops = 0; hops < 40 && std::filesystem::is_symlink(path, error); ++hops) {
    const std::filesystem::path target = std::filesystem::read_symlink(path, error);
    if (error) break;
    path = target.is_absolute() ? target : path.parent_path() / target;
  }
  const std::filesystem::path normal = std::filesystem::weakly_canonical(path, error);
  return "path " + (error ? path_ : normal.string());
}

void require_distinct_outputs(const std::vector<const OutputFile*>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const std::string identity = outputs[i]->identity();
    if (identity.empty()) continue;
    for (std::size_t j = i + 1; j < outputs.size(); ++j) {
      if (outputs[j]->identity() != identity) continue;
      throw UserError(ExitCode::kUsage, outputs[i]->name() + " and " + outputs[j]->name() +
                                            " are one file: the second would overwrite the first; give "
                                            "each its own file");
    }
  }
}

void use_checked_standard_output() {
  std::cout.rdbuf(&standard_output());
}

Result<void> flush_standard_output() {
  std::cout.flush();
  const int error = standard_output().error();
  if (error == 0 && std::cout.good()) return {};
  return make_error(std::string("standard output: write failed: ") + std::strerror(error != 0 ? error : EIO));
}

}  // namespace seccheck::cli
