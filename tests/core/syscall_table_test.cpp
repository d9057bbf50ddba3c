#include <gtest/gtest.h>
#include <seccomp.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/syscall_table.h"

namespace seccheck {
namespace {

using Ranges = std::vector<std::pair<int, int>>;

Ranges unassigned_numbers(Arch arch) {
  Ranges holes;
  for (int nr = 0; nr <= max_syscall_number(arch); ++nr) {
    if (syscall_name(arch, nr)) continue;
    if (!holes.empty() && holes.back().second == nr - 1) {
      holes.back().second = nr;
    } else {
      holes.emplace_back(nr, nr);
    }
  }
  return holes;
}

TEST(SyscallTable, NamesEveryX86_64SyscallThroughLinux618) {
  // 469 (file_setattr, Linux 6.17) is the newest x86_64 call on the 6.18 kernel here; the only
  // numbers without a name are the range the kernel leaves unassigned (probed: ENOSYS).
  EXPECT_EQ(max_syscall_number(Arch::kX86_64), 469);
  EXPECT_EQ(unassigned_numbers(Arch::kX86_64), (Ranges{{337, 423}}));
  EXPECT_EQ(syscall_name(Arch::kX86_64, 336), "uprobe");  // Linux 6.16, x86_64 only
  EXPECT_EQ(syscall_name(Arch::kX86_64, 457), "statmount");
  EXPECT_EQ(syscall_name(Arch::kX86_64, 335), "uretprobe");
}

TEST(SyscallTable, NamesEveryI386AndX32Syscall) {
  EXPECT_EQ(max_syscall_number(Arch::kI386), 469);
  EXPECT_EQ(unassigned_numbers(Arch::kI386),
            (Ranges{{222, 223}, {251, 251}, {285, 285}, {387, 392}, {415, 415}}));
  EXPECT_EQ(syscall_number(Arch::kX32, "map_shadow_stack"), std::nullopt);  // a 64-bit-only call
  EXPECT_EQ(max_syscall_number(Arch::kX32), 547);
  EXPECT_EQ(syscall_name(Arch::kX32, 512), "rt_sigaction");
  EXPECT_EQ(syscall_name(Arch::kI386, 102), "socketcall");
  EXPECT_EQ(syscall_number(Arch::kX86_64, "socketcall"), std::nullopt);
}

TEST(SyscallTable, AgreesWithLibseccompWhereLibseccompKnowsTheCall) {
  int compared = 0;
  for (const SyscallEntry& entry : syscall_table()) {
    std::string name(entry.name);
    for (Arch arch : kAllArches) {
      int ours = syscall_number(arch, name).value_or(-1);
      int theirs = seccomp_syscall_resolve_name_arch(libseccomp_arch_token(arch), name.c_str());
      if (theirs == __NR_SCMP_ERROR || theirs < 0) continue;  // unknown to libseccomp, or a pseudo-number
      if (arch == Arch::kX32) theirs &= ~static_cast<int>(kX32SyscallBit);
      EXPECT_EQ(ours, theirs) << name << " on " << arch_name(arch);
      ++compared;
    }
  }
  EXPECT_GT(compared, 1000);
}

TEST(SyscallTable, HasNoDuplicateNamesOrNumbers) {
  std::set<std::string_view> names;
  for (const SyscallEntry& entry : syscall_table())
    EXPECT_TRUE(names.insert(entry.name).second) << entry.name;
  for (Arch arch : kAllArches) {
    std::set<int> numbers;
    for (const SyscallEntry& entry : syscall_table()) {
      int nr = syscall_number(arch, entry.name).value_or(-1);
      if (nr < 0) continue;
      EXPECT_TRUE(numbers.insert(nr).second) << entry.name << " on " << arch_name(arch);
    }
  }
}

TEST(SyscallTable, PrintsUnassignedNumbersAsStraceDoes) {
  EXPECT_EQ(syscall_display_name(Arch::kX86_64, 400), "syscall_0x190");
  EXPECT_EQ(syscall_display_name(Arch::kX86_64, 0), "read");
}

}  // namespace
}  // namespace seccheck
