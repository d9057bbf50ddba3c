#include "bpf/program_builder.h"

#include <linux/seccomp.h>

#include <cstddef>
#include <utility>

#include "bpf/interpreter.h"

namespace seccheck::bpf {
namespace {

constexpr std::size_t kMaxConditionalSkip = 255;  // jt and jf are 8 bits

bool is_conditional_jump(std::uint16_t code) {
  return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

}  // namespace

void ProgramBuilder::note_error(std::string message) {
  if (!error_) error_ = std::move(message);
}

Label ProgramBuilder::label(std::string name) {
  labels_.push_back(LabelSlot{std::move(name), std::nullopt});
  return Label(static_cast<std::uint32_t>(labels_.size() - 1));
}

void ProgramBuilder::place(Label label) {
  if (label == Label::next() || !known(label))
    return note_error("place() was given a label this builder did not make");
  LabelSlot& slot = labels_[label.id_];
  if (slot.item) return note_error("label '" + slot.name + "' is placed twice");
  slot.item = items_.size();
}

void ProgramBuilder::statement(std::uint16_t code, std::uint32_t k) {
  if (BPF_CLASS(code) == BPF_JMP)
    return note_error("instruction " + std::to_string(items_.size()) + " is a jump given as a statement");
  items_.push_back(Item{sock_filter{code, 0, 0, k}});
}

void ProgramBuilder::load_nr() {
  statement(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr));
}

void ProgramBuilder::load_arch() {
  statement(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch));
}

void ProgramBuilder::ret(std::uint32_t value) {
  statement(BPF_RET | BPF_K, value);
}

void ProgramBuilder::jump(Label target) {
  if (!known(target)) return note_error("jump() was given a label this builder did not make");
  items_.push_back(Item{sock_filter{BPF_JMP | BPF_JA, 0, 0, 0}, target.id_, Label::kNext});
}

void ProgramBuilder::jump_if(std::uint16_t code, std::uint32_t k, Label if_true, Label if_false) {
  if (!is_conditional_jump(code))
    return note_error("instruction " + std::to_string(items_.size()) + " is not a conditional jump");
  if (!known(if_true) || !known(if_false))
    return note_error("jump_if() was given a label this builder did not make");
  items_.push_back(Item{sock_filter{code, 0, 0, k}, if_true.id_, if_false.id_});
}

void ProgramBuilder::append(std::span<const sock_filter> code, const RetRedirect& redirect) {
  // Labels for the instructions the program's own jumps reach, made as the jumps are met (they
  // point forward) and placed as the instructions are added.
  std::vector<std::optional<Label>> targets(code.size());
  auto target = [&](std::size_t from, std::uint32_t skip) {
    if (skip == 0) return Label::next();
    const std::size_t to = from + 1 + skip;
    if (to >= code.size()) {
      note_error("instruction " + std::to_string(from) + " of an appended program jumps past its end");
      return Label::next();
    }
    if (!targets[to]) targets[to] = label("instruction " + std::to_string(to) + " of an appended program");
    return *targets[to];
  };
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (targets[i]) place(*targets[i]);
    const sock_filter& insn = code[i];
    if (insn.code == (BPF_JMP | BPF_JA)) {
      jump(target(i, insn.k));
    } else if (is_conditional_jump(insn.code)) {
      const Label if_true = target(i, insn.jt);
      jump_if(insn.code, insn.k, if_true, target(i, insn.jf));
    } else if (std::optional<Label> instead =
                   insn.code == (BPF_RET | BPF_K) && redirect ? redirect(insn.k) : std::nullopt) {
      jump(*instead);
    } else {
      statement(insn.code, insn.k);
    }
  }
}

Result<std::vector<sock_filter>> ProgramBuilder::build() const {
  if (error_) return make_error(*error_);
  const std::size_t count = items_.size();
  if (count == 0) return make_error("the program is empty");

  // Every label a jump uses must be placed after the jump and before the end.
  for (std::size_t i = 0; i < count; ++i) {
    if (BPF_CLASS(items_[i].insn.code) != BPF_JMP) continue;
    for (std::uint32_t id : {items_[i].if_true, items_[i].if_false}) {
      if (id == Label::kNext) continue;
      const LabelSlot& slot = labels_[id];
      if (!slot.item) return make_error("label '" + slot.name + "' is jumped to but never placed");
      if (*slot.item <= i)
        return make_error("instruction " + std::to_string(i) + " jumps back to label '" + slot.name +
                          "'; classic BPF jumps forward only");
      if (*slot.item == count)
        return make_error("label '" + slot.name + "' is placed after the last instruction");
    }
  }

  // Which branches need a trampoline. Adding one moves everything after it, which can push other
  // branches past 255, so repeat until nothing changes; flags are only ever set, so this ends.
  std::vector<bool> far_true(count), far_false(count);
  std::vector<std::size_t> position(count + 1);
  auto target_of = [&](std::size_t i, std::uint32_t id) {
    return id == Label::kNext ? position[i + 1] : position[*labels_[id].item];
  };
  for (bool changed = true; changed;) {
    changed = false;
    std::size_t next = 0;
    for (std::size_t i = 0; i < count; ++i) {
      position[i] = next;
      next += 1 + far_true[i] + far_false[i];
    }
    position[count] = next;
    for (std::size_t i = 0; i < count; ++i) {
      if (!is_conditional_jump(items_[i].insn.code)) continue;
      const std::size_t base = position[i] + 1;
      if (!far_true[i] && target_of(i, items_[i].if_true) - base > kMaxConditionalSkip)
        far_true[i] = changed = true;
      if (!far_false[i] && target_of(i, items_[i].if_false) - base > kMaxConditionalSkip)
        far_false[i] = changed = true;
    }
  }
  if (position[count] > BPF_MAXINSNS)
    return make_error("the program has " + std::to_string(position[count]) +
                      " instructions, over the kernel's limit of " + std::to_string(BPF_MAXINSNS));

  std::vector<sock_filter> code;
  code.reserve(position[count]);
  for (std::size_t i = 0; i < count; ++i) {
    sock_filter insn = items_[i].insn;
    const std::size_t base = position[i] + 1;
    if (insn.code == (BPF_JMP | BPF_JA)) {
      insn.k = static_cast<std::uint32_t>(target_of(i, items_[i].if_true) - base);
      code.push_back(insn);
    } else if (is_conditional_jump(insn.code)) {
      const std::size_t to_true = target_of(i, items_[i].if_true);
      const std::size_t to_false = target_of(i, items_[i].if_false);
      // Trampolines follow the jump: the true branch's first, then the false branch's.
      insn.jt = static_cast<std::uint8_t>(far_true[i] ? 0 : to_true - base);
      insn.jf = static_cast<std::uint8_t>(far_false[i] ? far_true[i] : to_false - base);
      code.push_back(insn);
      if (far_true[i])
        code.push_back(
            sock_filter{BPF_JMP | BPF_JA, 0, 0, static_cast<std::uint32_t>(to_true - code.size() - 1)});
      if (far_false[i])
        code.push_back(
            sock_filter{BPF_JMP | BPF_JA, 0, 0, static_cast<std::uint32_t>(to_false - code.size() - 1)});
    } else {
      code.push_back(insn);
    }
  }
  if (Result<void> loadable = check_program(code); !loadable)
    return make_error("the kernel would refuse the program: " + loadable.error().message);
  return code;
}

}  // namespace seccheck::bpf
