// Call-site stacks of stopped tracees with libunwind-ptrace. One address space per traced
// process (flushed on execve), frames named by binary (from /proc/PID/maps), function and
// offset; names are cached per (process, pc) so repeated call sites cost one unwind, no lookups.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/stack_frame.h"

namespace seccheck::tracer {

class Unwinder {
 public:
  Unwinder();
  ~Unwinder();
  Unwinder(const Unwinder&) = delete;
  Unwinder& operator=(const Unwinder&) = delete;

  // `tid` must be in a ptrace stop. Innermost frame first.
  std::vector<StackFrame> stack(pid_t pid, pid_t tid, int max_frames);
  // The process exec'd or exited: its address space and caches are stale.
  void flush(pid_t pid);

 private:
  struct Space;
  Space& space_for(pid_t pid);
  std::unordered_map<pid_t, std::unique_ptr<Space>> spaces_;
};

}  // namespace seccheck::tracer
