// Source lines found for code addresses, kept in a folder per build-id, so a later run names the
// same frames without opening their DWARF. libdw decompresses every debug section of a file when
// it opens it: for glibc's debug file (libc6-dbg) that is about 50 ms of a run that names any
// frame in libc, that is, of every check with a finding. A build-id names the content, so an
// answer never goes stale; a file without one is not cached. Only answers from DWARF that was
// there are kept (a line, or "none at this address"): installing a debug file later still helps.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "elf/line_table.h"

namespace seccheck::elf {

class LineCache {
 public:
  explicit LineCache(std::filesystem::path folder) : folder_(std::move(folder)) {}

  // Outer nullopt: nothing stored. Inner nullopt: stored as "no line at this address".
  std::optional<std::optional<SourceLine>> find(const std::string& build_id, std::uint64_t address);
  // One appended record per answer; a file that cannot be written, or has grown past its limit,
  // is left as it is.
  void store(const std::string& build_id, std::uint64_t address, const std::optional<SourceLine>& line);

 private:
  using Answers = std::map<std::uint64_t, std::optional<SourceLine>>;
  Answers& answers_for(const std::string& build_id);
  std::filesystem::path folder_;
  std::map<std::string, Answers> loaded_;
};

}  // namespace seccheck::elf
