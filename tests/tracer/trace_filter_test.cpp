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

// ---- combine_stacked: one program that the kernel answers like the stack it replaces ----

// Classic BPF as the kernel runs a seccomp program over seccomp_data.
std::uint32_t run_classic_bpf(const std::vector<sock_filter>& code, const seccomp_data& data) {
  std::uint32_t a = 0, x = 0, memory[BPF_MEMWORDS] = {};
  const auto* bytes = reinterpret_cast<const unsigned char*>(&data);
  for (std::size_t pc = 0; pc < code.size(); ++pc) {
    const sock_filter& insn = code[pc];
    const std::uint32_t operand = BPF_SRC(insn.code) == BPF_X ? x : insn.k;
    switch (BPF_CLASS(insn.code)) {
      case BPF_LD:
      case BPF_LDX: {
        std::uint32_t value = 0;
        switch (BPF_MODE(insn.code)) {
          case BPF_ABS:
            if (insn.k + 4 > sizeof data || insn.k % 4 != 0) ADD_FAILURE() << "bad load offset " << insn.k;
            std::memcpy(&value, bytes + insn.k, 4);
            break;
          case BPF_IMM: value = insn.k; break;
          case BPF_MEM: value = memory[insn.k % BPF_MEMWORDS]; break;
          case BPF_LEN: value = sizeof data; break;
          default: ADD_FAILURE() << "load mode " << insn.code; return 0;
        }
        (BPF_CLASS(insn.code) == BPF_LD ? a : x) = value;
        break;
      }
      case BPF_ST: memory[insn.k % BPF_MEMWORDS] = a; break;
      case BPF_STX: memory[insn.k % BPF_MEMWORDS] = x; break;
      case BPF_ALU:
        switch (BPF_OP(insn.code)) {
          case BPF_ADD: a += operand; break;
          case BPF_SUB: a -= operand; break;
          case BPF_MUL: a *= operand; break;
          case BPF_DIV:
            if (operand == 0) return 0;
            a /= operand;
            break;
          case BPF_MOD:
            if (operand == 0) return 0;
            a %= operand;
            break;
          case BPF_OR: a |= operand; break;
          case BPF_AND: a &= operand; break;
          case BPF_XOR: a ^= operand; break;
          case BPF_LSH: a <<= operand & 31; break;
          case BPF_RSH: a >>= operand & 31; break;
          case BPF_NEG: a = 0 - a; break;
          default: ADD_FAILURE() << "alu op " << insn.code; return 0;
        }
        break;
      case BPF_JMP:
        switch (BPF_OP(insn.code)) {
          case BPF_JA: pc += insn.k; break;
          case BPF_JEQ: pc += a == operand ? insn.jt : insn.jf; break;
          case BPF_JGT: pc += a > operand ? insn.jt : insn.jf; break;
          case BPF_JGE: pc += a >= operand ? insn.jt : insn.jf; break;
          case BPF_JSET: pc += (a & operand) != 0 ? insn.jt : insn.jf; break;
          default: ADD_FAILURE() << "jump op " << insn.code; return 0;
        }
        break;
      case BPF_RET: return BPF_RVAL(insn.code) == BPF_A ? a : insn.k;
      case BPF_MISC:
        if (BPF_MISCOP(insn.code) == BPF_TAX)
          x = a;
        else
          a = x;
        break;
    }
  }
  ADD_FAILURE() << "fell off the end of the program";
  return 0;
}

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

// The kernel's seccomp action cache (seccomp_is_const_allow): at load it walks the program for
// each native and compat call number with only nr and arch known, and marks the calls that reach
// RET ALLOW without looking at anything else; those never run the filter again. Any other
// instruction (an argument load, LD IMM, ...) gives up.
bool kernel_caches_as_allowed(const std::vector<sock_filter>& code, std::uint32_t arch, std::uint32_t nr) {
  std::uint32_t value = 0;
  for (std::size_t pc = 0; pc < code.size(); ++pc) {
    const sock_filter& insn = code[pc];
    switch (insn.code) {
      case BPF_LD | BPF_W | BPF_ABS:
        if (insn.k == offsetof(seccomp_data, nr))
          value = nr;
        else if (insn.k == offsetof(seccomp_data, arch))
          value = arch;
        else
          return false;
        break;
      case BPF_RET | BPF_K: return insn.k == SECCOMP_RET_ALLOW;
      case BPF_JMP | BPF_JA: pc += insn.k; break;
      case BPF_JMP | BPF_JEQ | BPF_K: pc += value == insn.k ? insn.jt : insn.jf; break;
      case BPF_JMP | BPF_JGE | BPF_K: pc += value >= insn.k ? insn.jt : insn.jf; break;
      case BPF_JMP | BPF_JGT | BPF_K: pc += value > insn.k ? insn.jt : insn.jf; break;
      case BPF_JMP | BPF_JSET | BPF_K: pc += (value & insn.k) != 0 ? insn.jt : insn.jf; break;
      case BPF_ALU | BPF_AND | BPF_K: value &= insn.k; break;
      default: return false;
    }
  }
  return false;
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
          return kernel_caches_as_allowed(program.instructions, arch, nr);
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
