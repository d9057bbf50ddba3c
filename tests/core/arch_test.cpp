#include <gtest/gtest.h>
#include <linux/audit.h>
#include <seccomp.h>

#include <set>

#include "core/arch.h"

namespace seccheck {
namespace {

TEST(Arch, ParsesEveryNameUsersAndProfilesWrite) {
  EXPECT_EQ(parse_arch("amd64"), Arch::kX86_64);
  EXPECT_EQ(parse_arch("SCMP_ARCH_X86_64"), Arch::kX86_64);
  EXPECT_EQ(parse_arch("x86"), Arch::kI386);
  EXPECT_EQ(parse_arch("SCMP_ARCH_X86"), Arch::kI386);
  EXPECT_EQ(parse_arch("x32"), Arch::kX32);
  EXPECT_EQ(parse_arch("aarch64"), Arch::kAarch64);
  EXPECT_EQ(parse_arch("arm64"), Arch::kAarch64);
  EXPECT_EQ(parse_arch("SCMP_ARCH_AARCH64"), Arch::kAarch64);
  EXPECT_EQ(parse_arch("arm"), Arch::kArm);
  EXPECT_EQ(parse_arch("armv7l"), Arch::kArm);
  EXPECT_EQ(parse_arch("armhf"), Arch::kArm);
  EXPECT_EQ(parse_arch("SCMP_ARCH_ARM"), Arch::kArm);
  EXPECT_EQ(parse_arch("armv"), std::nullopt);
  EXPECT_EQ(parse_arch("s390x"), std::nullopt);
}

TEST(Arch, X86InputsRejectTheArmAbis) {
  // What seccheck evaluates today: an x86_64 host's ABIs.
  EXPECT_EQ(parse_x86_arch("i386"), Arch::kI386);
  EXPECT_EQ(parse_x86_arch("aarch64"), std::nullopt);
  EXPECT_EQ(parse_x86_arch("arm"), std::nullopt);
  for (Arch arch : kX86Arches)
    EXPECT_TRUE(is_x86_arch(arch)) << arch_name(arch);
  EXPECT_FALSE(is_x86_arch(Arch::kAarch64));
}

TEST(Arch, EveryArchHasItsNamesAndTokens) {
  std::set<std::string_view> names, scmp_names;
  std::set<std::uint32_t> tokens;
  for (Arch arch : kAllArches) {
    EXPECT_EQ(parse_arch(arch_name(arch)), arch);
    EXPECT_EQ(parse_arch(scmp_arch_name(arch)), arch);
    EXPECT_TRUE(names.insert(arch_name(arch)).second) << arch_name(arch);
    EXPECT_TRUE(scmp_names.insert(scmp_arch_name(arch)).second) << arch_name(arch);
    EXPECT_TRUE(tokens.insert(libseccomp_arch_token(arch)).second) << arch_name(arch);
    EXPECT_NE(libseccomp_arch_token(arch), static_cast<std::uint32_t>(SCMP_ARCH_NATIVE));
  }
  EXPECT_EQ(names.size(), kArchCount);
}

TEST(Arch, X32IsTheX86_64AuditArchWithTheX32Bit) {
  EXPECT_EQ(arch_from_audit(AUDIT_ARCH_X86_64, 0), Arch::kX86_64);
  EXPECT_EQ(arch_from_audit(AUDIT_ARCH_X86_64, kX32SyscallBit | 1), Arch::kX32);
  EXPECT_EQ(arch_from_audit(AUDIT_ARCH_I386, 1), Arch::kI386);
  EXPECT_EQ(arch_from_audit(AUDIT_ARCH_AARCH64, 1), Arch::kAarch64);
  EXPECT_EQ(arch_from_audit(AUDIT_ARCH_ARM, 1), Arch::kArm);
  EXPECT_EQ(arch_from_audit(AUDIT_ARCH_S390X, 1), std::nullopt);
}

}  // namespace
}  // namespace seccheck
