// The classic-BPF builder: labels become offsets, far branches go through JA trampolines, and
// misuse is an error from build(), never a silently wrong program. Programs are checked by
// their instructions and by running them in the interpreter (itself checked against the kernel
// in interpreter_test.cpp).
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bpf/interpreter.h"
#include "bpf/program_builder.h"

namespace seccheck::bpf {
namespace {

constexpr std::uint16_t kJeq = BPF_JMP | BPF_JEQ | BPF_K;
constexpr std::uint16_t kJgt = BPF_JMP | BPF_JGT | BPF_K;

std::uint32_t run_nr(const std::vector<sock_filter>& code, std::uint32_t nr) {
  seccomp_data data{};
  data.arch = AUDIT_ARCH_X86_64;
  data.nr = static_cast<int>(nr);
  Result<std::uint32_t> verdict = run_program(code, data);
  if (!verdict) ADD_FAILURE() << verdict.error().message;
  return verdict ? *verdict : 0xdeadbeef;
}

std::string build_error(const ProgramBuilder& builder) {
  auto code = builder.build();
  return code ? "(built)" : code.error().message;
}

bool same(const sock_filter& a, const sock_filter& b) {
  return a.code == b.code && a.jt == b.jt && a.jf == b.jf && a.k == b.k;
}

TEST(ProgramBuilder, ForwardLabelsBecomeOffsets) {
  ProgramBuilder b;
  const Label allow = b.label("allow");
  const Label deny = b.label("deny");
  b.load_nr();
  b.jump_if(kJeq, 39, deny, Label::next());
  b.jump_if(kJgt, 400, deny, allow);
  b.statement(BPF_LD | BPF_IMM, 1);  // unreachable filler: offsets must count it
  b.place(allow);
  b.ret(SECCOMP_RET_ALLOW);
  b.place(deny);
  b.ret(SECCOMP_RET_ERRNO | 1);
  auto code = b.build();
  ASSERT_TRUE(code.ok()) << code.error().message;
  const std::vector<sock_filter> expected = {{BPF_LD | BPF_W | BPF_ABS, 0, 0, 0},
                                             {kJeq, 3, 0, 39},
                                             {kJgt, 2, 1, 400},
                                             {BPF_LD | BPF_IMM, 0, 0, 1},
                                             {BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW},
                                             {BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | 1}};
  ASSERT_EQ(code->size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_TRUE(same((*code)[i], expected[i])) << "instruction " << i;
  EXPECT_EQ(run_nr(*code, 39), SECCOMP_RET_ERRNO | 1);
  EXPECT_EQ(run_nr(*code, 401), SECCOMP_RET_ERRNO | 1);
  EXPECT_EQ(run_nr(*code, 1), SECCOMP_RET_ALLOW);
}

TEST(ProgramBuilder, SeveralLabelsMayMarkOnePlaceAndJaReachesAnyDistance) {
  ProgramBuilder b;
  const Label first = b.label("first");
  const Label second = b.label("second");
  b.load_nr();
  b.jump_if(kJeq, 1, first, second);
  b.jump(first);
  for (int i = 0; i < 1000; ++i)
    b.statement(BPF_LD | BPF_IMM, static_cast<std::uint32_t>(i));
  b.place(first);
  b.place(second);
  b.ret(SECCOMP_RET_ALLOW);
  auto code = b.build();
  ASSERT_TRUE(code.ok()) << code.error().message;
  EXPECT_EQ((*code)[2].code, BPF_JMP | BPF_JA);
  EXPECT_EQ(run_nr(*code, 1), SECCOMP_RET_ALLOW);
  EXPECT_EQ(run_nr(*code, 2), SECCOMP_RET_ALLOW);
}

// A conditional jump over `filler` instructions to a RET; the other branch returns at once.
std::vector<sock_filter> jump_over(std::size_t filler, bool far_branch_is_true) {
  ProgramBuilder b;
  const Label far = b.label("far");
  b.load_nr();
  if (far_branch_is_true)
    b.jump_if(kJeq, 7, far, Label::next());
  else
    b.jump_if(kJeq, 7, Label::next(), far);
  b.ret(SECCOMP_RET_ERRNO | 2);
  for (std::size_t i = 0; i < filler; ++i)
    b.ret(SECCOMP_RET_KILL_PROCESS);  // never reached
  b.place(far);
  b.ret(SECCOMP_RET_ERRNO | 1);
  auto code = b.build();
  EXPECT_TRUE(code.ok()) << code.error().message;
  return code ? *code : std::vector<sock_filter>{};
}

TEST(ProgramBuilder, BranchesOf255StayDirectAndLongerOnesGoThroughATrampoline) {
  // 254 filler + the near RET: the far RET is 255 instructions past the jump's successor.
  const std::vector<sock_filter> direct = jump_over(254, true);
  ASSERT_EQ(direct.size(), 1u + 1 + 1 + 254 + 1);
  EXPECT_EQ(direct[1].jt, 255);
  const std::vector<sock_filter> far = jump_over(255, true);
  ASSERT_EQ(far.size(), 1u + 1 + 1 + 1 + 255 + 1) << "one JA added";
  EXPECT_EQ(far[1].jt, 0);
  EXPECT_EQ(far[1].jf, 1);
  EXPECT_EQ(far[2].code, BPF_JMP | BPF_JA);
  EXPECT_EQ(far[2].k, 256u);
  for (const auto& code : {direct, far, jump_over(3000, true)}) {
    EXPECT_EQ(run_nr(code, 7), SECCOMP_RET_ERRNO | 1);
    EXPECT_EQ(run_nr(code, 8), SECCOMP_RET_ERRNO | 2);
    EXPECT_TRUE(check_program(code).ok());
  }
  for (const auto& code : {jump_over(254, false), jump_over(255, false), jump_over(300, false)}) {
    EXPECT_EQ(run_nr(code, 7), SECCOMP_RET_ERRNO | 2);
    EXPECT_EQ(run_nr(code, 8), SECCOMP_RET_ERRNO | 1);
    EXPECT_TRUE(check_program(code).ok());
  }
  EXPECT_EQ(jump_over(254, false)[1].jf, 255);
  EXPECT_EQ(jump_over(255, false)[1].jf, 0) << "the false branch's trampoline follows the jump";
  EXPECT_EQ(jump_over(255, false)[1].jt, 1);
}

TEST(ProgramBuilder, BothBranchesFar) {
  ProgramBuilder b;
  const Label one = b.label("one");
  const Label two = b.label("two");
  b.load_nr();
  b.jump_if(kJgt, 10, one, two);
  for (int i = 0; i < 300; ++i)
    b.ret(SECCOMP_RET_KILL_PROCESS);
  b.place(one);
  b.ret(SECCOMP_RET_ERRNO | 1);
  for (int i = 0; i < 300; ++i)
    b.ret(SECCOMP_RET_KILL_PROCESS);
  b.place(two);
  b.ret(SECCOMP_RET_ERRNO | 2);
  auto code = b.build();
  ASSERT_TRUE(code.ok()) << code.error().message;
  EXPECT_EQ(code->size(), 1u + 1 + 2 + 300 + 1 + 300 + 1);
  EXPECT_EQ(run_nr(*code, 11), SECCOMP_RET_ERRNO | 1);
  EXPECT_EQ(run_nr(*code, 10), SECCOMP_RET_ERRNO | 2);
}

TEST(ProgramBuilder, TrampolinesThatPushOtherBranchesPastTheLimitAreResolvedToo) {
  // 600 comparisons jumping to one RET after them: the first ones are far, and each trampoline
  // moves the RET further from the jumps before it. Every number must still get its answer.
  ProgramBuilder b;
  const Label hit = b.label("hit");
  b.load_nr();
  for (std::uint32_t nr = 0; nr < 600; ++nr)
    b.jump_if(kJeq, nr * 3, hit, Label::next());
  b.ret(SECCOMP_RET_ALLOW);
  b.place(hit);
  b.ret(SECCOMP_RET_ERRNO | 3);
  auto code = b.build();
  ASSERT_TRUE(code.ok()) << code.error().message;
  EXPECT_GT(code->size(), 600u + 3);
  EXPECT_TRUE(check_program(*code).ok());
  for (std::uint32_t nr = 0; nr < 1805; ++nr)
    ASSERT_EQ(run_nr(*code, nr), nr % 3 == 0 && nr < 1800 ? SECCOMP_RET_ERRNO | 3 : SECCOMP_RET_ALLOW) << nr;
}

TEST(ProgramBuilder, AppendKeepsTheProgramsJumpsAndRedirectsReturns) {
  // Returns ERRNO(1) for nr 5 and ALLOW otherwise, with its own relative offsets.
  const std::vector<sock_filter> inner = {{BPF_LD | BPF_W | BPF_ABS, 0, 0, 0},
                                          {kJeq, 1, 0, 5},
                                          {BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW},
                                          {BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | 1}};
  ProgramBuilder good;
  const Label next_part = good.label("next part");
  good.append(inner, [&](std::uint32_t ret) -> std::optional<Label> {
    if (ret == SECCOMP_RET_ALLOW) return next_part;
    return std::nullopt;
  });
  good.place(next_part);
  good.append(inner);
  auto code = good.build();
  ASSERT_TRUE(code.ok()) << code.error().message;
  ASSERT_EQ(code->size(), 8u);
  EXPECT_EQ((*code)[2].code, BPF_JMP | BPF_JA);
  EXPECT_EQ((*code)[2].k, 1u);
  EXPECT_EQ(run_nr(*code, 5), SECCOMP_RET_ERRNO | 1);
  EXPECT_EQ(run_nr(*code, 6), SECCOMP_RET_ALLOW);
}

TEST(ProgramBuilder, MisuseIsAnErrorNamingTheProblem) {
  struct Case {
    const char* name;
    void (*write)(ProgramBuilder&);
    const char* error;
  };
  const Case cases[] = {
      {"backward jump",
       [](ProgramBuilder& b) {
         const Label top = b.label("top");
         b.place(top);
         b.load_nr();
         b.jump_if(kJeq, 1, top, Label::next());
         b.ret(SECCOMP_RET_ALLOW);
       },
       "instruction 1 jumps back to label 'top'; classic BPF jumps forward only"},
      {"jump to itself",
       [](ProgramBuilder& b) {
         const Label self = b.label("self");
         b.place(self);
         b.jump(self);
         b.ret(SECCOMP_RET_ALLOW);
       },
       "jumps back to label 'self'"},
      {"unplaced label",
       [](ProgramBuilder& b) {
         b.jump(b.label("nowhere"));
         b.ret(SECCOMP_RET_ALLOW);
       },
       "label 'nowhere' is jumped to but never placed"},
      {"label at the end",
       [](ProgramBuilder& b) {
         const Label end = b.label("end");
         b.load_nr();
         b.jump_if(kJeq, 1, end, Label::next());
         b.ret(SECCOMP_RET_ALLOW);
         b.place(end);
       },
       "label 'end' is placed after the last instruction"},
      {"placed twice",
       [](ProgramBuilder& b) {
         const Label twice = b.label("twice");
         b.place(twice);
         b.ret(SECCOMP_RET_ALLOW);
         b.place(twice);
         b.ret(SECCOMP_RET_ALLOW);
       },
       "label 'twice' is placed twice"},
      {"foreign label",
       [](ProgramBuilder& b) {
         ProgramBuilder other;
         other.label("a");
         const Label theirs = other.label("b");
         b.jump(theirs);
         b.ret(SECCOMP_RET_ALLOW);
       },
       "jump() was given a label this builder did not make"},
      {"jump as a statement", [](ProgramBuilder& b) { b.statement(BPF_JMP | BPF_JA, 0); },
       "instruction 0 is a jump given as a statement"},
      {"JA as a conditional jump",
       [](ProgramBuilder& b) { b.jump_if(BPF_JMP | BPF_JA, 0, Label::next(), Label::next()); },
       "instruction 0 is not a conditional jump"},
      {"empty", [](ProgramBuilder&) {}, "the program is empty"},
      {"too long",
       [](ProgramBuilder& b) {
         for (int i = 0; i < BPF_MAXINSNS; ++i)
           b.statement(BPF_LD | BPF_IMM, 0);
         b.ret(SECCOMP_RET_ALLOW);
       },
       "the program has 4097 instructions, over the kernel's limit of 4096"},
      {"too long once trampolines are in",
       [](ProgramBuilder& b) {
         const Label end = b.label("end");
         b.load_nr();
         for (int i = 0; i < 2200; ++i)
           b.jump_if(kJeq, static_cast<std::uint32_t>(i), end, Label::next());
         b.ret(SECCOMP_RET_ALLOW);
         b.place(end);
         b.ret(SECCOMP_RET_KILL_PROCESS);
       },
       "over the kernel's limit of 4096"},
      {"no final return", [](ProgramBuilder& b) { b.load_nr(); },
       "the kernel would refuse the program: instruction 0 (code 0x20, k 0x0): the last instruction is not a "
       "return"},
      {"load outside seccomp_data",
       [](ProgramBuilder& b) {
         b.statement(BPF_LD | BPF_W | BPF_ABS, 64);
         b.ret(SECCOMP_RET_ALLOW);
       },
       "loads outside seccomp_data"},
      {"appended jump past its end",
       [](ProgramBuilder& b) {
         const sock_filter broken[] = {{BPF_JMP | BPF_JA, 0, 0, 5},
                                       {BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW}};
         b.append(broken);
       },
       "instruction 0 of an appended program jumps past its end"},
  };
  for (const Case& c : cases) {
    ProgramBuilder b;
    c.write(b);
    EXPECT_NE(build_error(b).find(c.error), std::string::npos) << c.name << ": " << build_error(b);
  }
}

}  // namespace
}  // namespace seccheck::bpf
