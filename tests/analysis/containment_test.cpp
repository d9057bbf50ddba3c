// `profiles within`: the exact containment check against the evaluator. Argument partitions
// are checked by sampling (every sampled value's class has a representative); verdicts by
// random calls (never allowed by CUSTOM and blocked by BASE when the answer is "within", and
// every counter-example re-evaluated); catalog pairs with known answers; a generated profile
// is within its base plus its additions; the log-only copy logs what its base blocks.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "analysis/catalog.h"
#include "analysis/containment.h"
#include "analysis/evaluate.h"
#include "analysis/explain.h"
#include "analysis/generate.h"
#include "analysis/log_only.h"
#include "analysis/profile_parser.h"
#include "core/syscall_table.h"

namespace seccheck::analysis {
namespace {

Profile parse(const std::string& json) {
  auto profile = parse_profile(json, "test");
  EXPECT_TRUE(profile.ok()) << (profile.ok() ? "" : profile.error().message);
  return *profile;
}

ResolvedProfile resolved(const std::string& json, const Context& context = Context{}) {
  return resolve(parse(json), context);
}

ResolvedProfile catalog(const std::string& name, const Context& context = Context{}) {
  auto profiles = catalog_profiles(name);
  EXPECT_TRUE(profiles.ok()) << name;
  return resolve(profiles->front(), context);
}

// The truth of every condition for `arg`, as the evaluator compares it on `arch`.
std::vector<bool> signature(const std::vector<ArgCondition>& conditions, std::uint64_t arg, Arch arch) {
  std::vector<bool> out;
  out.reserve(conditions.size());
  for (const ArgCondition& c : conditions)
    out.push_back(condition_holds(c, arg, arch));
  return out;
}

// Every verdict a counter-example carries is what evaluate() says for its call.
void expect_verified(const ContainmentResult& result, const ResolvedProfile& custom,
                     const ResolvedProfile& base) {
  for (const Counterexample& example : result.counterexamples) {
    const CallClass& call = example.call;
    const int last = call.nr_last == kOpenEnded ? call.nr + 50 : call.nr_last;
    for (int nr = call.nr; nr <= last; ++nr) {
      Verdict c = evaluate(custom, call.arch, nr, call.args);
      Verdict b = evaluate(base, call.arch, nr, call.args);
      EXPECT_FALSE(c.blocked()) << call_class_text(call) << ": "
                                << explain(c, custom, nullptr, call.arch, nr, call.args);
      EXPECT_TRUE(b.blocked()) << call_class_text(call) << ": "
                               << explain(b, base, nullptr, call.arch, nr, call.args);
    }
  }
}

std::set<std::string> counterexample_names(const ContainmentResult& result) {
  std::set<std::string> names;
  for (const Counterexample& example : result.counterexamples)
    names.insert(example.syscall);
  return names;
}

TEST(ArgumentRepresentatives, ComparisonsCutIntervals) {
  auto values = argument_representatives({{0, CompareOp::kEq, 5, 0}}, false);
  ASSERT_TRUE(values);
  EXPECT_EQ(*values, (std::vector<std::uint64_t>{0, 5, 6}));
  values =
      argument_representatives({{0, CompareOp::kLe, ~std::uint64_t{0}, 0}, {0, CompareOp::kGt, 9, 0}}, false);
  EXPECT_EQ(*values, (std::vector<std::uint64_t>{0, 10}));
  // On 32-bit ABIs only the low word counts: 0x100000005 is 5.
  values = argument_representatives({{0, CompareOp::kEq, 0x100000005, 0}}, true);
  EXPECT_EQ(*values, (std::vector<std::uint64_t>{0, 5, 6}));
}

TEST(ArgumentRepresentatives, MaskedEqClasses) {
  // Docker's clone rule: no namespace flag.
  auto values = argument_representatives({{0, CompareOp::kMaskedEq, 0x7e020000, 0}}, false);
  ASSERT_TRUE(values);
  ASSERT_EQ(values->size(), 2u);
  EXPECT_EQ((*values)[0] & 0x7e020000, 0u);
  EXPECT_NE((*values)[1] & 0x7e020000, 0u);
  // A datum outside its mask never holds: no split.
  values = argument_representatives({{0, CompareOp::kMaskedEq, 0xf0, 0x0f}}, false);
  EXPECT_EQ(*values, (std::vector<std::uint64_t>{0}));
  // Overlapping masks with conflicting data: (x & 0xff) == 0x12 and (x & 0xf0) == 0x20 never hold
  // together: three classes, not four.
  const std::vector<ArgCondition> conflicting = {{0, CompareOp::kMaskedEq, 0xff, 0x12},
                                                 {0, CompareOp::kMaskedEq, 0xf0, 0x20}};
  values = argument_representatives(conflicting, false);
  std::set<std::vector<bool>> classes;
  for (std::uint64_t value : *values)
    classes.insert(signature(conflicting, value, Arch::kX86_64));
  EXPECT_EQ(classes.size(), 3u);
  EXPECT_EQ(values->size(), 3u);
}

// Random condition sets on one argument: every sampled value's truth vector (which decides
// every verdict) is the truth vector of some representative.
TEST(ArgumentRepresentatives, EverySampledClassIsRepresented) {
  std::mt19937_64 random(15);
  const CompareOp ops[] = {CompareOp::kNe, CompareOp::kLt, CompareOp::kLe,      CompareOp::kEq,
                           CompareOp::kGe, CompareOp::kGt, CompareOp::kMaskedEq};
  for (int round = 0; round < 200; ++round) {
    const bool low_words = round % 3 == 0;
    std::vector<ArgCondition> conditions;
    const int count = 1 + static_cast<int>(random() % 5);
    std::vector<std::uint64_t> interesting;
    for (int i = 0; i < count; ++i) {
      ArgCondition c;
      c.op = ops[random() % 7];
      // Small masks and values over a few bits, sometimes in the high word.
      const unsigned shift = (random() % 2) ? 0 : 32 + static_cast<unsigned>(random() % 24);
      c.value = (random() % 64) << shift;
      c.value_two = c.op == CompareOp::kMaskedEq ? (random() % 64) << shift : 0;
      if (c.op == CompareOp::kMaskedEq) c.value_two &= c.value | ((random() % 4 == 0) ? 1 : 0);
      conditions.push_back(c);
      interesting.push_back(c.value);
      interesting.push_back(c.value_two);
    }
    auto values = argument_representatives(conditions, low_words);
    ASSERT_TRUE(values);
    const Arch arch = low_words ? Arch::kI386 : Arch::kX86_64;
    std::set<std::vector<bool>> represented;
    for (std::uint64_t value : *values)
      represented.insert(signature(conditions, value, arch));
    std::size_t masked = 0;
    for (const ArgCondition& c : conditions)
      masked += c.op == CompareOp::kMaskedEq;
    EXPECT_LE(values->size(), (2 * conditions.size() + 1) << masked) << "a few per class at most";
    for (int sample = 0; sample < 500; ++sample) {
      std::uint64_t x = interesting[random() % interesting.size()];
      switch (random() % 4) {
        case 0: x += random() % 3; break;
        case 1: x -= random() % 3; break;
        case 2: {
          const std::uint64_t mask = static_cast<std::uint64_t>(random());
          x ^= mask & static_cast<std::uint64_t>(random());
          break;
        }
        default: x = random(); break;
      }
      ASSERT_TRUE(represented.count(signature(conditions, x, arch)))
          << "round " << round << ": value " << std::hex << x << " is in no represented class";
    }
  }
}

TEST(CheckWithin, AProfileIsWithinItself) {
  for (std::string name : {"docker", "containerd", "crio", "docker@20.10.0"}) {
    const ResolvedProfile profile = catalog(name);
    ContainmentResult result = check_within(profile, profile);
    EXPECT_TRUE(result.within()) << name;
    EXPECT_GT(result.classes_checked, 1000u);
  }
}

TEST(CheckWithin, MaskedEqCounterexample) {
  const std::string base = R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
    {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]}]})";
  // Forgets CLONE_NEWNS (0x20000) in the mask.
  const std::string custom = R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
    {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 2113929216, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]}]})";
  const ResolvedProfile b = resolved(base), c = resolved(custom);
  ContainmentResult result = check_within(c, b);
  ASSERT_FALSE(result.within());
  ASSERT_EQ(result.counterexamples.size(), 1u);
  const Counterexample& example = result.counterexamples[0];
  EXPECT_EQ(example.syscall, "clone");
  EXPECT_EQ(example.call.arch, Arch::kX86_64);  // the profile accepts only the native ABI
  EXPECT_EQ(example.call.args[0] & 0x7e020000, 0x20000u);
  EXPECT_EQ(example.call.arg_indices, std::vector<unsigned>{0});
  expect_verified(result, c, b);
  EXPECT_TRUE(check_within(b, c).within());
}

