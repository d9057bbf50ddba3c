// Groups seccomp records into findings the way `check` groups calls: one per (ABI, syscall,
// executable), with how often the kernel logged it, when first and last, which actions it
// logged, and which containers and pods made it. Memory stays bounded by the number of distinct
// findings (pids and comms are capped per finding).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "audit/container.h"
#include "audit/record.h"

namespace seccheck::audit {

struct AuditFinding {
  std::uint32_t audit_arch = 0;
  std::optional<Arch> arch;
  int nr = -1;                         // -1 when only a name is known
  std::optional<std::int64_t> raw_nr;  // as logged, for ABIs seccheck cannot name
  std::string syscall;                 // "" when the number names no call seccheck knows
  std::string exe;
  std::uint64_t count = 0;
  std::int64_t first_ms = 0;
  std::int64_t last_ms = 0;
  std::set<std::string> actions;  // record_action_text() of each record: "LOG", "ERRNO", ...
  std::set<std::string> comms;
  std::uint32_t first_pid = 0;
  std::set<std::uint32_t> pids;      // at most kMaxPidsPerFinding
  std::set<std::string> containers;  // ContainerRef::text()
  std::set<std::string> pods;        // pod UIDs

  // "x86_64/unshare": the call, as record_call_text() names it.
  std::string call() const;
};

inline constexpr std::size_t kMaxPidsPerFinding = 64;

class FindingAggregator {
 public:
  // Adds one record; `container` is where its process ran, when known. Returns the finding it
  // was counted on and whether that finding is new.
  std::pair<const AuditFinding*, bool> add(const SeccompRecord& record,
                                           const std::optional<ContainerRef>& container = std::nullopt);
  // Sorted by syscall name (unnamed ones by number), ABI, executable.
  std::vector<AuditFinding> findings() const;
  std::uint64_t records() const { return records_; }

 private:
  using Key = std::tuple<std::uint32_t, int, std::string, std::int64_t, std::string>;
  std::map<Key, AuditFinding> findings_;
  std::uint64_t records_ = 0;
};

}  // namespace seccheck::audit
