// The classic-BPF interpreter: instruction by instruction on known data, its load checks against
// the kernel's (every program loaded in a child with seccomp(2)), and its answers against the
// kernel's for a corpus of programs and calls. The kernel's answer is seen through what the call
// returns (ERRNO data up to 4095), a SIGSYS kill or a SIGSYS trap, with the backstop of
// tests/support/seccomp_child.h turning every call the program lets through into ENOSYS.
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bpf/interpreter.h"
#include "bpf/program_builder.h"
#include "tests/support/seccomp_child.h"

namespace seccheck::bpf {
namespace {

using seccheck::testing::KernelCall;
using seccheck::testing::Observation;

constexpr std::uint32_t kArg0Low = offsetof(seccomp_data, args[0]);
constexpr std::uint32_t kArg1Low = offsetof(seccomp_data, args[1]);

seccomp_data sample_data() {
  seccomp_data data{};
  data.nr = 0x12;
  data.arch = AUDIT_ARCH_X86_64;
  data.instruction_pointer = 0x1122334455667788ull;
  data.args[0] = 0xaabbccdd00112233ull;
  data.args[1] = 5;
  data.args[5] = 0xffffffff00000001ull;
  return data;
}

std::vector<sock_filter> with_ret_a(std::vector<sock_filter> body) {
  body.push_back({BPF_RET | BPF_A, 0, 0, 0});
  return body;
}

struct Case {
  const char* name;
  std::vector<sock_filter> code;
  std::uint32_t expected;
};

TEST(Interpreter, EachInstructionOnKnownData) {
  const std::uint32_t ld = BPF_LD | BPF_W | BPF_ABS;
  auto alu = [](std::uint16_t op, std::uint32_t a, std::uint32_t k) {
    return with_ret_a(
        {{BPF_LD | BPF_IMM, 0, 0, a}, {static_cast<std::uint16_t>(BPF_ALU | op | BPF_K), 0, 0, k}});
  };
  auto alu_x = [](std::uint16_t op, std::uint32_t a, std::uint32_t x) {
    return with_ret_a({{BPF_LDX | BPF_IMM, 0, 0, x},
                       {BPF_LD | BPF_IMM, 0, 0, a},
                       {static_cast<std::uint16_t>(BPF_ALU | op | BPF_X), 0, 0, 0}});
  };
  auto jump = [](std::uint16_t op, std::uint32_t a, std::uint32_t k) {
    return std::vector<sock_filter>{{BPF_LD | BPF_IMM, 0, 0, a},
                                    {static_cast<std::uint16_t>(BPF_JMP | op | BPF_K), 1, 0, k},
                                    {BPF_RET | BPF_K, 0, 0, 0},
                                    {BPF_RET | BPF_K, 0, 0, 1}};
  };
  const Case cases[] = {
      {"nr", with_ret_a({{ld, 0, 0, 0}}), 0x12},
      {"arch", with_ret_a({{ld, 0, 0, 4}}), AUDIT_ARCH_X86_64},
      {"ip low word", with_ret_a({{ld, 0, 0, 8}}), 0x55667788},
      {"ip high word", with_ret_a({{ld, 0, 0, 12}}), 0x11223344},
      {"args[0] low word", with_ret_a({{ld, 0, 0, kArg0Low}}), 0x00112233},
      {"args[0] high word", with_ret_a({{ld, 0, 0, kArg0Low + 4}}), 0xaabbccdd},
      {"args[5] high word, the last", with_ret_a({{ld, 0, 0, 60}}), 0xffffffff},
      {"len", with_ret_a({{BPF_LD | BPF_W | BPF_LEN, 0, 0, 0}}), 64},
      {"ldx len, txa", with_ret_a({{BPF_LDX | BPF_W | BPF_LEN, 0, 0, 0}, {BPF_MISC | BPF_TXA, 0, 0, 0}}), 64},
      {"imm, tax, imm, txa",
       with_ret_a({{BPF_LD | BPF_IMM, 0, 0, 7},
                   {BPF_MISC | BPF_TAX, 0, 0, 0},
                   {BPF_LD | BPF_IMM, 0, 0, 9},
                   {BPF_MISC | BPF_TXA, 0, 0, 0}}),
       7},
      {"add wraps", alu(BPF_ADD, 0xffffffff, 2), 1},
      {"sub wraps", alu(BPF_SUB, 1, 2), 0xffffffff},
      {"mul keeps 32 bits", alu(BPF_MUL, 0x10000, 0x10001), 0x10000},
      {"div", alu(BPF_DIV, 100, 7), 14},
      {"and", alu(BPF_AND, 0xf0f0, 0xff00), 0xf000},
      {"or", alu(BPF_OR, 0xf0f0, 0x0f00), 0xfff0},
      {"xor", alu(BPF_XOR, 0xf0f0, 0xff00), 0x0ff0},
      {"lsh", alu(BPF_LSH, 0x80000001, 1), 2},
      {"rsh", alu(BPF_RSH, 0x80000000, 31), 1},
      {"neg", with_ret_a({{BPF_LD | BPF_IMM, 0, 0, 1}, {BPF_ALU | BPF_NEG, 0, 0, 0}}), 0xffffffff},
      {"div by X", alu_x(BPF_DIV, 100, 9), 11},
      {"div by an X of 0 ends the program with 0", alu_x(BPF_DIV, 100, 0), 0},
      {"lsh by X uses its low five bits", alu_x(BPF_LSH, 1, 33), 2},
      {"rsh by X uses its low five bits", alu_x(BPF_RSH, 0x80000000, 63), 1},
      {"sub X", alu_x(BPF_SUB, 10, 3), 7},
      {"st and ld mem",
       with_ret_a({{BPF_LD | BPF_IMM, 0, 0, 42},
                   {BPF_ST, 0, 0, 15},
                   {BPF_LD | BPF_IMM, 0, 0, 0},
                   {BPF_LD | BPF_MEM, 0, 0, 15}}),
       42},
      {"stx and ldx mem",
       with_ret_a({{BPF_LDX | BPF_IMM, 0, 0, 43},
                   {BPF_STX, 0, 0, 0},
                   {BPF_LDX | BPF_IMM, 0, 0, 0},
                   {BPF_LDX | BPF_MEM, 0, 0, 0},
                   {BPF_MISC | BPF_TXA, 0, 0, 0}}),
       43},
      {"jeq taken", jump(BPF_JEQ, 5, 5), 1},
      {"jeq not taken", jump(BPF_JEQ, 5, 6), 0},
      {"jgt is unsigned", jump(BPF_JGT, 0x80000000, 1), 1},
      {"jgt equal", jump(BPF_JGT, 5, 5), 0},
      {"jge equal", jump(BPF_JGE, 5, 5), 1},
      {"jset", jump(BPF_JSET, 6, 2), 1},
      {"jset none", jump(BPF_JSET, 6, 1), 0},
      {"ja", {{BPF_JMP | BPF_JA, 0, 0, 1}, {BPF_RET | BPF_K, 0, 0, 0}, {BPF_RET | BPF_K, 0, 0, 9}}, 9},
      {"jeq x",
       {{BPF_LDX | BPF_IMM, 0, 0, 3},
        {BPF_LD | BPF_IMM, 0, 0, 3},
        {BPF_JMP | BPF_JEQ | BPF_X, 0, 1, 0},
        {BPF_RET | BPF_K, 0, 0, 1},
        {BPF_RET | BPF_K, 0, 0, 0}},
       1},
      {"ret k", {{BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | 5}}, SECCOMP_RET_ERRNO | 5},
  };
  const seccomp_data data = sample_data();
  for (const Case& c : cases) {
    Result<std::uint32_t> value = run_program(c.code, data);
    ASSERT_TRUE(value.ok()) << c.name << ": " << value.error().message;
    EXPECT_EQ(*value, c.expected) << c.name;
  }
}

// Programs the kernel refuses to load (and one it loads), with what the interpreter must say.
struct LoadCase {
  const char* name;
  std::vector<sock_filter> code;
  const char* error;  // nullptr: loads
};

std::vector<LoadCase> load_cases() {
  const sock_filter ret_allow{BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW};
  std::vector<sock_filter> too_long(BPF_MAXINSNS + 1, ret_allow);
  std::vector<sock_filter> longest(BPF_MAXINSNS, ret_allow);
  return {
      {"return", {ret_allow}, nullptr},
      {"longest", longest, nullptr},
      {"every field", with_ret_a({{BPF_LD | BPF_W | BPF_ABS, 0, 0, 60}, {BPF_LD | BPF_W | BPF_ABS, 0, 0, 8}}),
       nullptr},
      {"cell written on both paths",
       with_ret_a({{BPF_LD | BPF_IMM, 0, 0, 1},
                   {BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 1},
                   {BPF_ST, 0, 0, 2},
                   {BPF_JMP | BPF_JA, 0, 0, 1},
                   {BPF_ST, 0, 0, 2},
                   {BPF_LD | BPF_MEM, 0, 0, 2}}),
       nullptr},
      {"cell written on one path only",
       with_ret_a({{BPF_LD | BPF_IMM, 0, 0, 1},
                   {BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1},
                   {BPF_ST, 0, 0, 2},
                   {BPF_LD | BPF_MEM, 0, 0, 2}}),
       "reads scratch cell 2 before a path writes it"},
      {"empty", {}, "the program is empty"},
      {"too long", too_long, "the program has 4097 instructions, over the kernel's limit of 4096"},
      {"load past seccomp_data", with_ret_a({{BPF_LD | BPF_W | BPF_ABS, 0, 0, 64}}),
       "loads outside seccomp_data"},
      {"unaligned load", with_ret_a({{BPF_LD | BPF_W | BPF_ABS, 0, 0, 2}}), "loads outside seccomp_data"},
      {"half-word load", with_ret_a({{BPF_LD | BPF_H | BPF_ABS, 0, 0, 0}}),
       "an instruction seccomp filters may not use"},
      {"indirect load", with_ret_a({{BPF_LD | BPF_W | BPF_IND, 0, 0, 0}}),
       "an instruction seccomp filters may not use"},
      {"msh", with_ret_a({{BPF_LDX | BPF_B | BPF_MSH, 0, 0, 0}}),
       "an instruction seccomp filters may not use"},
      {"mod", with_ret_a({{BPF_ALU | BPF_MOD | BPF_K, 0, 0, 3}}),
       "an instruction seccomp filters may not use"},
      {"unknown opcode", with_ret_a({{0xffff, 0, 0, 0}}), "an instruction seccomp filters may not use"},
      {"div by constant 0", with_ret_a({{BPF_ALU | BPF_DIV | BPF_K, 0, 0, 0}}), "divides by a constant 0"},
      {"shift by 32", with_ret_a({{BPF_ALU | BPF_LSH | BPF_K, 0, 0, 32}}), "shifts by 32 or more"},
      {"cell 16", with_ret_a({{BPF_ST, 0, 0, 16}}), "scratch cell 16 does not exist"},
      {"cell read first", with_ret_a({{BPF_LD | BPF_MEM, 0, 0, 0}}), "reads scratch cell 0 before"},
      {"ja past the end", {{BPF_JMP | BPF_JA, 0, 0, 1}, ret_allow}, "jumps past the last instruction"},
      {"jeq past the end",
       {{BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0}, ret_allow},
       "jumps past the last instruction"},
      {"no return at the end",
       {ret_allow, {BPF_LD | BPF_IMM, 0, 0, 0}},
       "the last instruction is not a return"},
  };
}

TEST(Interpreter, LoadChecksNameTheProblem) {
  for (const LoadCase& c : load_cases()) {
    Result<void> checked = check_program(c.code);
    if (c.error == nullptr) {
      EXPECT_TRUE(checked.ok()) << c.name << ": " << checked.error().message;
    } else {
      ASSERT_FALSE(checked.ok()) << c.name;
      EXPECT_NE(checked.error().message.find(c.error), std::string::npos)
          << c.name << ": " << checked.error().message;
    }
  }
}

TEST(Interpreter, RunRefusesWhatTheKernelWouldNotLoad) {
  const seccomp_data data = sample_data();
  for (const LoadCase& c : load_cases()) {
    if (c.error == nullptr) continue;
    Result<std::uint32_t> value = run_program(c.code, data);
    EXPECT_FALSE(value.ok()) << c.name << " answered " << (value ? *value : 0);
  }
  Result<std::uint32_t> outside = run_program(with_ret_a({{BPF_LD | BPF_W | BPF_ABS, 0, 0, 64}}), data);
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().message,
            "instruction 0 (code 0x20, k 0x40): loads outside seccomp_data (64 bytes, 4-byte words)");
}

TEST(Interpreter, LoadChecksAgreeWithTheKernel) {
  if (!seccheck::testing::kernel_filters_work()) GTEST_SKIP() << "seccomp filters cannot be loaded here";
  for (const LoadCase& c : load_cases()) {
    BpfProgram program;
    program.instructions = c.code;
    const Observation seen = seccheck::testing::run_under_filter(program, true, Arch::kX86_64, 1000, {});
    const bool kernel_loads = seen.setup_error.empty();
    EXPECT_EQ(kernel_loads, check_program(c.code).ok()) << c.name << ": kernel " << seen.describe();
  }
}

// What the kernel shows for a program's answer, the backstop's TRACE stacked above it: the more
// severe action wins (lower as a signed number), ERRNO data is capped at 4095, TRACE and
// USER_NOTIF with nobody listening fail the call with ENOSYS, and any other action kills.
Observation expected_observation(std::uint32_t value) {
  const std::uint32_t kept = static_cast<std::int32_t>(value & SECCOMP_RET_ACTION_FULL) <
                                     static_cast<std::int32_t>(SECCOMP_RET_TRACE)
                                 ? value
                                 : SECCOMP_RET_TRACE;
  Observation obs;
  switch (kept & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_ERRNO:
      obs.err = static_cast<int>(std::min<std::uint32_t>(kept & SECCOMP_RET_DATA, 4095));
      obs.ret = obs.err == 0 ? 0 : -1;
      break;
    case SECCOMP_RET_TRAP: obs.trapped = true; break;
    case SECCOMP_RET_TRACE:
    case SECCOMP_RET_USER_NOTIF:
      obs.ret = -1;
      obs.err = ENOSYS;
      break;
    default: obs.killed = true; break;
  }
  return obs;
}

std::vector<KernelCall> call_corpus() {
  std::vector<std::array<std::uint64_t, 6>> arguments = {
      {0, 0, 0, 0, 0, 0},
      {~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull},
      {0x00050007, 0, 0, 0, 0, 0},
      {0x7fff0000, 1, 0, 0, 0, 0},
      {0x00030001, 33, 0, 0, 0, 0},
      {0x7ff00000, 32, 0, 0, 0, 0},
      {0x80000000, 0x80000000, 0, 0, 0, 0},
      {0x7ffc0000, 7, 0, 0, 0, 0},
      {0x7fc00000, 0x1f, 0, 0, 0, 0},
      {0x123456789abcdef0ull, 0xfedcba9876543210ull, 3, 4, 5, 6},
      {0x100000000ull, 0x20, 1ull << 63, 0, 0, 0},
  };
  std::uint64_t state = 0x9e3779b97f4a7c15ull;  // a fixed sequence: the same corpus every run
  for (int i = 0; i < 5; ++i) {
    std::array<std::uint64_t, 6> args{};
    for (std::uint64_t& arg : args) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      arg = state;
    }
    arguments.push_back(args);
  }
  std::vector<KernelCall> calls;
  // x86_64 numbers (seccomp, and uprobe/uretprobe which the kernel lets past filters, left out)
  // and x32 ones; the backstop keeps all of them from running.
  for (int nr : {0, 1, 39, 231, 1000, 0x7fffffff, -1})
    for (const auto& args : arguments)
      calls.push_back({Arch::kX86_64, nr, args});
  for (int nr : {0, 39, 512})
    for (const auto& args : arguments)
      calls.push_back({Arch::kX32, nr, args});
  return calls;
}

