// Argument decoding and flag tables, without a kernel.
#include <gtest/gtest.h>

#include <set>

#include "core/decode.h"
#include "core/syscall_table.h"

namespace seccheck {
namespace {

int nr(std::string_view name) {
  return *syscall_number(Arch::kX86_64, name);
}

TEST(Decode, TablesHaveNoDuplicates) {
  for (const auto& [label, table] : flag_tables()) {
    std::set<std::uint64_t> values;
    std::set<std::string_view> names;
    for (const FlagName& entry : table) {
      EXPECT_TRUE(values.insert(entry.value).second) << label << " duplicate value " << entry.value;
      EXPECT_TRUE(names.insert(entry.name).second) << label << " duplicate name " << entry.name;
    }
  }
}

TEST(Decode, EverySignatureNamesAKnownSyscall) {
  // Spot check through the public lookup: names with signatures resolve in the syscall table.
  for (std::string_view name : {"openat", "clone", "socket", "personality", "ioctl", "mmap2", "socketcall"}) {
    EXPECT_TRUE(argument_signature(name).has_value()) << name;
    EXPECT_TRUE(is_known_syscall(name)) << name;
  }
}

TEST(Decode, ProfileRelevantValues) {
  EXPECT_EQ(clone_flags_string(0x10000000 | 17), "CLONE_NEWUSER|SIGCHLD");
  EXPECT_EQ(describe_call(Arch::kX86_64, nr("clone"), {0x10000000 | 17}),
            "clone(flags=CLONE_NEWUSER|SIGCHLD)");
  EXPECT_EQ(describe_call(Arch::kX86_64, nr("socket"), {40, 1, 0}), "socket(AF_VSOCK, SOCK_STREAM, 0)");
  EXPECT_EQ(socket_type_string(1 | 02000000 | 04000), "SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC");
  EXPECT_EQ(personality_string(8), "PER_LINUX32");
  EXPECT_EQ(personality_string(0x0040000), "PER_LINUX|ADDR_NO_RANDOMIZE");
  EXPECT_EQ(personality_string(0xffffffff), "0xffffffff");
  EXPECT_EQ(namespace_flags_string(0x80 | 0x10000000), "CLONE_NEWTIME|CLONE_NEWUSER");
  EXPECT_EQ(ioctl_request_string(0x5412), "TIOCSTI");
  EXPECT_EQ(ioctl_request_string(0x12345), "0x12345");
  EXPECT_EQ(prctl_option_string(22), "PR_SET_SECCOMP");
  EXPECT_EQ(*profile_argument(Arch::kX86_64, nr("unshare"), {0x10000000}), "CLONE_NEWUSER");
  EXPECT_FALSE(profile_argument(Arch::kX86_64, nr("read"), {}).has_value());
  // i386 names come from the i386 table: socketcall exists only there.
  EXPECT_EQ(format_call(Arch::kI386, 102, {1, 0x1000}), "socketcall(1, 0x1000)");
}

TEST(Decode, StraceStyleArguments) {
  MemoryReader reader = [](std::uint64_t address, std::size_t max) -> std::optional<std::string> {
    if (address == 0x1000) return std::string("/etc/passwd").substr(0, max);
    return std::nullopt;
  };
  std::array<std::uint64_t, 6> args{static_cast<std::uint64_t>(-100), 0x1000, 02000000, 0, 0, 0};
  EXPECT_EQ(format_call(Arch::kX86_64, nr("openat"), args, &reader),
            "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC)");
  args[2] = 0101;
  args[3] = 0644;
  EXPECT_EQ(format_arguments(Arch::kX86_64, nr("openat"), args, &reader),
            "AT_FDCWD, \"/etc/passwd\", O_WRONLY|O_CREAT, 0644");
  // Unreadable memory prints the address; truncation marks the string.
  args[1] = 0x2000;
  EXPECT_EQ(format_arguments(Arch::kX86_64, nr("openat"), args, &reader),
            "AT_FDCWD, 0x2000, O_WRONLY|O_CREAT, 0644");
  args[1] = 0x1000;
  EXPECT_EQ(format_arguments(Arch::kX86_64, nr("openat"), args, &reader, 4),
            "AT_FDCWD, \"/etc\"..., O_WRONLY|O_CREAT, 0644");
  EXPECT_EQ(format_call(Arch::kX86_64, nr("close"), {static_cast<std::uint64_t>(0xffffffff)}), "close(-1)");
  EXPECT_EQ(format_return(Arch::kX86_64, nr("openat"), -2), "-1 ENOENT (No such file or directory)");
  EXPECT_EQ(format_return(Arch::kX86_64, nr("mmap"), 0x7f0000001000), "0x7f0000001000");
  EXPECT_EQ(format_return(Arch::kX86_64, nr("read"), 42), "42");
  // Calls without a signature: hex up to the last non-zero argument.
  EXPECT_EQ(format_call(Arch::kX86_64, 457, {1, 0x20, 0}), "statmount(0x1, 0x20)");
}

TEST(Decode, EscapingStopsTerminalInjection) {
  EXPECT_EQ(escape_string("a\x1b[2Jb"), "\"a\\x1b[2Jb\"");
  EXPECT_EQ(escape_string("tab\there\nq\"\\"), "\"tab\\there\\nq\\\"\\\\\"");
  EXPECT_EQ(escape_string("\x7f"), "\"\\x7f\"");
  EXPECT_EQ(escape_string("caf\xc3\xa9"), "\"caf\xc3\xa9\"");  // valid UTF-8 passes
  EXPECT_EQ(escape_string("\xc2\x9b"
                          "31m"),
            "\"\\u009b31m\"");                                      // C1 CSI is escaped
  EXPECT_EQ(escape_string("\xff\xe2\x82"), "\"\\xff\\xe2\\x82\"");  // invalid / truncated
  EXPECT_EQ(escape_string("\xed\xa0\x80"), "\"\\xed\\xa0\\x80\"");  // UTF-16 surrogate
  EXPECT_EQ(escape_string("ab", true), "\"ab\"...");
  EXPECT_EQ(errno_name(2), "ENOENT");
}

TEST(Decode, NoSyscallUpToTheNewestPrintsAsUnknown) {
  for (Arch arch : kX86Arches) {
    const int newest = max_syscall_number(arch);
    // The unified range 335..423 has holes on x86_64 (numbers never assigned there).
    int named = 0;
    for (int n = 0; n <= newest; ++n)
      if (syscall_name(arch, n)) ++named;
    EXPECT_GT(named, 300) << arch_name(arch);
    EXPECT_TRUE(syscall_name(arch, newest).has_value());
  }
  EXPECT_GE(max_syscall_number(Arch::kX86_64), 469);  // file_setattr, Linux 6.17
  for (int n = 424; n <= max_syscall_number(Arch::kX86_64); ++n)
    EXPECT_TRUE(syscall_name(Arch::kX86_64, n).has_value()) << n;
}

}  // namespace
}  // namespace seccheck
