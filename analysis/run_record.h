// A run, reduced to what profile checks need: the distinct calls it made (syscall, ABI and the
// argument values any known profile conditions on), with counts and where each was first made.
// `check --record FILE` saves it; `diff FILE` re-checks it offline. Memory stays bounded: calls
// are aggregated as they arrive, never kept one by one.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "analysis/profile.h"
#include "core/result.h"
#include "core/stack_frame.h"
#include "core/syscall_event.h"

namespace seccheck::analysis {

inline constexpr int kRunRecordVersion = 1;

struct RecordedCall {
  Arch arch = Arch::kX86_64;
  int nr = -1;
  std::array<std::uint64_t, 6> args{};  // the first call's arguments
  std::vector<unsigned> kept_args;      // indices whose values distinguish this entry from others
  std::uint64_t count = 0;
  pid_t first_pid = 0;
  std::string executable;
  std::vector<std::string> command_line;
  std::vector<StackFrame> stack;

  // "x86_64/clone/arg0=0x7e020011": stable across runs, the baseline key of its finding.
  std::string key() const;
};

struct RunRecord {
  std::vector<std::string> command;
  int exit_status = 0;
  bool interrupted = false;
  // true: every call of the run was recorded; false: only calls the checked profiles flagged
  // (a fast-path check), so an offline diff can only judge those.
  bool complete = false;
  std::string started_at;  // ISO 8601 UTC
  double duration_seconds = 0;
  std::string kernel;  // uname release of the machine that ran it
  std::uint64_t processes = 0;
  std::uint64_t calls_stopped = 0;  // calls that stopped the workload (every call when complete)
  std::vector<RecordedCall> calls;  // sorted by arch, nr, key
  std::vector<std::string> notices;
};

// Which argument indices matter for a syscall: every index any rule naming it conditions on,
// over a set of profiles (the catalog plus the profiles being checked).
class ArgRelevance {
 public:
  void add_profile(const Profile& profile);
  const std::vector<unsigned>& indices(const std::string& syscall) const;

 private:
  std::map<std::string, std::vector<unsigned>> by_name_;
};

// Aggregates syscall events into RecordedCalls.
class CallAggregator {
 public:
  // At most `max_distinct_per_syscall` argument patterns per (arch, nr); further ones are
  // counted on an overflow entry so memory stays bounded.
  explicit CallAggregator(const ArgRelevance& relevance, std::size_t max_distinct_per_syscall = 256);

  // Returns the entry the event was counted on and whether it is new (then the caller fills in
  // process and stack details).
  std::pair<RecordedCall*, bool> add(const SyscallEvent& event);
  std::uint64_t calls_stopped() const { return calls_stopped_; }
  // The entries, sorted.
  std::vector<RecordedCall> take_calls();

 private:
  using Key = std::tuple<Arch, int, std::vector<std::uint64_t>>;
  const ArgRelevance& relevance_;
  std::size_t max_distinct_;
  std::map<Key, RecordedCall> calls_;
  std::map<std::pair<Arch, int>, std::size_t> distinct_per_syscall_;
  std::uint64_t calls_stopped_ = 0;
};

std::string run_record_to_json(const RunRecord& record);
Result<RunRecord> parse_run_record(const std::string& json_text, const std::string& source);
Result<RunRecord> load_run_record(const std::string& path);

}  // namespace seccheck::analysis