seccomp_data data_for(const KernelCall& call) {
  seccomp_data data{};
  data.arch = AUDIT_ARCH_X86_64;
  data.nr = call.arch == Arch::kX32 ? call.nr | static_cast<int>(kX32SyscallBit) : call.nr;
  std::copy(call.args.begin(), call.args.end(), data.args);
  return data;
}

struct Body {
  std::string name;
  std::function<void(ProgramBuilder&)> write;
};

// Programs that leave a value in A, each exercising a part of the instruction set on the call's
// data (never the instruction pointer, which the test cannot choose).
std::vector<Body> bodies() {
  std::vector<Body> out;
  out.push_back({"nr", [](ProgramBuilder& b) { b.load_nr(); }});
  out.push_back({"arch", [](ProgramBuilder& b) { b.load_arch(); }});
  for (std::uint32_t offset = kArg0Low; offset < sizeof(seccomp_data); offset += 4)
    out.push_back({"load " + std::to_string(offset),
                   [offset](ProgramBuilder& b) { b.statement(BPF_LD | BPF_W | BPF_ABS, offset); }});
  out.push_back({"len", [](ProgramBuilder& b) { b.statement(BPF_LD | BPF_W | BPF_LEN, 0); }});
  out.push_back({"ldx len, txa", [](ProgramBuilder& b) {
                   b.statement(BPF_LDX | BPF_W | BPF_LEN, 0);
                   b.statement(BPF_MISC | BPF_TXA, 0);
                 }});
  out.push_back({"imm", [](ProgramBuilder& b) { b.statement(BPF_LD | BPF_IMM, 0xdeadbeef); }});
  const std::pair<std::uint16_t, std::uint32_t> alu_ops[] = {
      {BPF_ADD, 0x9e3779b9}, {BPF_SUB, 0x12345},    {BPF_MUL, 0x01000193},
      {BPF_DIV, 7},          {BPF_AND, 0x0ff0f0ff}, {BPF_OR, 0x80000010},
      {BPF_XOR, 0xa5a5a5a5}, {BPF_LSH, 13},         {BPF_RSH, 7}};
  for (auto [op, k] : alu_ops) {
    out.push_back({"alu " + std::to_string(op) + " k", [op = op, k = k](ProgramBuilder& b) {
                     b.statement(BPF_LD | BPF_W | BPF_ABS, kArg0Low);
                     b.statement(BPF_ALU | op | BPF_K, k);
                   }});
    out.push_back({"alu " + std::to_string(op) + " x", [op = op](ProgramBuilder& b) {
                     b.statement(BPF_LD | BPF_W | BPF_ABS, kArg1Low);
                     b.statement(BPF_MISC | BPF_TAX, 0);
                     b.statement(BPF_LD | BPF_W | BPF_ABS, kArg0Low);
                     b.statement(BPF_ALU | op | BPF_X, 0);
                   }});
  }
  out.push_back({"neg", [](ProgramBuilder& b) {
                   b.statement(BPF_LD | BPF_W | BPF_ABS, kArg0Low);
                   b.statement(BPF_ALU | BPF_NEG, 0);
                 }});
  out.push_back({"scratch cells", [](ProgramBuilder& b) {
                   b.statement(BPF_LD | BPF_W | BPF_ABS, kArg0Low);
                   b.statement(BPF_ST, 3);
                   b.statement(BPF_LD | BPF_W | BPF_ABS, kArg1Low);
                   b.statement(BPF_MISC | BPF_TAX, 0);
                   b.statement(BPF_STX, 15);
                   b.statement(BPF_LD | BPF_IMM, 0);
                   b.statement(BPF_LDX | BPF_IMM, 0);
                   b.statement(BPF_LD | BPF_MEM, 3);
                   b.statement(BPF_LDX | BPF_MEM, 15);
                   b.statement(BPF_ALU | BPF_SUB | BPF_X, 0);
                 }});
  for (std::uint16_t op : {BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET}) {
    for (std::uint16_t source : {BPF_K, BPF_X}) {
      // A = 1 or 2 by the comparison of args[0]'s low word with 0x7ff00000 or args[1]'s; the
      // true branch is far (a trampoline) so the builder's output is what the kernel runs.
      out.push_back({"jump " + std::to_string(op | source), [op, source](ProgramBuilder& b) {
                       const Label yes = b.label("yes");
                       const Label done = b.label("done");
                       b.statement(BPF_LD | BPF_W | BPF_ABS, kArg1Low);
                       b.statement(BPF_MISC | BPF_TAX, 0);
                       b.statement(BPF_LD | BPF_W | BPF_ABS, kArg0Low);
                       b.jump_if(BPF_JMP | op | source, 0x7ff00000, yes, Label::next());
                       b.statement(BPF_LD | BPF_IMM, 2);
                       b.jump(done);
                       for (int i = 0; i < 300; ++i)
                         b.ret(SECCOMP_RET_KILL_PROCESS);
                       b.place(yes);
                       b.statement(BPF_LD | BPF_IMM, 1);
                       b.place(done);
                     }});
    }
  }
  return out;
}

