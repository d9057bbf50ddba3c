// Classic BPF written with labels: every jump names where it goes and build() works out the
// offsets, so no caller computes one. A conditional jump reaches at most 255 instructions (jt and
// jf are 8 bits); build() sends a farther branch through an unconditional jump (JA, whose offset
// is 32 bits) placed right after it, and repeats until every offset fits. Jumps go forward only,
// as the kernel requires: a jump to a label placed before it is an error, as is an unplaced
// label, a program over BPF_MAXINSNS, or anything else seccomp(2) would refuse to load.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace seccheck::bpf {

class ProgramBuilder;

// Where a jump goes: a label made by one ProgramBuilder, or Label::next(), the instruction that
// follows the jump.
class Label {
 public:
  static Label next() { return Label(kNext); }
  bool operator==(const Label&) const = default;

 private:
  friend class ProgramBuilder;
  static constexpr std::uint32_t kNext = 0xffffffff;
  explicit Label(std::uint32_t id) : id_(id) {}
  std::uint32_t id_;
};

class ProgramBuilder {
 public:
  // A label to place later (or earlier, for labels no jump reaches backward). The name is for
  // error messages.
  Label label(std::string name);
  // Places `label` at the next instruction added.
  void place(Label label);

  // Any instruction that is not a jump (loads, stores, ALU, returns, TAX/TXA).
  void statement(std::uint16_t code, std::uint32_t k);
  void load_nr();    // A = seccomp_data.nr
  void load_arch();  // A = seccomp_data.arch
  void ret(std::uint32_t value);
  // JA: always to `target`.
  void jump(Label target);
  // A conditional jump: `code` is BPF_JMP with JEQ, JGT, JGE or JSET and BPF_K or BPF_X.
  void jump_if(std::uint16_t code, std::uint32_t k, Label if_true, Label if_false);

  // Appends a whole program whose jumps stay inside it (libseccomp's output, say). Its jumps
  // become label jumps, so they stay right whatever build() inserts. For each RET K in it,
  // `redirect` may name a label to jump to instead of returning.
  using RetRedirect = std::function<std::optional<Label>(std::uint32_t ret_value)>;
  void append(std::span<const sock_filter> code, const RetRedirect& redirect = {});

  // Instructions added so far, before build() adds any far-jump trampolines.
  std::size_t size() const { return items_.size(); }

  Result<std::vector<sock_filter>> build() const;

 private:
  struct Item {
    sock_filter insn;
    std::uint32_t if_true = Label::kNext;  // label ids, for jumps
    std::uint32_t if_false = Label::kNext;
  };
  struct LabelSlot {
    std::string name;
    std::optional<std::size_t> item;  // the item it is placed before; items_.size() = the end
  };
  void note_error(std::string message);
  bool known(Label label) const { return label.id_ == Label::kNext || label.id_ < labels_.size(); }

  std::vector<Item> items_;
  std::vector<LabelSlot> labels_;
  std::optional<std::string> error_;  // the first misuse, reported by build()
};

}  // namespace seccheck::bpf