TEST(CheckWithin, LowWordsOn32BitAbis) {
  const std::string arches = R"("architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"])";
  const ResolvedProfile b = resolved(R"({"defaultAction": "SCMP_ACT_ERRNO", )" + arches + R"(, "syscalls": [
    {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]})");
  const ResolvedProfile c = resolved(R"({"defaultAction": "SCMP_ACT_ERRNO", )" + arches + R"(, "syscalls": [
    {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 4294967304, "op": "SCMP_CMP_EQ"}]}]})");
  ContainmentResult result = check_within(c, b);
  ASSERT_EQ(result.counterexamples.size(), 1u);  // 0x100000008 is 8 to i386 and x32
  EXPECT_EQ(result.counterexamples[0].call.arch, Arch::kX86_64);
  EXPECT_EQ(result.counterexamples[0].call.args[0], 0x100000008u);
  expect_verified(result, c, b);
}

TEST(CheckWithin, PermissiveDefaultAndUnnamedNumbers) {
  const ResolvedProfile base = catalog("docker");
  const ResolvedProfile allow_all = resolved(R"({"defaultAction": "SCMP_ACT_LOG"})");
  ContainmentResult result = check_within(allow_all, base);
  ASSERT_FALSE(result.within());
  expect_verified(result, allow_all, base);
  // The native ABI's numbers above every name come as one open-ended class; i386 and x32 are
  // outside allow_all's filter (bad arch), so it blocks them.
  bool open_ended = false;
  for (const Counterexample& example : result.counterexamples) {
    EXPECT_EQ(example.call.arch, Arch::kX86_64);
    open_ended = open_ended || example.call.nr_last == kOpenEnded;
  }
  EXPECT_TRUE(open_ended);
  EXPECT_TRUE(counterexample_names(result).count("mount"));
}