struct Mismatches {
  int count = 0;
  std::string first;
  int kills = 0, traps = 0, errnos = 0, enosys = 0;  // what the kernel did: every kind must show up
};

void compare_with_kernel(const std::string& name, const std::vector<sock_filter>& code,
                         const std::vector<KernelCall>& calls, Mismatches& mismatches) {
  BpfProgram program;
  program.instructions = code;
  const std::vector<Observation> seen = seccheck::testing::run_batch_under_filter(program, true, calls);
  for (std::size_t i = 0; i < calls.size(); ++i) {
    Result<std::uint32_t> value = run_program(code, data_for(calls[i]));
    ASSERT_TRUE(value.ok()) << name << ": " << value.error().message;
    const Observation expected = expected_observation(*value);
    mismatches.kills += seen[i].killed;
    mismatches.traps += seen[i].trapped;
    mismatches.errnos += !seen[i].killed && !seen[i].trapped && seen[i].err != ENOSYS;
    mismatches.enosys += !seen[i].killed && !seen[i].trapped && seen[i].err == ENOSYS;
    if (!seccheck::testing::same_observation(expected, seen[i]) && ++mismatches.count <= 10) {
      mismatches.first += "\n  " + name + ", nr " + std::to_string(calls[i].nr) + " (" +
                          std::string(arch_name(calls[i].arch)) + "), args[0] " +
                          std::to_string(calls[i].args[0]) + ", args[1] " + std::to_string(calls[i].args[1]) +
                          ": kernel " + seen[i].describe() + ", interpreter " + std::to_string(*value) +
                          " -> " + expected.describe();
    }
  }
}

