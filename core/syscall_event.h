// What the tracer reports for one syscall stop, and what records and the analysis consume.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>

#include "core/arch.h"

namespace seccheck {

struct SyscallEvent {
  pid_t pid = 0;  // thread group (process) id
  pid_t tid = 0;  // thread id
  Arch arch = Arch::kX86_64;
  int nr = -1;  // in `arch`'s numbering; x32 without __X32_SYSCALL_BIT
  std::array<std::uint64_t, 6> args{};
  std::uint64_t instruction_pointer = 0;
  std::uint64_t stack_pointer = 0;
  std::uint32_t seccomp_data = 0;            // SECCOMP_RET_DATA of the TRACE action that stopped it
  std::optional<std::int64_t> return_value;  // set at the exit stop, when return values are asked for
  std::int64_t timestamp_ns = 0;             // CLOCK_REALTIME at the stop
};

}  // namespace seccheck
