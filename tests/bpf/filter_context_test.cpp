// The libseccomp wrapper: what libseccomp refuses comes back as an error naming it, and an
// exported program does what its rules say, in the interpreter and in the kernel.
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "bpf/filter_context.h"
#include "bpf/interpreter.h"
#include "tests/support/seccomp_child.h"

namespace seccheck::bpf {
namespace {

std::uint32_t verdict(const std::vector<sock_filter>& code, std::uint32_t arch, std::uint32_t nr,
                      std::uint64_t arg0) {
  seccomp_data data{};
  data.arch = arch;
  data.nr = static_cast<int>(nr);
  data.args[0] = arg0;
  Result<std::uint32_t> value = run_program(code, data);
  if (!value) ADD_FAILURE() << value.error().message;
  return value ? *value : 0xdeadbeef;
}

// ERRNO(5) for getpid(7, ...) on every ABI, ERRNO(9) for a foreign arch, ALLOW otherwise.
Result<FilterContext> getpid_filter() {
  auto ctx = FilterContext::create(SCMP_ACT_ALLOW);
  if (!ctx) return ctx.error();
  for (const Result<void>& step :
       {ctx->set_no_new_privs(false), ctx->set_bad_arch_action(SCMP_ACT_ERRNO(9)), ctx->add_arch(Arch::kI386),
        ctx->add_arch(Arch::kX32), ctx->add_arch(Arch::kX32)})
    if (!step) return step.error();
  const ArgCompare seven[] = {SCMP_A0(SCMP_CMP_EQ, 7, 0)};
  if (auto added = ctx->add_rule(SCMP_ACT_ERRNO(5), SCMP_SYS(getpid), seven, "getpid"); !added)
    return added.error();
  return ctx;
}

TEST(FilterContext, ExportedProgramDoesWhatTheRulesSay) {
  auto ctx = getpid_filter();
  ASSERT_TRUE(ctx.ok()) << ctx.error().message;
  auto program = ctx->export_program("getpid(7) denied");
  ASSERT_TRUE(program.ok()) << program.error().message;
  EXPECT_EQ(program->description, "getpid(7) denied");
  EXPECT_TRUE(check_program(program->instructions).ok());
  const std::vector<sock_filter>& code = program->instructions;
  EXPECT_EQ(verdict(code, AUDIT_ARCH_X86_64, 39, 7), SECCOMP_RET_ERRNO | 5);
  EXPECT_EQ(verdict(code, AUDIT_ARCH_X86_64, 39, 8), SECCOMP_RET_ALLOW);
  EXPECT_EQ(verdict(code, AUDIT_ARCH_X86_64, 110, 7), SECCOMP_RET_ALLOW);
  EXPECT_EQ(verdict(code, AUDIT_ARCH_X86_64, 39 | kX32SyscallBit, 7), SECCOMP_RET_ERRNO | 5);
  EXPECT_EQ(verdict(code, AUDIT_ARCH_I386, 20, 7), SECCOMP_RET_ERRNO | 5);
  EXPECT_EQ(verdict(code, AUDIT_ARCH_AARCH64, 172, 7), SECCOMP_RET_ERRNO | 9);

  if (!seccheck::testing::kernel_filters_work()) GTEST_SKIP() << "seccomp filters cannot be loaded here";
  const std::vector<seccheck::testing::Observation> seen = seccheck::testing::run_batch_under_filter(
      *program, true,
      {{Arch::kX86_64, SYS_getpid, {7}}, {Arch::kX86_64, SYS_getpid, {8}}, {Arch::kX32, 39, {7}}});
  EXPECT_EQ(seen[0].err, 5) << seen[0].describe();
  EXPECT_EQ(seen[1].err, ENOSYS) << seen[1].describe();
  EXPECT_EQ(seen[2].err, 5) << seen[2].describe();
}

TEST(FilterContext, MergedContextsKeepEachOnesRules) {
  auto native = FilterContext::create(SCMP_ACT_ALLOW);
  auto i386 = FilterContext::create(SCMP_ACT_ALLOW);
  ASSERT_TRUE(native.ok() && i386.ok());
  ASSERT_TRUE(i386->add_arch(Arch::kI386).ok());
  ASSERT_TRUE(i386->remove_native_arch().ok());
  // The numbers are each arch's own: x86_64 getppid 110, and i386's getppid 64 given as the
  // native number of its name (libseccomp translates by name).
  ASSERT_TRUE(native->add_rule(SCMP_ACT_ERRNO(1), 110, {}, "getppid").ok());
  ASSERT_TRUE(i386->add_rule(SCMP_ACT_ERRNO(2), SCMP_SYS(getppid), {}, "getppid on i386").ok());
  ASSERT_TRUE(native->merge(std::move(*i386)).ok());
  auto code = native->export_bpf();
  ASSERT_TRUE(code.ok()) << code.error().message;
  EXPECT_EQ(verdict(*code, AUDIT_ARCH_X86_64, 110, 0), SECCOMP_RET_ERRNO | 1);
  EXPECT_EQ(verdict(*code, AUDIT_ARCH_I386, 64, 0), SECCOMP_RET_ERRNO | 2);
}

TEST(FilterContext, RuleWithTheDefaultActionChangesNothing) {
  auto with = FilterContext::create(SCMP_ACT_ALLOW);
  auto without = FilterContext::create(SCMP_ACT_ALLOW);
  ASSERT_TRUE(with.ok() && without.ok());
  EXPECT_TRUE(with->add_rule(SCMP_ACT_ALLOW, SCMP_SYS(getpid), {}, "getpid").ok());
  auto a = with->export_bpf();
  auto b = without->export_bpf();
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), b->size());
  for (std::size_t i = 0; i < a->size(); ++i)
    EXPECT_TRUE((*a)[i].code == (*b)[i].code && (*a)[i].k == (*b)[i].k) << i;
}

