#include <gtest/gtest.h>
#include <seccomp.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/decode.h"
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
  // Every ABI, the arm ones included: the linked libseccomp is an independent copy of the facts.
  std::map<Arch, int> compared;
  for (const SyscallEntry& entry : all_syscall_rows()) {
    std::string name(entry.name);
    for (Arch arch : kAllArches) {
      int ours = syscall_number(arch, name).value_or(-1);
      int theirs = seccomp_syscall_resolve_name_arch(libseccomp_arch_token(arch), name.c_str());
      if (theirs == __NR_SCMP_ERROR || theirs < 0) continue;  // unknown to libseccomp, or a pseudo-number
      if (arch == Arch::kX32) theirs &= ~static_cast<int>(kX32SyscallBit);
      EXPECT_EQ(ours, theirs) << name << " on " << arch_name(arch);
      ++compared[arch];
    }
  }
  for (Arch arch : kAllArches)
    EXPECT_GT(compared[arch], 300) << arch_name(arch);
}

TEST(SyscallTable, HasNoDuplicateNamesOrNumbers) {
  std::set<std::string_view> names;
  for (const SyscallEntry& entry : all_syscall_rows())
    EXPECT_TRUE(names.insert(entry.name).second) << entry.name;
  for (Arch arch : kAllArches) {
    std::set<int> numbers;
    for (const SyscallEntry& entry : all_syscall_rows()) {
      int nr = syscall_number_on(entry, arch);
      if (nr < 0) continue;
      EXPECT_TRUE(numbers.insert(nr).second) << entry.name << " on " << arch_name(arch);
    }
  }
}

TEST(SyscallTable, LookupsByNumberAndByNameFindEveryRow) {
  for (const SyscallEntry& entry : all_syscall_rows()) {
    EXPECT_EQ(syscall_entry(entry.name), &entry) << entry.name;
    for (Arch arch : kAllArches) {
      const int nr = syscall_number_on(entry, arch);
      if (nr < 0) continue;
      EXPECT_EQ(syscall_entry(arch, nr), &entry) << entry.name << " on " << arch_name(arch);
      EXPECT_LE(nr, max_syscall_number(arch));
    }
  }
  EXPECT_EQ(syscall_entry("no_such_call"), nullptr);
  EXPECT_EQ(syscall_entry(Arch::kX86_64, -1), nullptr);
  EXPECT_EQ(syscall_entry(Arch::kArm, 0x0f0005)->name, "set_tls");  // a private ARM call
  EXPECT_EQ(max_syscall_number(Arch::kArm), 0x0f0006);              // get_tls
  EXPECT_EQ(syscall_entry(Arch::kArm, 0x0f0007), nullptr);
}

TEST(SyscallTable, ArmAndAarch64NumbersThroughLinux618) {
  EXPECT_EQ(syscall_number(Arch::kAarch64, "io_setup"), 0);
  EXPECT_EQ(syscall_number(Arch::kAarch64, "renameat"), 38);
  EXPECT_EQ(syscall_number(Arch::kAarch64, "memfd_secret"), 447);
  EXPECT_EQ(syscall_number(Arch::kAarch64, "open"), std::nullopt);
  EXPECT_EQ(syscall_number(Arch::kArm, "arm_fadvise64_64"), 270);
  EXPECT_EQ(syscall_number(Arch::kArm, "socketcall"), std::nullopt);  // oabi only
  EXPECT_EQ(syscall_number(Arch::kArm, "memfd_secret"), std::nullopt);
  for (Arch arch : {Arch::kAarch64, Arch::kArm}) {
    EXPECT_EQ(syscall_name(arch, 469), "file_setattr") << arch_name(arch);
    EXPECT_EQ(syscall_name(arch, 470), std::nullopt) << arch_name(arch);  // listns is Linux 6.19
  }
  // Calls only arm has are known by name but are no x86 syscall.
  EXPECT_FALSE(is_known_syscall("arm_fadvise64_64"));
  EXPECT_TRUE(is_known_syscall("socketcall"));
}

