#include "core/arch.h"

#include <linux/audit.h>
#include <seccomp.h>

#include <string>

namespace seccheck {

std::string_view arch_name(Arch arch) {
  switch (arch) {
    case Arch::kX86_64: return "x86_64";
    case Arch::kI386: return "i386";
    case Arch::kX32: return "x32";
  }
  return "unknown";
}

std::optional<Arch> parse_arch(std::string_view text) {
  std::string lower(text);
  for (char& c : lower)
    c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "x86_64" || lower == "amd64" || lower == "scmp_arch_x86_64") return Arch::kX86_64;
  if (lower == "i386" || lower == "x86" || lower == "386" || lower == "i686" || lower == "scmp_arch_x86")
    return Arch::kI386;
  if (lower == "x32" || lower == "scmp_arch_x32") return Arch::kX32;
  return std::nullopt;
}

std::string_view scmp_arch_name(Arch arch) {
  switch (arch) {
    case Arch::kX86_64: return "SCMP_ARCH_X86_64";
    case Arch::kI386: return "SCMP_ARCH_X86";
    case Arch::kX32: return "SCMP_ARCH_X32";
  }
  return "SCMP_ARCH_NATIVE";
}

std::uint32_t libseccomp_arch_token(Arch arch) {
  switch (arch) {
    case Arch::kX86_64: return SCMP_ARCH_X86_64;
    case Arch::kI386: return SCMP_ARCH_X86;
    case Arch::kX32: return SCMP_ARCH_X32;
  }
  return SCMP_ARCH_NATIVE;
}

std::optional<Arch> arch_from_audit(std::uint32_t audit_arch, std::uint64_t raw_nr) {
  if (audit_arch == AUDIT_ARCH_I386) return Arch::kI386;
  if (audit_arch == AUDIT_ARCH_X86_64) return (raw_nr & kX32SyscallBit) ? Arch::kX32 : Arch::kX86_64;
  return std::nullopt;
}

}  // namespace seccheck