TEST(CheckWithin, CatalogPairsWithKnownAnswers) {
  // Docker 25.0.3 allows calls Docker 20.10.0 blocks: calls added to the allow list since, some
  // of which 20.10.0 answers with runc's ENOSYS stub.
  ContainmentResult newer = check_within(catalog("docker@25.0.3"), catalog("docker@20.10.0"));
  EXPECT_FALSE(newer.within());
  expect_verified(newer, catalog("docker@25.0.3"), catalog("docker@20.10.0"));
  for (const char* name :
       {"close_range", "pkey_alloc", "process_vm_readv", "landlock_create_ruleset", "epoll_pwait2"})
    EXPECT_TRUE(counterexample_names(newer).count(name)) << name;
  // And the other way round: 25.0.3 took io_uring out and denies AF_VSOCK sockets, which
  // 20.10.0 allowed; nothing else.
  ContainmentResult older = check_within(catalog("docker@20.10.0"), catalog("docker@25.0.3"));
  expect_verified(older, catalog("docker@20.10.0"), catalog("docker@25.0.3"));
  EXPECT_EQ(counterexample_names(older),
            (std::set<std::string>{"io_uring_enter", "io_uring_register", "io_uring_setup", "socket"}));
  for (const Counterexample& example : older.counterexamples)
    if (example.syscall == "socket") {
      EXPECT_EQ(example.call.args[0], 40u);
    }
  // Docker 20.10.24 as Debian ships it against itself plus nothing: within.
  EXPECT_TRUE(
      check_within(catalog("docker@20.10.24-debian-bookworm"), catalog("docker@20.10.24-debian-bookworm"))
          .within());
  // More capabilities never make a profile stricter: docker without CAP_SYS_ADMIN is within docker
  // with it, and not the other way round (mount, unshare, clone with namespace flags, ...).
  Context admin;
  admin.capabilities.insert("CAP_SYS_ADMIN");
  const ResolvedProfile plain = catalog("docker"), with_admin = catalog("docker", admin);
  EXPECT_TRUE(check_within(plain, with_admin).within());
  ContainmentResult more = check_within(with_admin, plain);
  EXPECT_FALSE(more.within());
  expect_verified(more, with_admin, plain);
  const std::set<std::string> names = counterexample_names(more);
  for (const char* name : {"mount", "umount2", "unshare", "clone", "setns"})
    EXPECT_TRUE(names.count(name)) << name;
}

