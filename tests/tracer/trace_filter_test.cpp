// The tracer's filters, checked by the kernel: a child loads them with no tracer attached, so
// SECCOMP_RET_TRACE makes the call fail with ENOSYS (seccomp(2)) while allowed calls run.
#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "core/syscall_table.h"
#include "tracer/trace_filter.h"
#include "tracer/tracer.h"

namespace seccheck::tracer {
namespace {

// Runs `body` in a child after loading `programs`; returns the child's exit code.
template <typename Body> int run_filtered(const std::vector<BpfProgram>& programs, Body body) {
  pid_t child = fork();
  if (child == 0) {
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    for (const BpfProgram& program : programs) {
      sock_fprog prog{static_cast<unsigned short>(program.instructions.size()),
                      const_cast<sock_filter*>(program.instructions.data())};
      if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) _exit(100);
    }
    _exit(body());
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

bool fails_enosys(long nr, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0) {
  errno = 0;
  long r = syscall(nr, a0, a1, a2, a3, a4, 0);
  return r == -1 && errno == ENOSYS;
}

TEST(TraceFilter, SetFilterTracesOnlyTheNamedCallsOnEveryArch) {
  if (!seccomp_filters_available()) GTEST_SKIP() << "seccomp filters unavailable on this kernel";
  // cachestat (451) and statmount (457) are newer than libseccomp 2.5.4 knows: matched by number.
  auto programs = build_trace_set_filter({"getppid", "cachestat", "statmount"});
  ASSERT_TRUE(programs.ok()) << programs.error().message;
  EXPECT_EQ(programs->size(), 2u) << "libseccomp program plus the by-number supplement";
  int code = run_filtered(*programs, [] {
    if (!fails_enosys(SYS_getppid)) return 1;
    if (fails_enosys(SYS_getpid)) return 2;
    if (!fails_enosys(451, -1)) return 3;  // cachestat(-1, ...) would be EBADF if it ran
    if (!fails_enosys(457)) return 4;
    if (fails_enosys(SYS_close, -1)) return 5;  // EBADF: ran
    return 0;
  });
  EXPECT_EQ(code, 0);
}

TEST(TraceFilter, TraceAllStopsEverything) {
  if (!seccomp_filters_available()) GTEST_SKIP() << "seccomp filters unavailable on this kernel";
#if defined(__SANITIZE_ADDRESS__)
  // Every call fails with ENOSYS in the filtered child, and the sanitizer runtime spins retrying
  // its own calls there (seen: the child never exits). The unsanitized build runs this test.
  GTEST_SKIP() << "under AddressSanitizer the runtime spins when every syscall fails";
#endif
  auto programs = build_trace_all_filter();
  ASSERT_TRUE(programs.ok()) << programs.error().message;
  // exit_group is traced too: it fails with ENOSYS, and the child must leave by a signal.
  // The child cannot even exit (exit_group stops too), so it reports by how it crashes.
  int code = run_filtered(*programs, [] {
    static volatile std::uintptr_t bad_address = 0x10;
    if (!fails_enosys(SYS_getpid)) __builtin_trap();    // SIGILL: getpid ran
    *reinterpret_cast<volatile int*>(bad_address) = 0;  // SIGSEGV: getpid was traced
    return 9;
  });
  EXPECT_EQ(code, 200 + SIGSEGV);
}

TEST(TraceFilter, UnknownNameIsAnError) {
  auto programs = build_trace_set_filter({"getppid", "no_such_call"});
  ASSERT_FALSE(programs.ok());
  EXPECT_NE(programs.error().message.find("no_such_call"), std::string::npos);
}

TEST(TraceFilter, NumberFilterLayout) {
  BpfProgram program = build_number_filter({{Arch::kX86_64, 457}, {Arch::kX32, 457}, {Arch::kI386, 457}}, 7);
  // ld arch, 2 arch jumps, allow; per section: ld nr, one jeq per number, allow, trace.
  EXPECT_EQ(program.instructions.size(), 4u + (1 + 2 + 2) + (1 + 1 + 2));
  EXPECT_EQ(program.instructions.back().k, SECCOMP_RET_TRACE | 7u);
}

TEST(TraceFilter, NoticeFilterCarriesTheReservedTag) {
  if (!seccomp_filters_available()) GTEST_SKIP() << "seccomp filters unavailable on this kernel";
  auto programs = build_notice_filter();
  ASSERT_TRUE(programs.ok()) << programs.error().message;
  // Without a tracer a TRACE answer fails the call with ENOSYS: only the calls that can hide
  // others from the tracer get it, ordinary prctl and clone calls run untouched.
  int code = run_filtered(*programs, [] {
    if (!fails_enosys(SYS_prctl, PR_SET_SECCOMP, 99)) return 1;
    if (fails_enosys(SYS_prctl, PR_GET_DUMPABLE)) return 2;
    if (fails_enosys(SYS_getpid)) return 3;
    if (!fails_enosys(SYS_clone, 0x00800000 | 0x10000000 | 0x200, 0, 0, 0, 0)) return 4;  // CLONE_UNTRACED
    if (fails_enosys(SYS_clone, 0x10000000 | 0x200, 0, 0, 0, 0)) return 5;  // invalid: EINVAL, not ENOSYS
    if (!fails_enosys(SYS_clone3, 0, 0)) return 6;
    return 0;
  });
  EXPECT_EQ(code, 0);
}

}  // namespace
}  // namespace seccheck::tracer
