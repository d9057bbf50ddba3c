#include "core/arch.h"

#include <linux/audit.h>
#include <seccomp.h>

#include <algorithm>
#include <string>

namespace seccheck {

std::string_view arch_name(Arch arch) {
  switch (arch) {
    case Arch::kX86_64: return "x86_64";
    case Arch::kI386: return "i386";
    case Arch::kX32: return "x32";
    case Arch::kAarch64: return "aarch64";
    case Arch::kArm: return "arm";
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
  if (lower == "aarch64" || lower == "arm64" || lower == "scmp_arch_aarch64") return Arch::kAarch64;
  // uname -m says armv7l, armv6l, armv8l (32-bit on a 64-bit kernel); Debian says armhf, armel.
  const bool armv = lower.size() > 4 && lower.rfind("armv", 0) == 0 && lower[4] >= '5' && lower[4] <= '8';
  if (lower == "arm" || lower == "armhf" || lower == "armel" || lower == "scmp_arch_arm" || armv)
    return Arch::kArm;
  return std::nullopt;
}

bool is_x86_arch(Arch arch) {
  return std::find(std::begin(kX86Arches), std::end(kX86Arches), arch) != std::end(kX86Arches);
}

std::optional<Arch> parse_x86_arch(std::string_view text) {
  auto arch = parse_arch(text);
  if (arch && !is_x86_arch(*arch)) return std::nullopt;
  return arch;
}

std::string_view scmp_arch_name(Arch arch) {
  switch (arch) {
    case Arch::kX86_64: return "SCMP_ARCH_X86_64";
    case Arch::kI386: return "SCMP_ARCH_X86";
    case Arch::kX32: return "SCMP_ARCH_X32";
    case Arch::kAarch64: return "SCMP_ARCH_AARCH64";
    case Arch::kArm: return "SCMP_ARCH_ARM";
  }
  return "SCMP_ARCH_NATIVE";
}

std::uint32_t libseccomp_arch_token(Arch arch) {
  switch (arch) {
    case Arch::kX86_64: return SCMP_ARCH_X86_64;
    case Arch::kI386: return SCMP_ARCH_X86;
    case Arch::kX32: return SCMP_ARCH_X32;
    case Arch::kAarch64: return SCMP_ARCH_AARCH64;
    case Arch::kArm: return SCMP_ARCH_ARM;
  }
  return SCMP_ARCH_NATIVE;
}

std::optional<Arch> arch_from_audit(std::uint32_t audit_arch, std::uint64_t raw_nr) {
  switch (audit_arch) {
    case AUDIT_ARCH_I386: return Arch::kI386;
    case AUDIT_ARCH_X86_64: return (raw_nr & kX32SyscallBit) ? Arch::kX32 : Arch::kX86_64;
    case AUDIT_ARCH_AARCH64: return Arch::kAarch64;
    case AUDIT_ARCH_ARM: return Arch::kArm;
    default: return std::nullopt;
  }
}

}  // namespace seccheck
