// Call-site stacks of stopped tracees with libunwind-ptrace, loaded at the first stack. One
// address space per traced process (flushed on execve), frames named by binary (from
// /proc/PID/maps), function and offset; names are cached per (process, pc) so repeated call
// sites cost one unwind, no lookups.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/stack_frame.h"

namespace seccheck::tracer {

class Unwinder {
 public:
  // `on_unavailable` hears once why stacks cannot be taken (libunwind missing).
  explicit Unwinder(std::function<void(const std::string&)> on_unavailable = {});
  ~Unwinder();
  Unwinder(const Unwinder&) = delete;
  Unwinder& operator=(const Unwinder&) = delete;

  // `tid` must be in a ptrace stop. Innermost frame first.
  std::vector<StackFrame> stack(pid_t pid, pid_t tid, int max_frames);
  // The process exec'd or exited: its address space and caches are stale.
  void flush(pid_t pid);

 private:
  struct Library;
  struct Space;
  const Library* library();  // nullptr when libunwind cannot be loaded
  Space& space_for(pid_t pid, const Library& lib);
  std::function<void(const std::string&)> on_unavailable_;
  std::unique_ptr<Library> library_;
  std::unordered_map<pid_t, std::unique_ptr<Space>> spaces_;
};

}  // namespace seccheck::tracer