// Random profiles over a few calls: when the answer is "within", no random call is allowed by
// CUSTOM and blocked by BASE; every counter-example evaluates as reported.
TEST(CheckWithin, RandomProfilesAgainstTheEvaluator) {
  std::mt19937_64 random(1526);
  const char* names[] = {"clone", "socket", "personality", "ioctl"};
  const char* ops[] = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
                       "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
  const char* actions[] = {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_LOG", "SCMP_ACT_KILL_PROCESS"};
  auto random_profile = [&](std::vector<std::uint64_t>& values) {
    std::string json = R"({"defaultAction": ")" +
                       std::string(random() % 4 ? "SCMP_ACT_ERRNO" : "SCMP_ACT_LOG") +
                       R"(", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], "syscalls": [)";
    const int rules = 1 + static_cast<int>(random() % 5);
    for (int r = 0; r < rules; ++r) {
      if (r) json += ",";
      json += R"({"names": [")" + std::string(names[random() % 4]) + R"("], "action": ")" +
              actions[random() % 4] + R"(", "args": [)";
      const int conditions = static_cast<int>(random() % 3);
      for (int i = 0; i < conditions; ++i) {
        const std::uint64_t value = (random() % 2 ? random() % 64 : (random() % 8) << 28) |
                                    (random() % 5 == 0 ? std::uint64_t{1} << 32 : 0);
        const std::uint64_t two = value & (random() % 64);
        values.push_back(value);
        values.push_back(two);
        if (i) json += ",";
        json += R"({"index": )" + std::to_string(random() % 2) + R"(, "value": )" + std::to_string(value) +
                R"(, "valueTwo": )" + std::to_string(two) + R"(, "op": ")" + ops[random() % 7] + R"("})";
      }
      json += "]}";
    }
    return json + "]}";
  };
  int within_count = 0;
  for (int round = 0; round < 60; ++round) {
    std::vector<std::uint64_t> values = {0, 1, 40, 0x7e020000, 0x10000000};
    const ResolvedProfile custom = resolved(random_profile(values));
    const ResolvedProfile base = resolved(random_profile(values));
    ContainmentResult result = check_within(custom, base);
    ASSERT_TRUE(result.incomplete.empty());
    expect_verified(result, custom, base);
    if (!result.within()) continue;
    ++within_count;
    for (int sample = 0; sample < 3000; ++sample) {
      const Arch arch = sample % 3 == 0 ? Arch::kI386 : Arch::kX86_64;
      const char* name = names[random() % 4];
      std::array<std::uint64_t, 6> args{};
      for (int i = 0; i < 2; ++i) {
        std::uint64_t x = values[random() % values.size()];
        if (random() % 2) x += random() % 3 - 1;
        if (random() % 4 == 0) x ^= random();
        args[static_cast<std::size_t>(i)] = x;
      }
      const int nr = *syscall_number(arch, name);
      ASSERT_FALSE(!evaluate(custom, arch, nr, args).blocked() && evaluate(base, arch, nr, args).blocked())
          << "round " << round << ": " << name
          << " allowed by CUSTOM, blocked by BASE, but the answer was within";
    }
  }
  EXPECT_GT(within_count, 3) << "the random profiles should be within each other now and then";
}

RecordedCall recorded(Arch arch, const std::string& name, std::array<std::uint64_t, 6> args,
                      std::vector<unsigned> kept) {
  RecordedCall call;
  call.arch = arch;
  call.nr = *syscall_number(arch, name);
  call.args = args;
  call.kept_args = std::move(kept);
  call.count = 1;
  call.executable = "/usr/bin/demo";
  return call;
}

