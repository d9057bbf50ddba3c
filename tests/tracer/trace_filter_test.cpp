// The tracer's filters, checked by the kernel: a child loads them with no tracer attached, so
// SECCOMP_RET_TRACE makes the call fail with ENOSYS (seccomp(2)) while allowed calls run.
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "analysis/catalog.h"
#include "analysis/compile.h"
#include "analysis/resolve.h"
#include "bpf/interpreter.h"
#include "core/syscall_table.h"
#include "tests/support/seccomp_child.h"
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

// Classic BPF as the kernel runs a seccomp program over seccomp_data.
std::uint32_t run_classic_bpf(const std::vector<sock_filter>& code, const seccomp_data& data) {
  Result<std::uint32_t> verdict = bpf::run_program(code, data);
  if (!verdict) ADD_FAILURE() << verdict.error().message;
  return verdict ? *verdict : 0;
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
  auto program = build_number_filter({{Arch::kX86_64, 457}, {Arch::kX32, 457}, {Arch::kI386, 457}}, 7);
  ASSERT_TRUE(program.ok()) << program.error().message;
  // ld arch, 2 arch jumps, allow; per section: ld nr, one jeq per number, allow, trace.
  EXPECT_EQ(program->instructions.size(), 4u + (1 + 2 + 2) + (1 + 1 + 2));
  EXPECT_EQ(program->instructions.back().k, SECCOMP_RET_TRACE | 7u);
}

// Over 300 numbers on each ABI. The filter used to stop each section at 250 numbers (the rest
// went untraced) while its jump to the i386 section counted all of them, in 8 bits.
bool in_long_list(Arch arch, std::uint32_t nr) {
  switch (arch) {
    case Arch::kX86_64: return nr >= 1000 && nr < 1000 + 2 * 320 && nr % 2 == 0;
    case Arch::kX32: return nr >= 1001 && nr < 1001 + 2 * 310 && nr % 2 == 1;
    case Arch::kI386: return nr >= 2000 && nr < 2000 + 3 * 330 && (nr - 2000) % 3 == 0;
    default: return false;
  }
}

std::vector<std::pair<Arch, int>> long_list() {
  std::vector<std::pair<Arch, int>> calls;
  for (Arch arch : kX86Arches)
    for (std::uint32_t nr = 0; nr < 4000; ++nr)
      if (in_long_list(arch, nr)) calls.emplace_back(arch, static_cast<int>(nr));
  return calls;
}

TEST(TraceFilter, NumberFilterTracesEveryNumberOfALongList) {
  auto program = build_number_filter(long_list(), 9);
  ASSERT_TRUE(program.ok()) << program.error().message;
  EXPECT_GT(program->instructions.size(), 960u);
  std::size_t traced = 0;
  for (Arch arch : kX86Arches) {
    for (std::uint32_t nr = 0; nr < 4000; ++nr) {
      seccomp_data data{};
      data.arch = arch == Arch::kI386 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64;
      data.nr = static_cast<int>(arch == Arch::kX32 ? nr | kX32SyscallBit : nr);
      const std::uint32_t expected = in_long_list(arch, nr) ? SECCOMP_RET_TRACE | 9u : SECCOMP_RET_ALLOW;
      traced += expected != SECCOMP_RET_ALLOW;
      ASSERT_EQ(run_classic_bpf(program->instructions, data), expected) << arch_name(arch) << " " << nr;
    }
  }
  EXPECT_EQ(traced, 320u + 310u + 330u);
  seccomp_data foreign{};
  foreign.arch = AUDIT_ARCH_AARCH64;
  foreign.nr = 1000;
  EXPECT_EQ(run_classic_bpf(program->instructions, foreign), SECCOMP_RET_ALLOW);
}

