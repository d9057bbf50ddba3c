#include "analysis/containment.h"

#include <algorithm>
#include <bit>
#include <map>
#include <set>

#include "core/syscall_table.h"

namespace seccheck::analysis {
namespace {

// Limits that keep the enumeration small; real profiles stay far below them (RuntimeDefault
// profiles have at most two MASKED_EQ conditions on one argument of one call).
constexpr std::size_t kMaxMaskedConditions = 10;
constexpr std::size_t kMaxSearchSteps = 200000;
constexpr std::size_t kMaxClassesPerCall = std::size_t{1} << 20;

struct Masked {
  std::uint64_t mask;
  std::uint64_t datum;
  auto operator<=>(const Masked&) const = default;
};

// Values of [lo, hi] as aligned blocks: `value` with its low `free_bits` bits free.
struct Block {
  std::uint64_t value;
  unsigned free_bits;
};

std::vector<Block> aligned_blocks(std::uint64_t lo, std::uint64_t hi) {
  std::vector<Block> out;
  for (;;) {
    unsigned bits = 0;
    while (bits < 64) {
      const std::uint64_t size_minus_one =
          bits + 1 == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << (bits + 1)) - 1;
      if ((lo & size_minus_one) != 0 || size_minus_one > hi - lo) break;
      ++bits;
    }
    out.push_back({lo, bits});
    const std::uint64_t last = bits == 64 ? ~std::uint64_t{0} : lo + ((std::uint64_t{1} << bits) - 1);
    if (last >= hi) break;
    lo = last + 1;
  }
  return out;
}

// Finds free bits that make every condition of `pending` false: each needs one bit of its mask
// (among `free`) set against its datum. Bits with the same role in every pending condition are
// interchangeable, so one of each role is tried.
class Falsifier {
 public:
  Falsifier(const std::vector<Masked>& pending, std::uint64_t free) : pending_(pending), free_(free) {}

  // The assignment of free bits (value, which bits were set), or nullopt; nullopt with
  // exhausted() when the search gave up.
  std::optional<std::uint64_t> solve() {
    assigned_ = 0;
    values_ = 0;
    if (search()) return values_;
    return std::nullopt;
  }
  bool exhausted() const { return steps_ > kMaxSearchSteps; }

 private:
  bool falsified(const Masked& c) const { return ((values_ ^ c.datum) & c.mask & assigned_) != 0; }

  bool search() {
    if (++steps_ > kMaxSearchSteps) return false;
    const Masked* open = nullptr;
    for (const Masked& c : pending_) {
      if (!falsified(c)) {
        open = &c;
        break;
      }
    }
    if (open == nullptr) return true;
    std::uint64_t candidates = open->mask & free_ & ~assigned_;
    std::set<std::vector<int>> roles;
    while (candidates != 0) {
      const std::uint64_t bit = candidates & (~candidates + 1);
      candidates &= candidates - 1;
      std::vector<int> role;
      for (const Masked& c : pending_)
        role.push_back((c.mask & bit) == 0 ? 0 : ((c.datum & bit) != 0 ? 2 : 1));
      if (!roles.insert(role).second) continue;
      const std::uint64_t saved_values = values_;
      assigned_ |= bit;
      if ((open->datum & bit) == 0) values_ |= bit;  // against the datum
      if (search()) return true;
      assigned_ &= ~bit;
      values_ = saved_values;
    }
    return false;
  }

  const std::vector<Masked>& pending_;
  std::uint64_t free_;
  std::uint64_t assigned_ = 0;
  std::uint64_t values_ = 0;
  std::size_t steps_ = 0;
};

// A value in `block` for which exactly the conditions in `truth` (bit j: masked[j]) hold, or
// nullopt. `exhausted` is set when the search gave up.
std::optional<std::uint64_t> witness(const Block& block, std::uint64_t all_bits,
                                     const std::vector<Masked>& masked, std::uint32_t truth,
                                     bool& exhausted) {
  const std::uint64_t free = block.free_bits >= 64 ? all_bits : ((std::uint64_t{1} << block.free_bits) - 1);
  const std::uint64_t fixed = all_bits & ~free;
  std::uint64_t set_mask = fixed;
  std::uint64_t set_values = block.value & fixed;
  // Conditions that must hold fix the bits their masks look at.
  for (std::size_t j = 0; j < masked.size(); ++j) {
    if ((truth & (1u << j)) == 0) continue;
    const Masked& c = masked[j];
    if ((c.datum & ~c.mask) != 0) return std::nullopt;
    const std::uint64_t overlap = c.mask & set_mask;
    if ((set_values & overlap) != (c.datum & overlap)) return std::nullopt;
    set_mask |= c.mask;
    set_values = (set_values & ~c.mask) | c.datum;
  }
  // Conditions that must fail: already failing on fixed bits, or need a free bit against them.
  std::vector<Masked> pending;
  for (std::size_t j = 0; j < masked.size(); ++j) {
    if ((truth & (1u << j)) != 0) continue;
    const Masked& c = masked[j];
    if ((c.datum & ~c.mask) != 0) continue;  // never holds
    if (((set_values ^ c.datum) & c.mask & set_mask) != 0) continue;
    if ((c.mask & ~set_mask) == 0) return std::nullopt;  // every bit it looks at agrees: it holds
    pending.push_back(c);
  }
  if (pending.empty()) return set_values;
  Falsifier falsifier(pending, all_bits & ~set_mask);
  auto values = falsifier.solve();
  if (!values) {
    exhausted = exhausted || falsifier.exhausted();
    return std::nullopt;
  }
  return set_values | *values;
}

std::uint64_t truncate(std::uint64_t value, bool low_words) {
  return low_words ? value & 0xffffffffu : value;
}

bool same_decisions(const std::vector<Verdict>& a, const std::vector<Verdict>& b) {
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(a[i].action == b[i].action) || a[i].bad_arch() != b[i].bad_arch()) return false;
  return true;
}

}  // namespace

