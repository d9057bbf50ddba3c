#include "bpf/interpreter.h"

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "core/number_format.h"

namespace seccheck::bpf {
namespace {

constexpr std::uint32_t kDataSize = sizeof(seccomp_data);

Error at(std::size_t pc, const sock_filter& insn, const std::string& what) {
  return make_error("instruction " + std::to_string(pc) + " (code " + hex(insn.code) + ", k " + hex(insn.k) +
                    "): " + what);
}

// The opcodes seccomp(2) accepts (the kernel's seccomp_check_filter): LD/LDX W LEN and LD W ABS
// are rewritten there, everything else passes as it is. Packet loads (H/B ABS, IND, MSH) and MOD
// are refused.
bool seccomp_allows(std::uint16_t code) {
  switch (code) {
    case BPF_LD | BPF_W | BPF_ABS:
    case BPF_LD | BPF_W | BPF_LEN:
    case BPF_LDX | BPF_W | BPF_LEN:
    case BPF_LD | BPF_IMM:
    case BPF_LDX | BPF_IMM:
    case BPF_LD | BPF_MEM:
    case BPF_LDX | BPF_MEM:
    case BPF_ST:
    case BPF_STX:
    case BPF_MISC | BPF_TAX:
    case BPF_MISC | BPF_TXA:
    case BPF_RET | BPF_K:
    case BPF_RET | BPF_A:
    case BPF_ALU | BPF_NEG:
    case BPF_JMP | BPF_JA: return true;
  }
  if (BPF_CLASS(code) == BPF_ALU && (code & ~(BPF_OP(0xff) | BPF_SRC(0xff) | BPF_CLASS(0xff))) == 0) {
    switch (BPF_OP(code)) {
      case BPF_ADD:
      case BPF_SUB:
      case BPF_MUL:
      case BPF_DIV:
      case BPF_AND:
      case BPF_OR:
      case BPF_XOR:
      case BPF_LSH:
      case BPF_RSH: return true;
    }
  }
  if (BPF_CLASS(code) == BPF_JMP && (code & ~(BPF_OP(0xff) | BPF_SRC(0xff) | BPF_CLASS(0xff))) == 0) {
    switch (BPF_OP(code)) {
      case BPF_JEQ:
      case BPF_JGT:
      case BPF_JGE:
      case BPF_JSET: return true;
    }
  }
  return false;
}

bool is_conditional_jump(std::uint16_t code) {
  return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

bool jump_taken(std::uint16_t code, std::uint32_t a, std::uint32_t operand) {
  switch (BPF_OP(code)) {
    case BPF_JEQ: return a == operand;
    case BPF_JGT: return a > operand;
    case BPF_JGE: return a >= operand;
    default: return (a & operand) != 0;  // BPF_JSET
  }
}

bool is_memory_access(std::uint16_t code) {
  return code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM) || code == BPF_ST || code == BPF_STX;
}

// The kernel's check that no path reads a scratch cell before writing it (check_load_and_stores):
// one forward pass, every jump narrowing what its targets may assume.
Result<void> check_scratch_cells(std::span<const sock_filter> code) {
  std::vector<std::uint16_t> valid_at(code.size(), 0xffff);
  std::uint16_t valid = 0;
  for (std::size_t pc = 0; pc < code.size(); ++pc) {
    const sock_filter& insn = code[pc];
    valid &= valid_at[pc];
    if (insn.code == BPF_ST || insn.code == BPF_STX) {
      valid |= static_cast<std::uint16_t>(1u << insn.k);
    } else if (insn.code == (BPF_LD | BPF_MEM) || insn.code == (BPF_LDX | BPF_MEM)) {
      if ((valid & (1u << insn.k)) == 0)
        return at(pc, insn, "reads scratch cell " + std::to_string(insn.k) + " before a path writes it");
    } else if (insn.code == (BPF_JMP | BPF_JA)) {
      valid_at[pc + 1 + insn.k] &= valid;
      valid = 0xffff;
    } else if (is_conditional_jump(insn.code)) {
      valid_at[pc + 1 + insn.jt] &= valid;
      valid_at[pc + 1 + insn.jf] &= valid;
      valid = 0xffff;
    }
  }
  return {};
}

}  // namespace

Result<void> check_program(std::span<const sock_filter> code) {
  if (code.empty()) return make_error("the program is empty");
  if (code.size() > BPF_MAXINSNS)
    return make_error("the program has " + std::to_string(code.size()) +
                      " instructions, over the kernel's limit of " + std::to_string(BPF_MAXINSNS));
  for (std::size_t pc = 0; pc < code.size(); ++pc) {
    const sock_filter& insn = code[pc];
    const std::size_t after = code.size() - pc - 1;  // instructions after this one
    if (!seccomp_allows(insn.code)) return at(pc, insn, "an instruction seccomp filters may not use");
    if (insn.code == (BPF_ALU | BPF_DIV | BPF_K) && insn.k == 0)
      return at(pc, insn, "divides by a constant 0");
    if ((insn.code == (BPF_ALU | BPF_LSH | BPF_K) || insn.code == (BPF_ALU | BPF_RSH | BPF_K)) &&
        insn.k >= 32)
      return at(pc, insn, "shifts by 32 or more");
    if (is_memory_access(insn.code) && insn.k >= BPF_MEMWORDS)
      return at(pc, insn, "scratch cell " + std::to_string(insn.k) + " does not exist (there are 16)");
    if (insn.code == (BPF_JMP | BPF_JA) && insn.k >= after)
      return at(pc, insn, "jumps past the last instruction");
    if (is_conditional_jump(insn.code) && (insn.jt >= after || insn.jf >= after))
      return at(pc, insn, "jumps past the last instruction");
    if (insn.code == (BPF_LD | BPF_W | BPF_ABS) && (insn.k >= kDataSize || insn.k % 4 != 0))
      return at(pc, insn, "loads outside seccomp_data (64 bytes, 4-byte words)");
  }
  if (BPF_CLASS(code.back().code) != BPF_RET)
    return at(code.size() - 1, code.back(), "the last instruction is not a return");
  return check_scratch_cells(code);
}

Result<std::uint32_t> run_program(std::span<const sock_filter> code, const seccomp_data& data) {
  // The loader's checks that cost nothing here; the rest are made as instructions are met.
  if (code.empty()) return make_error("the program is empty");
  if (code.size() > BPF_MAXINSNS)
    return make_error("the program has " + std::to_string(code.size()) +
                      " instructions, over the kernel's limit of " + std::to_string(BPF_MAXINSNS));
  if (BPF_CLASS(code.back().code) != BPF_RET)
    return at(code.size() - 1, code.back(), "the last instruction is not a return");
  std::uint32_t a = 0, x = 0;
  std::uint32_t cells[BPF_MEMWORDS] = {};
  std::uint32_t written = 0;  // one bit per scratch cell
  const auto* bytes = reinterpret_cast<const unsigned char*>(&data);
  for (std::size_t pc = 0; pc < code.size(); ++pc) {
    const sock_filter& insn = code[pc];
    if (!seccomp_allows(insn.code)) return at(pc, insn, "an instruction seccomp filters may not use");
    const std::uint32_t operand = BPF_SRC(insn.code) == BPF_X ? x : insn.k;
    const std::size_t after = code.size() - pc - 1;
    if (is_memory_access(insn.code) && insn.k >= BPF_MEMWORDS)
      return at(pc, insn, "scratch cell " + std::to_string(insn.k) + " does not exist (there are 16)");
    switch (BPF_CLASS(insn.code)) {
      case BPF_LD:
      case BPF_LDX: {
        std::uint32_t value = 0;
        switch (BPF_MODE(insn.code)) {
          case BPF_ABS:
            if (insn.k >= kDataSize || insn.k % 4 != 0)
              return at(pc, insn, "loads outside seccomp_data (64 bytes, 4-byte words)");
            std::memcpy(&value, bytes + insn.k, sizeof value);
            break;
          case BPF_IMM: value = insn.k; break;
          case BPF_LEN: value = kDataSize; break;
          default:  // BPF_MEM
            if ((written & (1u << insn.k)) == 0)
              return at(pc, insn, "reads scratch cell " + std::to_string(insn.k) + " before writing it");
            value = cells[insn.k];
            break;
        }
        (BPF_CLASS(insn.code) == BPF_LD ? a : x) = value;
        break;
      }
      case BPF_ST:
      case BPF_STX:
        cells[insn.k] = BPF_CLASS(insn.code) == BPF_ST ? a : x;
        written |= 1u << insn.k;
        break;
      case BPF_ALU:
        switch (BPF_OP(insn.code)) {
          case BPF_ADD: a += operand; break;
          case BPF_SUB: a -= operand; break;
          case BPF_MUL: a *= operand; break;
          case BPF_DIV:
            if (operand == 0) {
              if (BPF_SRC(insn.code) == BPF_K) return at(pc, insn, "divides by a constant 0");
              return 0u;  // the kernel ends the program with 0 (classic BPF's rule)
            }
            a /= operand;
            break;
          case BPF_AND: a &= operand; break;
          case BPF_OR: a |= operand; break;
          case BPF_XOR: a ^= operand; break;
          case BPF_LSH:
          case BPF_RSH:
            if (BPF_SRC(insn.code) == BPF_K && operand >= 32) return at(pc, insn, "shifts by 32 or more");
            a = BPF_OP(insn.code) == BPF_LSH ? a << (operand & 31) : a >> (operand & 31);
            break;
          default: a = 0 - a; break;  // BPF_NEG
        }
        break;
      case BPF_JMP: {
        std::uint32_t skip = insn.k;
        if (BPF_OP(insn.code) != BPF_JA) skip = jump_taken(insn.code, a, operand) ? insn.jt : insn.jf;
        if (skip >= after) return at(pc, insn, "jumps past the last instruction");
        pc += skip;
        break;
      }
      case BPF_RET: return BPF_RVAL(insn.code) == BPF_A ? a : insn.k;
      default:  // BPF_MISC
        if (BPF_MISCOP(insn.code) == BPF_TAX)
          x = a;
        else
          a = x;
        break;
    }
  }
  return make_error("the program ran past its last instruction without returning");  // unreachable
}

bool kernel_caches_as_allowed(std::span<const sock_filter> code, std::uint32_t arch, std::uint32_t nr) {
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
          return false;  // any other field is not known at load time
        break;
      case BPF_RET | BPF_K: return insn.k == SECCOMP_RET_ALLOW;
      case BPF_JMP | BPF_JA: pc += insn.k; break;
      case BPF_JMP | BPF_JEQ | BPF_K:
      case BPF_JMP | BPF_JGE | BPF_K:
      case BPF_JMP | BPF_JGT | BPF_K:
      case BPF_JMP | BPF_JSET | BPF_K: pc += jump_taken(insn.code, value, insn.k) ? insn.jt : insn.jf; break;
      case BPF_ALU | BPF_AND | BPF_K: value &= insn.k; break;
      default: return false;
    }
  }
  return false;
}

}  // namespace seccheck::bpf