TEST(TraceFilter, KernelRunsTheLongNumberFilterAsTheInterpreterDoes) {
  if (!seccomp_filters_available()) GTEST_SKIP() << "seccomp filters unavailable on this kernel";
  auto program = build_number_filter(long_list(), 9);
  ASSERT_TRUE(program.ok()) << program.error().message;
  // Without a tracer the filter's TRACE and the backstop's look alike (ENOSYS), so here the
  // listed calls answer ERRNO(77) instead: the jumps are what is under test. The numbers are
  // unassigned on x86_64, and the backstop keeps every call from running anyway.
  BpfProgram errno_instead = *program;
  for (sock_filter& insn : errno_instead.instructions)
    if (insn.code == (BPF_RET | BPF_K) && insn.k == (SECCOMP_RET_TRACE | 9u))
      insn.k = SECCOMP_RET_ERRNO | 77u;
  std::vector<seccheck::testing::KernelCall> calls;
  for (Arch arch : {Arch::kX86_64, Arch::kX32})
    for (int nr = 990; nr < 1700; ++nr)
      calls.push_back({arch, nr, {}});
  const std::vector<seccheck::testing::Observation> seen =
      seccheck::testing::run_batch_under_filter(errno_instead, true, calls);
  std::size_t denied = 0, mismatches = 0;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    seccomp_data data{};
    data.arch = AUDIT_ARCH_X86_64;
    data.nr = calls[i].arch == Arch::kX32 ? calls[i].nr | static_cast<int>(kX32SyscallBit) : calls[i].nr;
    const bool listed = run_classic_bpf(errno_instead.instructions, data) == (SECCOMP_RET_ERRNO | 77u);
    EXPECT_EQ(listed, in_long_list(calls[i].arch, static_cast<std::uint32_t>(calls[i].nr)));
    seccheck::testing::Observation expected;
    expected.ret = -1;
    expected.err = listed ? 77 : ENOSYS;
    denied += listed;
    if (!seccheck::testing::same_observation(expected, seen[i]) && ++mismatches <= 5)
      ADD_FAILURE() << arch_name(calls[i].arch) << " " << calls[i].nr << ": kernel " << seen[i].describe()
                    << ", interpreter " << expected.describe();
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(denied, 320u + 310u);
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

// ---- combine_stacked: one program that the kernel answers like the stack it replaces ----

// The kernel's choice over a stack: newest filter first, a strictly more severe action wins,
// so among equal actions the newest filter's data stays.
std::uint32_t stacked_verdict(const std::vector<BpfProgram>& load_order, const seccomp_data& data) {
  std::uint32_t verdict = SECCOMP_RET_ALLOW;
  for (auto program = load_order.rbegin(); program != load_order.rend(); ++program) {
    const std::uint32_t current = run_classic_bpf(program->instructions, data);
    if (static_cast<std::int32_t>(current & SECCOMP_RET_ACTION_FULL) <
        static_cast<std::int32_t>(verdict & SECCOMP_RET_ACTION_FULL))
      verdict = current;
  }
  return verdict;
}

std::vector<seccomp_data> probe_calls() {
  const std::vector<std::array<std::uint64_t, 6>> arguments = {
      {0, 0, 0, 0, 0, 0},
      {~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull},
      {0x10000000, 0, 0, 0, 0, 0},  // CLONE_NEWUSER
      {0x00800000, 0, 0, 0, 0, 0},  // CLONE_UNTRACED
      {0x7e020000, 1, 0, 0, 0, 0},  // every namespace flag
      {22, 2, 0, 0, 0, 0},          // PR_SET_SECCOMP
      {40, 1, 0, 0, 0, 0},          // AF_VSOCK, SOCK_STREAM
      {0xffffffff, 0, 0, 0, 0, 0},  // personality(query)
      {0x0008, 0, 0, 0, 0, 0},      // PER_LINUX32
      {0x100000000ull, 0x8000000000000000ull, 3, 4, 5, 6},
  };
  std::vector<seccomp_data> calls;
  auto add = [&](std::uint32_t arch, std::uint32_t nr) {
    for (const auto& args : arguments) {
      seccomp_data data{};
      data.nr = static_cast<int>(nr);
      data.arch = arch;
      data.instruction_pointer = 0x401000;
      std::copy(args.begin(), args.end(), data.args);
      calls.push_back(data);
    }
  };
  for (std::uint32_t nr = 0; nr < 560; ++nr) {
    add(AUDIT_ARCH_X86_64, nr);
    add(AUDIT_ARCH_X86_64, nr | kX32SyscallBit);
    add(AUDIT_ARCH_I386, nr);
  }
  add(AUDIT_ARCH_X86_64, 0xffffffff);
  add(AUDIT_ARCH_AARCH64, 56);
  return calls;
}

void expect_same_verdicts(const std::vector<BpfProgram>& load_order,
                          const std::vector<BpfProgram>& combined) {
  for (const BpfProgram& program : combined)
    EXPECT_LE(program.instructions.size(), static_cast<std::size_t>(BPF_MAXINSNS)) << program.description;
  std::size_t differences = 0;
  for (const seccomp_data& data : probe_calls()) {
    const std::uint32_t expected = stacked_verdict(load_order, data);
    const std::uint32_t actual = stacked_verdict(combined, data);
    if (expected != actual && ++differences <= 5)
      ADD_FAILURE() << "arch 0x" << std::hex << data.arch << " nr 0x" << data.nr << " arg0 0x" << data.args[0]
                    << ": stack 0x" << expected << ", combined 0x" << actual;
  }
  EXPECT_EQ(differences, 0u);
}

std::vector<BpfProgram> concat(std::vector<BpfProgram> a, const std::vector<BpfProgram>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The stack `check` loads: the notice filter under the three RuntimeDefault profiles.
std::vector<BpfProgram> runtime_default_stack() {
  std::vector<BpfProgram> stack = *build_notice_filter();
  auto profiles = analysis::catalog_profiles("runtime-default");
  EXPECT_TRUE(profiles);
  std::uint16_t tag = 0;
  for (const analysis::Profile& profile : *profiles) {
    auto program = analysis::compile(analysis::resolve(profile, analysis::Context{}),
                                     analysis::CompileMode::kBlockingToTrace, tag++);
    EXPECT_TRUE(program) << profile.name;
    stack.push_back(*program);
  }
  return stack;
}

// Every call the stack's programs all let the cache answer, the combined programs must too:
// otherwise each such call would run the whole filter (getppid under check went 1.2x slower).
void expect_same_cached_calls(const std::vector<BpfProgram>& load_order,
                              const std::vector<BpfProgram>& combined) {
  std::size_t cached = 0;
  for (std::uint32_t arch : {std::uint32_t{AUDIT_ARCH_X86_64}, std::uint32_t{AUDIT_ARCH_I386}}) {
    for (std::uint32_t nr = 0; nr < 470; ++nr) {
      auto all_cached = [&](const std::vector<BpfProgram>& programs) {
        return std::all_of(programs.begin(), programs.end(), [&](const BpfProgram& program) {
          return bpf::kernel_caches_as_allowed(program.instructions, arch, nr);
        });
      };
      const bool expected = all_cached(load_order);
      cached += expected;
      EXPECT_EQ(all_cached(combined), expected) << "arch 0x" << std::hex << arch << std::dec << " nr " << nr;
    }
  }
  EXPECT_GT(cached, 400u) << "most calls should be cached as allowed";
}

TEST(CombineStacked, CheckStackBecomesOneProgramWithTheSameVerdicts) {
  const std::vector<BpfProgram> stack = runtime_default_stack();
  ASSERT_EQ(stack.size(), 4u);
  const std::vector<BpfProgram> combined = combine_stacked(stack);
  ASSERT_EQ(combined.size(), 1u);
  expect_same_verdicts(stack, combined);
  expect_same_cached_calls(stack, combined);
  if (!seccomp_filters_available()) GTEST_SKIP() << "seccomp filters unavailable on this kernel";
  EXPECT_EQ(run_filtered(combined, [] { return 0; }), 0) << "the kernel refused the combined program";
}

TEST(CombineStacked, TraceSetStackBecomesOneProgramWithTheSameVerdicts) {
  // statmount is newer than libseccomp 2.5.4: the set comes with a by-number program.
  const std::vector<BpfProgram> stack =
      concat(*build_notice_filter(), *build_trace_set_filter({"acct", "clone", "statmount", "seccomp"}, 7));
  ASSERT_EQ(stack.size(), 3u);
  const std::vector<BpfProgram> combined = combine_stacked(stack);
  ASSERT_EQ(combined.size(), 1u);
  expect_same_verdicts(stack, combined);
  expect_same_cached_calls(stack, combined);
  expect_same_verdicts(concat(*build_notice_filter(), *build_trace_all_filter(3)),
                       combine_stacked(concat(*build_notice_filter(), *build_trace_all_filter(3))));
}

TEST(CombineStacked, OtherActionsAndTheSizeLimitKeepSeparatePrograms) {
  // An ERRNO program cannot be folded (its severity would rank against TRACE): it stays, and
  // the programs on either side of it combine only with their own neighbours.
  BpfProgram errno_for_getpid;
  errno_for_getpid.instructions = {
      {BPF_LD | BPF_W | BPF_ABS, 0, 0, static_cast<std::uint32_t>(offsetof(seccomp_data, nr))},
      {BPF_JMP | BPF_JEQ | BPF_K, 0, 1, static_cast<std::uint32_t>(SYS_getpid)},
      {BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | 1},
      {BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW}};
  const std::vector<BpfProgram> stack = concat(concat(*build_notice_filter(), {errno_for_getpid}),
                                               *build_trace_set_filter({"getpid", "acct"}, 1));
  const std::vector<BpfProgram> combined = combine_stacked(stack);
  EXPECT_EQ(combined.size(), 3u);
  expect_same_verdicts(stack, combined);

  // Five RuntimeDefault programs do not fit in one BPF_MAXINSNS program.
  std::vector<BpfProgram> large = runtime_default_stack();
  large = concat(large, {large[1], large[2]});
  const std::vector<BpfProgram> split = combine_stacked(large);
  EXPECT_GT(split.size(), 1u);
  EXPECT_LT(split.size(), large.size());
  expect_same_verdicts(large, split);
}

}  // namespace
}  // namespace seccheck::tracer