TEST(SyscallTable, X86RowsComeFirstAndRowsWithoutNumbersAreForeign) {
  const std::size_t x86_rows = syscall_table().size();
  EXPECT_EQ(syscall_table().data(), all_syscall_rows().data());
  for (std::size_t i = 0; i < all_syscall_rows().size(); ++i) {
    const SyscallEntry& entry = all_syscall_rows()[i];
    bool on_x86 = false, on_any = false;
    for (Arch arch : kAllArches) {
      on_any |= syscall_number_on(entry, arch) >= 0;
      on_x86 |= is_x86_arch(arch) && syscall_number_on(entry, arch) >= 0;
    }
    EXPECT_EQ(on_x86, i < x86_rows) << entry.name;
    EXPECT_EQ(is_known_syscall(entry.name), on_x86) << entry.name;
    // A foreign row is a name profiles use for architectures without numbers here.
    EXPECT_EQ(entry.has(SyscallFlag::kForeignArch), !on_any) << entry.name;
  }
}

TEST(SyscallTable, SignaturesMatchTheArgumentCounts) {
  int checked = 0;
  for (const SyscallEntry& entry : all_syscall_rows()) {
    EXPECT_LE(entry.arg_count, 6) << entry.name;
    if (!entry.signature) {
      EXPECT_FALSE(entry.has(SyscallFlag::kPartialSignature)) << entry.name;
      EXPECT_EQ(entry.profile_args | entry.finding_args, 0) << entry.name;
      continue;
    }
    for (char code : *entry.signature)
      EXPECT_TRUE(is_signature_code(code)) << entry.name << ": code " << code;
    if (entry.arg_count >= 0) {
      ++checked;
      if (entry.has(SyscallFlag::kPartialSignature)) {
        EXPECT_LT(static_cast<int>(entry.signature->size()), entry.arg_count) << entry.name;
      } else {
        EXPECT_EQ(static_cast<int>(entry.signature->size()), entry.arg_count) << entry.name;
      }
    }
    // The arguments profiles condition on and findings show are decoded by the signature,
    // without reading the tracee's memory.
    for (std::size_t i = 0; i < 6; ++i) {
      if (((entry.profile_args | entry.finding_args) & (1u << i)) == 0) continue;
      ASSERT_LT(i, entry.signature->size()) << entry.name;
      EXPECT_NE((*entry.signature)[i], 'p') << entry.name;
    }
    // 'C' (the creation mode) follows the open flags it depends on.
    const std::size_t mode = entry.signature->find('C');
    if (mode != std::string_view::npos) {
      EXPECT_TRUE(mode > 0 && (*entry.signature)[mode - 1] == 'o') << entry.name;
    }
  }
  EXPECT_GT(checked, 200);
}

TEST(SyscallTable, EssentialCallsAreX86CallsWithReasons) {
  std::set<int> ranks;
  for (const SyscallEntry& entry : all_syscall_rows()) {
    EXPECT_EQ(entry.essential(), !entry.essential_why.empty()) << entry.name;
    if (!entry.essential()) continue;
    EXPECT_TRUE(ranks.insert(entry.essential_rank).second) << entry.name;
    EXPECT_TRUE(syscall_number(Arch::kX86_64, entry.name)) << entry.name;
  }
  EXPECT_EQ(ranks.size(), 10u);
}

TEST(SyscallTable, FlagsAreConsistent) {
  for (const SyscallEntry& entry : all_syscall_rows()) {
    // libseccomp 2.5's gaps are x86_64 facts; an address-returning call returns somewhere.
    if (entry.has(SyscallFlag::kUnknownToLibseccomp25)) {
      EXPECT_GE(syscall_number_on(entry, Arch::kX86_64), 0) << entry.name;
    }
    if (entry.has(SyscallFlag::kAddressReturn)) {
      EXPECT_FALSE(entry.has(SyscallFlag::kForeignArch)) << entry.name;
    }
    if (entry.finding_args != entry.profile_args || !entry.finding_label.empty()) {
      EXPECT_NE(entry.profile_args, 0) << entry.name;
    }
  }
}

TEST(SyscallTable, PrintsUnassignedNumbersAsStraceDoes) {
  EXPECT_EQ(syscall_display_name(Arch::kX86_64, 400), "syscall_0x190");
  EXPECT_EQ(syscall_display_name(Arch::kX86_64, 0), "read");
}

}  // namespace
}  // namespace seccheck