std::optional<std::vector<std::uint64_t>>
argument_representatives(const std::vector<ArgCondition>& conditions, bool low_words) {
  const std::uint64_t all_bits = low_words ? 0xffffffffu : ~std::uint64_t{0};
  std::set<std::uint64_t> starts{0};
  std::set<Masked> masked_set;
  auto cut = [&](std::uint64_t value, bool after) {
    if (!after) {
      starts.insert(value);
    } else if (value < all_bits) {
      starts.insert(value + 1);
    }
  };
  for (const ArgCondition& c : conditions) {
    const std::uint64_t value = truncate(c.value, low_words);
    switch (c.op) {
      case CompareOp::kEq:
      case CompareOp::kNe:
        cut(value, false);
        cut(value, true);
        break;
      case CompareOp::kLt:
      case CompareOp::kGe: cut(value, false); break;
      case CompareOp::kLe:
      case CompareOp::kGt: cut(value, true); break;
      case CompareOp::kMaskedEq: {
        const Masked m{value, truncate(c.value_two, low_words)};
        if ((m.datum & ~m.mask) == 0) masked_set.insert(m);  // else it never holds: no split
        break;
      }
    }
  }
  const std::vector<Masked> masked(masked_set.begin(), masked_set.end());
  if (masked.size() > kMaxMaskedConditions) return std::nullopt;

  std::vector<std::uint64_t> out;
  const std::vector<std::uint64_t> bounds(starts.begin(), starts.end());
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    const std::uint64_t lo = bounds[i];
    const std::uint64_t hi = i + 1 < bounds.size() ? bounds[i + 1] - 1 : all_bits;
    if (masked.empty()) {
      out.push_back(lo);
      continue;
    }
    // Every truth vector of the MASKED_EQ conditions some value of [lo, hi] gives.
    std::set<std::uint32_t> found;
    const std::uint32_t vectors = std::uint32_t{1} << masked.size();
    bool exhausted = false;
    for (const Block& block : aligned_blocks(lo, hi)) {
      for (std::uint32_t truth = 0; truth < vectors; ++truth) {
        if (found.count(truth)) continue;
        if (auto value = witness(block, all_bits, masked, truth, exhausted)) {
          found.insert(truth);
          out.push_back(*value);
        }
      }
      if (found.size() == vectors) break;
    }
    if (exhausted) return std::nullopt;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<std::vector<std::array<std::uint64_t, 6>>>
argument_classes(std::span<const ResolvedProfile* const> profiles, Arch arch, int nr,
                 std::vector<unsigned>* indices) {
  std::vector<std::array<std::uint64_t, 6>> out;
  if (indices != nullptr) indices->clear();
  const auto name = syscall_name(arch, nr);
  if (!name) return std::vector<std::array<std::uint64_t, 6>>{{}};
  // The conditions of every rule naming the call, per argument.
  std::array<std::vector<ArgCondition>, 6> by_arg;
  for (const ResolvedProfile* profile : profiles)
    for (const EffectiveRule& rule : effective_rules(*profile, *name))
      for (const ArgCondition& c : rule.args)
        if (c.index < 6) by_arg[c.index].push_back(c);
  std::array<std::vector<std::uint64_t>, 6> values;
  std::size_t total = 1;
  for (unsigned index = 0; index < 6; ++index) {
    if (by_arg[index].empty()) {
      values[index] = {0};
      continue;
    }
    if (indices != nullptr) indices->push_back(index);
    auto representatives = argument_representatives(by_arg[index], is_32bit_abi(arch));
    if (!representatives || representatives->size() > kMaxClassesPerCall / total) return std::nullopt;
    values[index] = std::move(*representatives);
    total *= values[index].size();
  }
  std::array<std::size_t, 6> position{};
  for (std::size_t n = 0; n < total; ++n) {
    std::array<std::uint64_t, 6> args{};
    for (unsigned index = 0; index < 6; ++index)
      args[index] = values[index][position[index]];
    out.push_back(args);
    for (unsigned index = 0; index < 6; ++index) {
      if (++position[index] < values[index].size()) break;
      position[index] = 0;
    }
  }
  return out;
}

std::vector<std::string> for_each_call_class(std::span<const ResolvedProfile* const> profiles,
                                             const ClassVisitor& visit) {
  std::vector<std::string> incomplete;
  std::vector<Verdict> verdicts(profiles.size());
  auto evaluate_all = [&](Arch arch, int nr, const std::array<std::uint64_t, 6>& args) {
    for (std::size_t i = 0; i < profiles.size(); ++i)
      verdicts[i] = evaluate(*profiles[i], arch, nr, args);
  };
  const std::array<std::uint64_t, 6> zero{};
  // Only the host's own ABIs reach its filters (the profiles share one context).
  const Arch host = profiles.empty() ? Arch::kX86_64 : profiles.front()->context.host_arch;
  for (Arch arch : kAllArches) {
    if (host_arch_of(arch) != host) continue;
    // Numbers that name no call are decided alike but for runc's stub limits: one evaluation per
    // stretch between named numbers and limits (arm's private calls sit near 0xf0000, so the
    // numbers are not walked one by one).
    std::set<int> cuts;
    for (const ResolvedProfile* profile : profiles)
      if (const EnosysStub* stub = enosys_stub_for(*profile, arch)) cuts.insert(stub->above + 1);
    std::optional<CallClass> run;
    std::vector<Verdict> run_verdicts;
    auto flush = [&] {
      if (run) visit(*run, run_verdicts);
      run.reset();
    };
    // Unnamed numbers from `first` to `last` (kOpenEnded: and every higher one).
    auto unnamed = [&](int first, int last) {
      while (last == kOpenEnded || first <= last) {
        auto cut = cuts.upper_bound(first);
        int piece_last = last;
        if (cut != cuts.end() && (last == kOpenEnded || *cut - 1 < last)) piece_last = *cut - 1;
        evaluate_all(arch, first, zero);
        if (run && same_decisions(run_verdicts, verdicts)) {
          run->nr_last = piece_last;
        } else {
          flush();
          run = CallClass{arch, first, piece_last, zero, {}};
          run_verdicts = verdicts;
        }
        if (piece_last == kOpenEnded || piece_last == last) break;
        first = piece_last + 1;
      }
    };
    std::set<int> named_numbers;
    for (const SyscallEntry& entry : syscall_table())
      if (const int number = syscall_number_on(entry, arch); number >= 0) named_numbers.insert(number);
    int next = 0;
    for (const int nr : named_numbers) {
      if (nr > next) unnamed(next, nr - 1);
      next = nr + 1;
      const auto name = syscall_name(arch, nr);
      flush();
      std::vector<unsigned> indices;
      const auto classes = argument_classes(profiles, arch, nr, &indices);
      if (!classes) {
        incomplete.push_back(std::string(*name) + " on " + std::string(arch_name(arch)));
        continue;
      }
      CallClass call{arch, nr, nr, {}, indices};
      for (const auto& args : *classes) {
        call.args = args;
        evaluate_all(arch, nr, call.args);
        visit(call, verdicts);
      }
    }
    unnamed(next, kOpenEnded);
    flush();
  }
  return incomplete;
}

ContainmentResult check_within(const ResolvedProfile& custom, const ResolvedProfile& base) {
  ContainmentResult result;
  const ResolvedProfile* profiles[] = {&custom, &base};
  std::map<std::tuple<Arch, int>, std::size_t> by_call;
  result.incomplete =
      for_each_call_class(profiles, [&](const CallClass& call, const std::vector<Verdict>& verdicts) {
        ++result.classes_checked;
        if (verdicts[0].blocked() || !verdicts[1].blocked()) return;
        auto [it, added] = by_call.try_emplace({call.arch, call.nr}, result.counterexamples.size());
        if (!added) {
          ++result.counterexamples[it->second].classes;
          return;
        }
        Counterexample example;
        example.call = call;
        example.syscall = syscall_display_name(call.arch, call.nr);
        example.custom = verdicts[0];
        example.base = verdicts[1];
        result.counterexamples.push_back(std::move(example));
      });
  return result;
}

std::string call_class_text(const CallClass& call) {
  const std::string on = " on " + std::string(arch_name(call.arch));
  const std::string first = syscall_display_name(call.arch, call.nr);
  if (call.nr_last == kOpenEnded) return "every number from " + std::to_string(call.nr) + on;
  if (call.nr_last > call.nr) return first + ".." + syscall_display_name(call.arch, call.nr_last) + on;
  std::string out = first;
  for (std::size_t i = 0; i < call.arg_indices.size(); ++i) {
    const unsigned index = call.arg_indices[i];
    out += (i ? ", " : " [") + arg_condition_text(ArgCondition{index, CompareOp::kEq, call.args[index], 0});
  }
  if (!call.arg_indices.empty()) out += "]";
  return out + on;
}

}  // namespace seccheck::analysis
