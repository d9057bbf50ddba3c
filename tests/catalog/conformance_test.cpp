// Conformance (issue 3, "Proof"): every catalog profile, resolved for (default caps, x86_64
// host, kernel 6.1) and for all caps, gives the same verdict as the reference JSON it was
// derived from (parsed and resolved the same way) for every x86_64, i386 and x32 syscall
// number and for the boundary argument values of every argument-filtered rule.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "analysis/catalog.h"
#include "analysis/evaluate.h"
#include "analysis/explain.h"
#include "analysis/profile_parser.h"
#include "analysis/resolve.h"
#include "core/syscall_table.h"
#include "tests/support/run_process.h"

namespace seccheck::analysis {
namespace {

using Args = std::array<std::uint64_t, 6>;

// Values around a comparison's datum, plus the same with high bits set (32-bit ABIs compare
// only the low 32 bits).
std::vector<std::uint64_t> boundary_values(const ArgCondition& condition) {
  std::vector<std::uint64_t> values;
  if (condition.op == CompareOp::kMaskedEq) {
    const std::uint64_t mask = condition.value, datum = condition.value_two;
    values = {datum, datum | ~mask, mask, ~std::uint64_t{0}};
    for (int bit = 0; bit < 64; ++bit) {
      if (mask & (std::uint64_t{1} << bit)) values.push_back(datum ^ (std::uint64_t{1} << bit));
    }
  } else {
    const std::uint64_t v = condition.value;
    values = {v, v + 1, v - 1, 0, ~std::uint64_t{0}};
  }
  const std::size_t plain = values.size();
  for (std::size_t i = 0; i < plain; ++i)
    values.push_back(values[i] ^ (std::uint64_t{1} << 32));
  return values;
}

// A value that satisfies the condition (for rules with several conditions).
std::uint64_t satisfying(const ArgCondition& condition) {
  switch (condition.op) {
    case CompareOp::kNe: return condition.value + 1;
    case CompareOp::kLt: return condition.value - 1;
    case CompareOp::kGt: return condition.value + 1;
    case CompareOp::kMaskedEq: return condition.value_two;
    default: return condition.value;
  }
}

// Argument vectors worth evaluating for `name`: zeros, each condition's boundaries with the
// other arguments satisfying their conditions or zero.
std::vector<Args> argument_cases(const std::vector<const Profile*>& profiles, const std::string& name) {
  std::set<Args> cases = {Args{}};
  for (const Profile* profile : profiles) {
    for (const auto& rule : profile->rules) {
      if (rule.args.empty()) continue;
      if (std::find(rule.names.begin(), rule.names.end(), name) == rule.names.end()) continue;
      Args satisfied{};
      for (const auto& condition : rule.args)
        satisfied[condition.index] = satisfying(condition);
      cases.insert(satisfied);
      for (const auto& condition : rule.args) {
        for (std::uint64_t value : boundary_values(condition)) {
          Args alone{}, with_others = satisfied;
          alone[condition.index] = value;
          with_others[condition.index] = value;
          cases.insert(alone);
          cases.insert(with_others);
        }
      }
    }
  }
  return {cases.begin(), cases.end()};
}

std::string verdict_text(const Verdict& verdict) {
  return std::to_string(static_cast<int>(verdict.action.kind)) + "/" +
         (verdict.action.value ? std::to_string(*verdict.action.value) : "-") +
         (verdict.bad_arch() ? "/bad-arch" : "");
}

TEST(Conformance, CatalogVerdictsEqualTheReferenceFiles) {
  const std::string shared = testing::shared_dir();
  if (shared.empty())
    GTEST_SKIP() << "../shared/reference-profiles is absent: no reference files to conform to";
  Context defaults;
  defaults.kernel = {6, 1};
  defaults.host_arch = Arch::kX86_64;
  Context all = defaults;
  all.capabilities = {all_capabilities().begin(), all_capabilities().end()};

  long evaluations = 0;
  for (const auto& entry : catalog_entries()) {
    auto reference = load_profile_file(shared + "/reference-profiles/" + entry.reference_file);
    ASSERT_TRUE(reference) << reference.error().message;
    auto ours = catalog_profiles(entry.name);
    ASSERT_TRUE(ours);
    const Profile& catalog = ours->front();
    // The reference parsed from its file is named after the file; give it the entry's name so
    // both are read by the same loader.
    Profile named_reference = *reference;
    named_reference.name = catalog.name;
    for (const Context* context : {&defaults, &all}) {
      SCOPED_TRACE(entry.name + (context == &all ? " all caps" : " default caps"));
      const ResolvedProfile left = resolve(catalog, *context);
      const ResolvedProfile right = resolve(named_reference, *context);
      int mismatches = 0;
      for (Arch arch : kX86Arches) {
        // Every number the table assigns, the holes between them, and a few past the end
        // (runc's ENOSYS stub answers those).
        for (int nr = 0; nr <= max_syscall_number(arch) + 8; ++nr) {
          const auto name = syscall_name(arch, nr);
          const std::vector<Args> cases =
              name ? argument_cases({&catalog, &named_reference}, std::string(*name))
                   : std::vector<Args>{Args{}};
          for (const Args& args : cases) {
            const Verdict a = evaluate(left, arch, nr, args);
            const Verdict b = evaluate(right, arch, nr, args);
            ++evaluations;
            if (verdict_text(a) != verdict_text(b) && ++mismatches <= 5) {
              ADD_FAILURE() << arch_name(arch) << " nr " << nr << " (" << (name ? *name : "?")
                            << ") args[0]=" << args[0] << ": catalog " << verdict_text(a) << " ("
                            << explain(a, left, nullptr, arch, nr, args) << "), reference " << verdict_text(b)
                            << " (" << explain(b, right, nullptr, arch, nr, args) << ")";
            }
          }
        }
      }
      EXPECT_EQ(mismatches, 0);
    }
  }
  // 27 entries x 2 contexts x 3 ABIs x ~470 numbers, plus the argument cases.
  EXPECT_GT(evaluations, 27L * 2 * 3 * 450);
  std::cout << "[conformance] " << evaluations << " verdicts compared\n";
}

TEST(Conformance, CatalogKeepsFileOrderWhereLibseccompCares) {
  // Among unconditional rules of one syscall the first added wins (evaluate.h), so the
  // catalog must keep the upstream order: containers-common 0.50.1 allows setns (the big ALLOW
  // list comes first) although a later rule denies it without CAP_SYS_ADMIN.
  auto profiles = catalog_profiles("containers-common@0.50.1");
  ASSERT_TRUE(profiles);
  Context context;
  context.kernel = {6, 1};
  const ResolvedProfile resolved = resolve(profiles->front(), context);
  const Verdict setns = evaluate(resolved, Arch::kX86_64, *syscall_number(Arch::kX86_64, "setns"), Args{});
  EXPECT_EQ(setns.action.kind, ActionKind::kAllow)
      << explain(setns, resolved, nullptr, Arch::kX86_64, *syscall_number(Arch::kX86_64, "setns"), Args{});
}

}  // namespace
}  // namespace seccheck::analysis