TEST(Interpreter, AgreesWithTheKernelOnACorpusOfProgramsAndCalls) {
  if (!seccheck::testing::kernel_filters_work()) GTEST_SKIP() << "seccomp filters cannot be loaded here";
  const std::vector<KernelCall> calls = call_corpus();
  Mismatches mismatches;
  int programs = 0;
  // Each body's 32-bit A, seen 11 bits at a time as ERRNO data.
  for (const Body& body : bodies()) {
    for (std::uint32_t shift : {0u, 11u, 22u}) {
      ProgramBuilder b;
      body.write(b);
      b.statement(BPF_ALU | BPF_RSH | BPF_K, shift);
      b.statement(BPF_ALU | BPF_AND | BPF_K, 0x7ff);
      b.statement(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO);
      b.statement(BPF_RET | BPF_A, 0);
      auto code = b.build();
      ASSERT_TRUE(code.ok()) << body.name << ": " << code.error().message;
      compare_with_kernel(body.name + " >> " + std::to_string(shift), *code, calls, mismatches);
      ++programs;
    }
  }
  // A taken whole as the answer: arguments that spell every action, and others that are none.
  compare_with_kernel("ret A", with_ret_a({{BPF_LD | BPF_W | BPF_ABS, 0, 0, kArg0Low}}), calls, mismatches);
  // Constant answers, including ERRNO data over 4095 and actions the kernel does not define.
  const std::vector<KernelCall> two_calls = {calls.front(), calls.back()};
  for (std::uint32_t value :
       {SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP | 5u, SECCOMP_RET_ERRNO,
        SECCOMP_RET_ERRNO | 4095u, SECCOMP_RET_ERRNO | 5000u, SECCOMP_RET_USER_NOTIF, SECCOMP_RET_TRACE | 3u,
        SECCOMP_RET_LOG, SECCOMP_RET_ALLOW, 0x00010000u, 0x7ff80000u}) {
    compare_with_kernel("ret " + std::to_string(value), {{BPF_RET | BPF_K, 0, 0, value}}, two_calls,
                        mismatches);
  }
  EXPECT_GT(programs, 100);
  EXPECT_GT(mismatches.kills, 10);
  EXPECT_GT(mismatches.traps, 2);
  EXPECT_GT(mismatches.errnos, 10000);
  EXPECT_GT(mismatches.enosys, 10);
  RecordProperty("kernel_kills", mismatches.kills);
  RecordProperty("kernel_traps", mismatches.traps);
  RecordProperty("kernel_errnos", mismatches.errnos);
  EXPECT_EQ(mismatches.count, 0) << mismatches.first;
}

