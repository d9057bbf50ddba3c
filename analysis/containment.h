// Exact comparisons of resolved profiles over every call: each ABI, each syscall number and
// every argument value, with the evaluator's semantics (evaluate.h: libseccomp's rule merging,
// low words on 32-bit ABIs, runc's ENOSYS stub, the bad-arch action).
//
// Why a finite set of calls decides it: for one (ABI, number) a profile's verdict depends on
// the arguments only through the truth values of the conditions of the rules naming the call.
// So the verdicts of several profiles are constant on each class of argument vectors that gives
// every one of those conditions the same truth value, and one representative per class stands
// for all. Per argument, comparisons (EQ, NE, LT, LE, GT, GE) cut the value range into
// intervals; MASKED_EQ conditions do not, but within an aligned block of values (fixed high
// bits, free low bits) whether a set of them can be made exactly true/false at once is a small
// constraint problem over the bits the masks look at, solved exactly here. Classes of different
// arguments combine as a product. Numbers that name no call behave alike except for runc's
// ENOSYS stub limit, so every number up to the highest name or limit plus one stands for all.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analysis/evaluate.h"
#include "analysis/resolve.h"

namespace seccheck::analysis {

// A representative call of one class.
struct CallClass {
  Arch arch = Arch::kX86_64;
  int nr = 0;
  // nr_last > nr: every number in [nr, nr_last] (numbers naming no call, decided alike);
  // kOpenEnded: nr and every higher number.
  int nr_last = 0;
  std::array<std::uint64_t, 6> args{};
  std::vector<unsigned> arg_indices;  // the arguments some rule of the call looks at
};
inline constexpr int kOpenEnded = -1;

// Calls `visit` with one representative of every class of calls on which each of `profiles`
// decides one way, and their verdicts (in profile order), over the ABIs of the profiles' host
// (context.host_arch; an x86_64 kernel never reports an arm call). Returns the calls whose argument
// partition was too large to enumerate (each named once; empty: the enumeration was complete).
using ClassVisitor = std::function<void(const CallClass& call, const std::vector<Verdict>& verdicts)>;
std::vector<std::string> for_each_call_class(std::span<const ResolvedProfile* const> profiles,
                                             const ClassVisitor& visit);

// Representative values of one argument: at least one in every class of values on which every
// condition (all on this argument; values as written, truncated here when `low_words`) has the
// same truth value (one per interval the comparisons cut and truth vector of the MASKED_EQ
// conditions in it), sorted. nullopt when too many MASKED_EQ conditions make the enumeration
// too large.
std::optional<std::vector<std::uint64_t>>
argument_representatives(const std::vector<ArgCondition>& conditions, bool low_words);

// One argument vector from every class of arguments of call (arch, nr) under `profiles` (the
// product of argument_representatives() over the arguments their rules look at, which
// `indices` receives); one vector of zeros for a call no rule conditions on. nullopt when the
// partition is too large to enumerate.
std::optional<std::vector<std::array<std::uint64_t, 6>>>
argument_classes(std::span<const ResolvedProfile* const> profiles, Arch arch, int nr,
                 std::vector<unsigned>* indices = nullptr);

// A call CUSTOM lets through (ALLOW or LOG) and BASE blocks.
struct Counterexample {
  CallClass call;
  std::string syscall;  // display name: "unshare", "syscall_0x1c8"
  Verdict custom;
  Verdict base;
  std::size_t classes = 1;  // argument classes of this call with the same outcome
};

struct ContainmentResult {
  // One per (ABI, number or range of unnamed numbers), with the first argument class found.
  std::vector<Counterexample> counterexamples;
  std::vector<std::string> incomplete;  // calls not enumerated (see for_each_call_class)
  std::uint64_t classes_checked = 0;

  // CUSTOM allows nothing BASE blocks, proven over every call.
  bool within() const { return counterexamples.empty() && incomplete.empty(); }
};

// Does CUSTOM allow anything BASE blocks? Both resolved for the same context.
ContainmentResult check_within(const ResolvedProfile& custom, const ResolvedProfile& base);

// "unshare [arg0 == 0x10000000] on x86_64", "syscall_0x1c8..syscall_0x1ff on x86_64",
// "every number from 463 on x32": the call of a class, for messages.
std::string call_class_text(const CallClass& call);

}  // namespace seccheck::analysis
