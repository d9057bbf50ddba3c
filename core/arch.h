// The syscall ABIs seccheck knows. An x86_64 host runs three (kX86Arches): the kernel reports
// i386 calls with AUDIT_ARCH_I386 and x32 calls with AUDIT_ARCH_X86_64 plus __X32_SYSCALL_BIT in
// the number; seccheck numbers x32 calls without that bit and keeps the ABI in Arch. aarch64 and
// arm (EABI) are known by name and number (profiles and kernel records name them) but nothing
// traces them or builds filters for them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace seccheck {

enum class Arch : std::uint8_t { kX86_64, kI386, kX32, kAarch64, kArm };

inline constexpr std::size_t kArchCount = 5;
inline constexpr Arch kAllArches[] = {Arch::kX86_64, Arch::kI386, Arch::kX32, Arch::kAarch64, Arch::kArm};
// The ABIs an x86_64 host runs: what seccheck traces, filters and evaluates.
inline constexpr Arch kX86Arches[] = {Arch::kX86_64, Arch::kI386, Arch::kX32};
inline constexpr std::uint32_t kX32SyscallBit = 0x40000000u;

// "x86_64", "i386", "x32", "aarch64", "arm": the names seccheck prints and accepts.
std::string_view arch_name(Arch arch);
// Accepts seccheck's names plus the aliases users and profiles write: amd64, x86, 386, i686,
// arm64, armhf, armel, armv7l (any armvN...), and the SCMP_ARCH_* names.
std::optional<Arch> parse_arch(std::string_view text);
// parse_arch limited to kX86Arches: for inputs seccheck evaluates (explain, profiles diff, run
// records, a profile's architectures), where an arm ABI is not evaluated yet.
std::optional<Arch> parse_x86_arch(std::string_view text);
bool is_x86_arch(Arch arch);
// "SCMP_ARCH_X86_64" etc., as OCI profiles name them.
std::string_view scmp_arch_name(Arch arch);
// The libseccomp token (SCMP_ARCH_* value) for the arch.
std::uint32_t libseccomp_arch_token(Arch arch);
// The arch of a syscall from what PTRACE_GET_SYSCALL_INFO / seccomp_data / audit records report.
std::optional<Arch> arch_from_audit(std::uint32_t audit_arch, std::uint64_t raw_nr);

}  // namespace seccheck