TEST(Interpreter, KernelActionCacheModel) {
  // ALLOW for nr < 10 on x86_64 from nr and arch alone; everything else looks further.
  const std::vector<sock_filter> code = {
      {BPF_LD | BPF_W | BPF_ABS, 0, 0, 4},        {BPF_JMP | BPF_JEQ | BPF_K, 0, 3, AUDIT_ARCH_X86_64},
      {BPF_LD | BPF_W | BPF_ABS, 0, 0, 0},        {BPF_JMP | BPF_JGE | BPF_K, 1, 0, 10},
      {BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW}, {BPF_LD | BPF_W | BPF_ABS, 0, 0, kArg0Low},
      {BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW}};
  EXPECT_TRUE(kernel_caches_as_allowed(code, AUDIT_ARCH_X86_64, 3));
  EXPECT_FALSE(kernel_caches_as_allowed(code, AUDIT_ARCH_X86_64, 10)) << "reads an argument";
  EXPECT_FALSE(kernel_caches_as_allowed(code, AUDIT_ARCH_I386, 3)) << "reads an argument";
  const std::vector<sock_filter> errno_all = {{BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | 1}};
  EXPECT_FALSE(kernel_caches_as_allowed(errno_all, AUDIT_ARCH_X86_64, 3));
}

}  // namespace
}  // namespace seccheck::bpf
