// Where seccheck writes what the user asked for (-o, --record) and how. A path is checked when
// the command starts, before any workload runs, so a typo cannot waste a two-hour run; every
// write, the close and the final flush of standard output are checked, so a full disk or a
// closed pipe is an error with a non-zero exit status, never a truncated file and exit 0.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace seccheck::cli {

class OutputFile {
 public:
  // Standard output.
  OutputFile() = default;
  // `path` ("" = standard output), given with `option` ("-o", "--record"), checked now: an
  // existing file must open for writing, a new one must be creatable in an existing directory
  // (a probe file is made there and removed). Throws UserError(kUsage) naming option and path.
  OutputFile(std::string option, std::string path);

  bool is_stdout() const { return path_.empty(); }
  // "-o r.json", "--record run.json", "standard output": how messages name it.
  std::string name() const;
  // Replaces the file's content with `text` (appends to standard output). A failed write or
  // close throws UserError(kToolFailure) "-o r.json: write failed: No space left on device"; a
  // regular file left half written is removed.
  void write(std::string_view text) const;

  // The file this names, for telling whether two outputs are one: device and inode when it
  // exists (any spelling, symlink or hard link), else its normalised absolute path. Character
  // devices (/dev/null, a terminal) have none: writing several outputs there loses nothing.
  std::string identity() const;

 private:
  std::string option_;
  std::string path_;
};

// Throws UserError(kUsage) when two of `outputs` name one file: the later write would replace
// (or, on a pipe, run into) the earlier one.
void require_distinct_outputs(const std::vector<const OutputFile*>& outputs);

// Makes std::cout write through a buffer that keeps the error of a failed write, for
// flush_standard_output to report. main calls it first; everything seccheck prints on standard
// output goes through std::cout.
void use_checked_standard_output();
// Flushes standard output; an error when the flush or any earlier write to it failed
// ("standard output: write failed: No space left on device").
Result<void> flush_standard_output();

}  // namespace seccheck::cli