TEST(FilterContext, RefusalsAreErrorsNamingWhatFailed) {
  EXPECT_FALSE(FilterContext::create(0x00060000).ok()) << "not an action";
  auto ctx = FilterContext::create(SCMP_ACT_ALLOW);
  ASSERT_TRUE(ctx.ok());

  const ArgCompare past_the_sixth[] = {{7, SCMP_CMP_EQ, 1, 0}};
  Result<void> rule =
      ctx->add_rule(SCMP_ACT_ERRNO(1), SCMP_SYS(getpid), past_the_sixth, "syscalls[3] for getpid");
  ASSERT_FALSE(rule.ok());
  EXPECT_EQ(rule.error().message,
            "libseccomp refused syscalls[3] for getpid: " + std::string(std::strerror(EINVAL)));

  Result<void> bad_arch = ctx->set_bad_arch_action(0x00060000);
  ASSERT_FALSE(bad_arch.ok());
  EXPECT_EQ(bad_arch.error().message.rfind("libseccomp cannot set the bad-arch action: ", 0), 0u)
      << bad_arch.error().message;

  // Two contexts for the same arch cannot be merged; the second is released either way.
  auto same_arch = FilterContext::create(SCMP_ACT_ALLOW);
  ASSERT_TRUE(same_arch.ok());
  Result<void> merged = ctx->merge(std::move(*same_arch));
  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.error().message.rfind("libseccomp cannot merge the filters: ", 0), 0u)
      << merged.error().message;
  auto still_exports = ctx->export_bpf();
  EXPECT_TRUE(still_exports.ok());
}

TEST(FilterContext, NamesAndVersion) {
  EXPECT_EQ(resolve_name("getpid"), 39);
  EXPECT_EQ(resolve_name("no_such_call"), std::nullopt);
  const scmp_version* version = seccomp_version();
  EXPECT_EQ(library_version(), std::to_string(version->major) + "." + std::to_string(version->minor) + "." +
                                   std::to_string(version->micro));
}

}  // namespace
}  // namespace seccheck::bpf
