#include <gtest/gtest.h>
#include <linux/audit.h>

#include "core/arch.h"

namespace seccheck {
namespace {

TEST(Arch, ParsesEveryNameUsersAndProfilesWrite) {
  EXPECT_EQ(parse_arch("amd64"), Arch::kX86_64);
  EXPECT_EQ(parse_arch("SCMP_ARCH_X86_64"), Arch::kX86_64);
  EXPECT_EQ(parse_arch("x86"), Arch::kI386);
  EXPECT_EQ(parse_arch("SCMP_ARCH_X86"), Arch::kI386);
  EXPECT_EQ(parse_arch("x32"), Arch::kX32);
  EXPECT_EQ(parse_arch("aarch64"), std::nullopt);
}

TEST(Arch, X32IsTheX86_64AuditArchWithTheX32Bit) {
  EXPECT_EQ(arch_from_audit(AUDIT_ARCH_X86_64, 0), Arch::kX86_64);
  EXPECT_EQ(arch_from_audit(AUDIT_ARCH_X86_64, kX32SyscallBit | 1), Arch::kX32);
  EXPECT_EQ(arch_from_audit(AUDIT_ARCH_I386, 1), Arch::kI386);
  EXPECT_EQ(arch_from_audit(AUDIT_ARCH_AARCH64, 1), std::nullopt);
}

}  // namespace
}  // namespace seccheck