// A profile `generate` makes from a record allows nothing its base blocks except calls one of
// its additions names (with the argument values the addition pins).
TEST(CheckWithin, GeneratedProfileIsWithinBasePlusAdditions) {
  auto base_profiles = catalog_profiles("docker");
  ASSERT_TRUE(base_profiles.ok());
  const Profile& base = base_profiles->front();
  GenerateRequest request;
  request.base = &base;
  request.name = "demo";
  request.calls = {
      recorded(Arch::kX86_64, "clone", {0x04000000 | 17}, {0}),  // CLONE_NEWUTS
      recorded(Arch::kX86_64, "keyctl", {0, 0, 0}, {}),
      recorded(Arch::kX86_64, "socket", {40, 1, 0}, {0}),  // AF_VSOCK
      recorded(Arch::kX86_64, "unshare", {0x10000000}, {0}),
      recorded(Arch::kX32, "bpf", {0}, {}),
      recorded(Arch::kX86_64, "mount", {0, 0, 0}, {}),
  };
  auto generated = generate_profile(request);
  ASSERT_TRUE(generated.ok());
  ASSERT_TRUE(generated->unresolved.empty());
  const ResolvedProfile g = resolve(generated->profile, Context{});
  const ResolvedProfile b = resolve(base, Context{});
  ContainmentResult result = check_within(g, b);
  ASSERT_TRUE(result.incomplete.empty());
  expect_verified(result, g, b);
  ASSERT_FALSE(result.counterexamples.empty());
  std::vector<const Rule*> additions;
  for (const Rule& rule : generated->profile.rules)
    if (rule.comment.rfind("seccheck generate: ", 0) == 0 && rule.action.kind == ActionKind::kAllow)
      additions.push_back(&rule);
  ASSERT_EQ(additions.size(), generated->additions);
  std::set<std::string> covered;
  for (const Counterexample& example : result.counterexamples) {
    bool explained = false;
    for (const Rule* rule : additions) {
      if (rule->names.front() != example.syscall) continue;
      bool holds = true;
      for (const ArgCondition& c : rule->args)
        holds = holds && condition_holds(c, example.call.args[c.index], example.call.arch);
      explained = explained || holds;
    }
    EXPECT_TRUE(explained) << call_class_text(example.call) << " is allowed beyond the base by no addition";
    covered.insert(example.syscall);
  }
  // And every addition shows up.
  EXPECT_EQ(covered, (std::set<std::string>{"bpf", "clone", "keyctl", "mount", "socket", "unshare"}));
}

TEST(LogOnly, CopyOfEachLatestProfileLogsExactlyWhatItBlocks) {
  for (std::string name : {"docker", "containerd", "crio"}) {
    auto profiles = catalog_profiles(name);
    ASSERT_TRUE(profiles.ok());
    for (Engine engine : {Engine::kDocker, Engine::kContainerd, Engine::kCrio}) {
      LogOnlyRequest request;
      request.base = &profiles->front();
      request.engine = engine;
      auto copy = make_log_only(request);
      ASSERT_TRUE(copy.ok());
      EXPECT_EQ(copy->profile.default_action.kind, ActionKind::kLog) << name;
      EXPECT_FALSE(copy->profile.default_errno_ret) << name;
      EXPECT_GT(copy->rules_changed + (name == "containerd" ? 1u : 0u), 0u) << name;
      for (const Rule& rule : copy->profile.rules)
        EXPECT_FALSE(rule.action.blocks()) << name << ": " << rule.comment;
      EXPECT_TRUE(copy->incomplete.empty());
      const Context context = context_for_engine(Context{}, engine);
      const ResolvedProfile base = resolve(profiles->front(), context);
      const ResolvedProfile log_only = resolve(copy->profile, context);
      for (const LogOnlyGap& gap : copy->gaps) {
        const CallClass& call = gap.example.call;
        ADD_FAILURE() << name << ": " << call_class_text(call) << ": base "
                      << explain(gap.example.base, base, nullptr, call.arch, call.nr, call.args) << "; copy "
                      << explain(gap.example.custom, log_only, nullptr, call.arch, call.nr, call.args);
      }
      // Allow rules and argument conditions are all still there.
      EXPECT_TRUE(check_within(base, log_only).within()) << name;
    }
  }
}

// containers-common 0.67 without CAP_AUDIT_WRITE (Podman's default caps): ERRNO [arg0 == 40]
// outranks ALLOW [arg0 != 16] for socket(AF_VSOCK). As LOG it equals the default and is
// dropped, so the copy lets AF_VSOCK sockets through unlogged: reported as a gap.
TEST(LogOnly, ARuleThatOutrankedAnAllowRuleIsAGap) {
  auto profiles = catalog_profiles("containers-common@0.67.0");
  ASSERT_TRUE(profiles.ok());
  LogOnlyRequest request;
  request.base = &profiles->front();
  request.engine = Engine::kCrio;
  request.context.capabilities = podman_default_capabilities();
  auto copy = make_log_only(request);
  ASSERT_TRUE(copy.ok());
  std::set<std::string> gaps;
  for (const LogOnlyGap& gap : copy->gaps) {
    gaps.insert(gap.example.syscall);
    EXPECT_TRUE(gap.example.base.blocked());
    EXPECT_EQ(gap.example.custom.action.kind, ActionKind::kAllow);
  }
  EXPECT_EQ(gaps, std::set<std::string>{"socket"});
}

}  // namespace
}  // namespace seccheck::analysis
