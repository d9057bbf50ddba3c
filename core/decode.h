// Argument decoding: flag and constant names as data ({value, "NAME"} tables), and strace-style
// formatting of a call's arguments and return value. Shared by `seccheck trace` (lines and -c)
// and the report layer (describing findings like `clone(flags=CLONE_NEWUSER|SIGCHLD)` or
// `socket(AF_VSOCK, SOCK_STREAM, 0)`). Strings read from a tracee are escaped so a workload
// cannot inject terminal sequences: control characters and invalid UTF-8 become \xNN.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/arch.h"
#include "core/errno_names.h"

namespace seccheck {

struct FlagName {
  std::uint64_t value;
  std::string_view name;
};

// Every flag table, named, for the invariant tests (no duplicate values or names): PER_* base
// personalities are value & 0xff, personality flags ADDR_NO_RANDOMIZE..., open flags exclude the
// access mode.
struct NamedFlagTable {
  std::string_view name;
  std::span<const FlagName> entries;
};
std::span<const NamedFlagTable> flag_tables();

// "A|B|0x40" for the set bits of `value` (unnamed bits in hex); `zero` when value is 0.
std::string format_flags(std::uint64_t value, std::span<const FlagName> table, std::string_view zero = "0");
// The exact name of `value`, or nullopt.
std::optional<std::string_view> constant_name(std::uint64_t value, std::span<const FlagName> table);

// unshare(2)/setns(2) flags; its CLONE_NEW* entries are the namespace bits profiles mask in
// clone, clone3 and unshare rules.
std::span<const FlagName> namespace_flag_table();

std::string clone_flags_string(std::uint64_t flags);      // CLONE_VM|...|SIGCHLD (low byte: exit signal)
std::string namespace_flags_string(std::uint64_t flags);  // unshare/setns: CLONE_NEW*
std::string address_family_string(std::uint64_t family);  // AF_VSOCK, or the number
std::string socket_type_string(std::uint64_t type);       // SOCK_STREAM|SOCK_CLOEXEC
std::string personality_string(std::uint64_t persona);    // PER_LINUX32|ADDR_NO_RANDOMIZE, 0xffffffff
std::string prctl_option_string(std::uint64_t option);
std::string ioctl_request_string(std::uint64_t request);
std::string open_flags_string(std::uint64_t flags);  // O_RDONLY|O_CLOEXEC
std::string signal_string(std::uint64_t sig);        // SIGCHLD, SIGRT_3, or the number

// Quoted and escaped: "abc\n\x1b[..." ; `truncated` appends ... after the closing quote.
std::string escape_string(std::string_view bytes, bool truncated = false);

// Reads a NUL-terminated string of at most max_bytes from the tracee, or nullopt.
using MemoryReader = std::function<std::optional<std::string>(std::uint64_t address, std::size_t max_bytes)>;

// How each argument of a call prints (SyscallEntry::signature, by name); nullopt for calls
// without a known signature. One char per argument (see decode.cpp): d decimal, u unsigned,
// x address, p path string, ...
std::optional<std::string_view> argument_signature(std::string_view syscall_name);
// True for a char that decode.cpp knows as a signature code (for the table's invariant tests).
bool is_signature_code(char code);

// strace-style arguments without parentheses: `AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC`.
// Path and string arguments are read through `reader` (when given) up to `max_string` bytes.
// Calls without a known signature print their arguments in hex, up to the last non-zero one.
std::string format_arguments(Arch arch, int nr, const std::array<std::uint64_t, 6>& args,
                             const MemoryReader* reader = nullptr, std::size_t max_string = 64);
// `name(args)`.
std::string format_call(Arch arch, int nr, const std::array<std::uint64_t, 6>& args,
                        const MemoryReader* reader = nullptr, std::size_t max_string = 64);
// `0`, `3`, `0x7f12...` for address-returning calls, `-1 ENOENT (No such file or directory)`.
std::string format_return(Arch arch, int nr, std::int64_t value);

// The argument values that matter to seccomp profiles, decoded, for the calls profiles filter
// on arguments (SyscallEntry::profile_args): clone flags, unshare, setns, personality,
// socket/socketpair family and type, ioctl request, prctl option. nullopt for other calls
// (clone3's flags are in memory: the tracer reads them).
std::optional<std::string> profile_argument(Arch arch, int nr, const std::array<std::uint64_t, 6>& args);
// For reports (SyscallEntry::finding_args): `clone(flags=CLONE_NEWUSER|SIGCHLD)`,
// `socket(AF_VSOCK, SOCK_STREAM, 0)`, `personality(PER_LINUX32)`; other calls as `name(...)`.
std::string describe_call(Arch arch, int nr, const std::array<std::uint64_t, 6>& args);

}  // namespace seccheck
