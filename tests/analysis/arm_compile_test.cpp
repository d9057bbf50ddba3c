// The evaluator for arm64 nodes, checked the way x86 is: libseccomp compiles each catalog profile
// for an aarch64 host (aarch64 and, where the profile lists it, arm), and the compiled program,
// run in bpf/'s interpreter, gives the evaluator's answer for every call number of both ABIs (and
// past the newest, where runc's ENOSYS stub answers), at one argument vector from every class of
// arguments the rules distinguish (analysis/containment.h), with the default capabilities and
// with all of them, for the oldest and newest catalog entry of each family. This machine cannot load an
// aarch64 filter, so the interpreter stands in for the kernel; tests/bpf checks the interpreter against the
// kernel on x86_64.
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

#include <cerrno>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "analysis/catalog.h"
#include "analysis/compile.h"
#include "analysis/containment.h"
#include "analysis/evaluate.h"
#include "analysis/explain.h"
#include "analysis/resolve.h"
#include "bpf/interpreter.h"
#include "core/syscall_table.h"

namespace seccheck::analysis {
namespace {

// The value a filter returns for a verdict, as compile() asks libseccomp for it (runc's EPERM
// where errnoRet is absent).
std::uint32_t filter_value(const Action& action) {
  switch (action.kind) {
    case ActionKind::kKillProcess: return SECCOMP_RET_KILL_PROCESS;
    case ActionKind::kKillThread: return SECCOMP_RET_KILL_THREAD;
    case ActionKind::kTrap: return SECCOMP_RET_TRAP;
    case ActionKind::kErrno: return SECCOMP_RET_ERRNO | (action.value.value_or(EPERM) & SECCOMP_RET_DATA);
    case ActionKind::kNotify: return SECCOMP_RET_USER_NOTIF;
    case ActionKind::kTrace: return SECCOMP_RET_TRACE | (action.value.value_or(EPERM) & SECCOMP_RET_DATA);
    case ActionKind::kLog: return SECCOMP_RET_LOG;
    case ActionKind::kAllow: return SECCOMP_RET_ALLOW;
  }
  return 0xdeadbeef;
}

std::uint32_t audit_arch(Arch arch) {
  return arch == Arch::kAarch64 ? AUDIT_ARCH_AARCH64 : AUDIT_ARCH_ARM;
}

// Every number worth asking on `arch`: 0 to past the newest call, and arm's private calls
// (__ARM_NR_BASE 0xf0000 and up).
std::vector<int> numbers(Arch arch) {
  std::vector<int> out;
  for (int nr = 0; nr <= max_syscall_number(arch) + 16; ++nr)
    out.push_back(nr);
  if (arch == Arch::kArm)
    for (int nr = 0xf0000; nr < 0xf0010; ++nr)
      out.push_back(nr);
  return out;
}

struct Compared {
  std::size_t calls = 0;
  std::size_t mismatches = 0;
};

Compared compare(const Profile& profile, const Context& context) {
  Compared result;
  const ResolvedProfile resolved = resolve(profile, context);
  auto program = compile(resolved, CompileMode::kAsIs);
  if (!program) {
    ADD_FAILURE() << profile.name << ": " << program.error().message;
    return result;
  }
  EXPECT_EQ(program->description.find("not compiled"), std::string::npos) << program->description;
  EXPECT_TRUE(bpf::check_program(program->instructions).ok()) << profile.name;
  const ResolvedProfile* const profiles[] = {&resolved};
  for (Arch arch : {Arch::kAarch64, Arch::kArm}) {
    for (int nr : numbers(arch)) {
      auto classes = argument_classes(profiles, arch, nr);
      if (!classes) {
        ADD_FAILURE() << profile.name << ": " << syscall_display_name(arch, nr) << " has too many classes";
        continue;
      }
      for (const auto& args : *classes) {
        const Verdict verdict = evaluate(resolved, arch, nr, args);
        seccomp_data data{};
        data.arch = audit_arch(arch);
        data.nr = nr;
        for (std::size_t i = 0; i < 6; ++i)
          data.args[i] = args[i];
        Result<std::uint32_t> value = bpf::run_program(program->instructions, data);
        ++result.calls;
        if (!value) {
          ADD_FAILURE() << profile.name << ": " << value.error().message;
          ++result.mismatches;
          continue;
        }
        if (*value == filter_value(verdict.action)) continue;
        if (++result.mismatches <= 10)
          ADD_FAILURE() << profile.name << " (" << describe(context) << "): " << arch_name(arch) << " "
                        << syscall_display_name(arch, nr) << " args[0]=" << args[0] << ": filter returns 0x"
                        << std::hex << *value << std::dec << ", the evaluator says "
                        << explain(verdict, resolved, &profile, arch, nr, args);
      }
    }
  }
  return result;
}

TEST(ArmCompile, LibseccompsAarch64ProgramAgreesWithTheEvaluatorOnEveryCall) {
  std::size_t calls = 0, mismatches = 0, profiles = 0;
  // The newest and the oldest entry of each family (the argument classes of every catalog entry
  // make 53 million calls, three minutes here; these span the rules the catalog has ever had).
  std::map<std::string, std::vector<const CatalogEntry*>> families;
  for (const CatalogEntry& entry : catalog_entries())
    families[entry.family].push_back(&entry);
  std::vector<std::string> names;
  for (const auto& [family, entries] : families) {
    names.push_back(entries.front()->name);
    for (const CatalogEntry* entry : entries)
      if (entry->latest) names.push_back(entry->name);
  }
  ASSERT_GE(names.size(), 5u);
  for (const std::string& name : names) {
    auto loaded = catalog_profiles(name);
    ASSERT_TRUE(loaded.ok()) << name;
    for (bool all_caps : {false, true}) {
      Context context;
      context.host_arch = Arch::kAarch64;
      context.libseccomp = KernelVersion{2, 5};  // the library compiling here: 2.5.4
      if (all_caps) context.capabilities = {all_capabilities().begin(), all_capabilities().end()};
      const Compared compared = compare(loaded->front(), context);
      calls += compared.calls;
      mismatches += compared.mismatches;
      ++profiles;
    }
  }
  EXPECT_EQ(mismatches, 0u) << "of " << calls << " calls";
  EXPECT_GT(calls, profiles * 700) << "aarch64 and arm numbers, each profile";
  std::cout << "[ arm64 ] " << profiles << " profile contexts, " << calls << " calls compared\n";
}

// The arm-only rules are what the test is about: docker allows arm_fadvise64_64 (includes
// arches arm/arm64) on arm and its catalog lists SCMP_ARCH_ARM for aarch64 hosts.
TEST(ArmCompile, ArmOnlyRulesReachTheArmContext) {
  auto docker = catalog_profiles("docker");
  ASSERT_TRUE(docker.ok());
  Context context;
  context.host_arch = Arch::kAarch64;
  const ResolvedProfile resolved = resolve(docker->front(), context);
  EXPECT_TRUE(arch_in_filter(resolved, Arch::kArm));
  EXPECT_FALSE(arch_in_filter(resolved, Arch::kX86_64));
  const int fadvise = *syscall_number(Arch::kArm, "arm_fadvise64_64");
  EXPECT_EQ(evaluate(resolved, Arch::kArm, fadvise, {}).action.kind, ActionKind::kAllow);
  auto program = compile(resolved, CompileMode::kAsIs);
  ASSERT_TRUE(program.ok()) << program.error().message;
  seccomp_data data{};
  data.arch = AUDIT_ARCH_ARM;
  data.nr = fadvise;
  EXPECT_EQ(*bpf::run_program(program->instructions, data), SECCOMP_RET_ALLOW);
  data.arch = AUDIT_ARCH_X86_64;
  EXPECT_EQ(*bpf::run_program(program->instructions, data), SECCOMP_RET_KILL_THREAD) << "not this host's ABI";
}

}  // namespace
}  // namespace seccheck::analysis
