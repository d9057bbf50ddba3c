#include "scan/code_scan.h"

#include <capstone/capstone.h>
#include <elf.h>

#include <memory>
#include <unordered_set>

namespace seccheck::scan {

namespace {

// The one owner of a Capstone handle and its instruction buffer.
class Disassembler {
 public:
  Disassembler() {
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle_) != CS_ERR_OK) {
      handle_ = 0;
      return;
    }
    cs_option(handle_, CS_OPT_DETAIL, CS_OPT_ON);
    insn_ = cs_malloc(handle_);
  }
  ~Disassembler() {
    if (insn_ != nullptr) cs_free(insn_, 1);
    if (handle_ != 0) cs_close(&handle_);
  }
  Disassembler(const Disassembler&) = delete;
  Disassembler& operator=(const Disassembler&) = delete;
  bool ok() const { return handle_ != 0 && insn_ != nullptr; }

  // Calls `visit(insn)` for each instruction of [code, code + size) at `address`; an undecodable
  // byte is skipped (data in code, padding).
  template <typename Visit>
  void walk(const std::uint8_t* code, std::size_t size, std::uint64_t address, Visit visit) {
    while (size > 0) {
      if (cs_disasm_iter(handle_, &code, &size, &address, insn_)) {
        visit(*insn_);
      } else {
        ++code;
        --size;
        ++address;
      }
    }
  }

 private:
  csh handle_ = 0;
  cs_insn* insn_ = nullptr;
};

int slot_of(x86_reg reg) {
  switch (reg) {
    case X86_REG_RAX:
    case X86_REG_EAX:
    case X86_REG_AX:
    case X86_REG_AL:
    case X86_REG_AH: return kRax;
    case X86_REG_RBX:
    case X86_REG_EBX:
    case X86_REG_BX:
    case X86_REG_BL:
    case X86_REG_BH: return kRbx;
    case X86_REG_RCX:
    case X86_REG_ECX:
    case X86_REG_CX:
    case X86_REG_CL:
    case X86_REG_CH: return kRcx;
    case X86_REG_RDX:
    case X86_REG_EDX:
    case X86_REG_DX:
    case X86_REG_DL:
    case X86_REG_DH: return kRdx;
    case X86_REG_RSI:
    case X86_REG_ESI:
    case X86_REG_SI:
    case X86_REG_SIL: return kRsi;
    case X86_REG_RDI:
    case X86_REG_EDI:
    case X86_REG_DI:
    case X86_REG_DIL: return kRdi;
    case X86_REG_R8:
    case X86_REG_R8D:
    case X86_REG_R8W:
    case X86_REG_R8B: return kR8;
    case X86_REG_R9:
    case X86_REG_R9D:
    case X86_REG_R9W:
    case X86_REG_R9B: return kR9;
    case X86_REG_R10:
    case X86_REG_R10D:
    case X86_REG_R10W:
    case X86_REG_R10B: return kR10;
    case X86_REG_R11:
    case X86_REG_R11D:
    case X86_REG_R11W:
    case X86_REG_R11B: return kR11;
    default: return -1;
  }
}

bool is_full_or_32bit(x86_reg reg) {
  switch (reg) {
    case X86_REG_RAX:
    case X86_REG_EAX:
    case X86_REG_RBX:
    case X86_REG_EBX:
    case X86_REG_RCX:
    case X86_REG_ECX:
    case X86_REG_RDX:
    case X86_REG_EDX:
    case X86_REG_RSI:
    case X86_REG_ESI:
    case X86_REG_RDI:
    case X86_REG_EDI:
    case X86_REG_R8:
    case X86_REG_R8D:
    case X86_REG_R9:
    case X86_REG_R9D:
    case X86_REG_R10:
    case X86_REG_R10D:
    case X86_REG_R11:
    case X86_REG_R11D: return true;
    default: return false;
  }
}

bool is_32bit(x86_reg reg) {
  switch (reg) {
    case X86_REG_EAX:
    case X86_REG_EBX:
    case X86_REG_ECX:
    case X86_REG_EDX:
    case X86_REG_ESI:
    case X86_REG_EDI:
    case X86_REG_R8D:
    case X86_REG_R9D:
    case X86_REG_R10D:
    case X86_REG_R11D: return true;
    default: return false;
  }
}

bool in_group(const cs_insn& insn, std::uint8_t group) {
  for (std::uint8_t i = 0; i < insn.detail->groups_count; ++i)
    if (insn.detail->groups[i] == group) return true;
  return false;
}

// Executable sections in file order, as (section, bytes).
std::vector<std::pair<const elf::Section*, std::string_view>>
code_sections(const elf::ElfFile& file, const std::vector<std::string>& skip, bool plt_only) {
  std::vector<std::pair<const elf::Section*, std::string_view>> out;
  for (const elf::Section& s : file.sections()) {
    if ((s.flags & SHF_EXECINSTR) == 0 || s.type != SHT_PROGBITS) continue;
    const bool plt = s.name == ".plt" || s.name == ".plt.sec" || s.name == ".plt.got";
    if (plt != plt_only) continue;
    bool skipped = false;
    for (const auto& name : skip)
      skipped |= s.name == name;
    if (skipped) continue;
    const std::string_view bytes = file.section_bytes(s);
    if (!bytes.empty()) out.emplace_back(&s, bytes);
  }
  return out;
}

}  // namespace

Result<CodeScan> scan_code(const elf::ElfFile& file, const SiteFilter& filter,
                           const std::vector<std::string>& skip_sections) {
  Disassembler disassembler;
  if (!disassembler.ok()) return make_error("cannot start the Capstone disassembler");
  CodeScan out;
  const auto sections = code_sections(file, skip_sections, false);
  // Pass 1: where branches land, since a register's value known before a label is not known
  // after it.
  std::unordered_set<std::uint64_t> labels;
  for (const auto& [section, bytes] : sections) {
    out.code_bytes += bytes.size();
    disassembler.walk(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), section->address,
                      [&](const cs_insn& insn) {
                        const cs_x86& x86 = insn.detail->x86;
                        if (in_group(insn, CS_GRP_JUMP) && x86.op_count == 1 &&
                            x86.operands[0].type == X86_OP_IMM)
                          labels.insert(static_cast<std::uint64_t>(x86.operands[0].imm));
                      });
  }
  // Pass 2: constants along straight lines, and the sites.
  for (const auto& [section, bytes] : sections) {
    RegisterValues known;
    disassembler.walk(
        reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), section->address,
        [&](const cs_insn& insn) {
          if (labels.count(insn.address)) known = {};
          const cs_x86& x86 = insn.detail->x86;
          const bool is_call = in_group(insn, CS_GRP_CALL);
          const bool is_jump = in_group(insn, CS_GRP_JUMP);
          if (insn.id == X86_INS_SYSCALL) {
            out.sites.push_back({CodeSite::Kind::kSyscall, insn.address, 0, false, known});
            known[kRax] = std::nullopt;
            known[kRcx] = std::nullopt;
            known[kR11] = std::nullopt;
            return;
          }
          if ((is_call || is_jump) && x86.op_count == 1) {
            const cs_x86_op& op = x86.operands[0];
            CodeSite site{is_call ? CodeSite::Kind::kCall : CodeSite::Kind::kJump, insn.address, 0, false,
                          known};
            if (op.type == X86_OP_IMM) {
              site.target = static_cast<std::uint64_t>(op.imm);
              if (filter.wants_target && filter.wants_target(site.target)) out.sites.push_back(site);
            } else if (op.type == X86_OP_MEM && op.mem.base == X86_REG_RIP &&
                       op.mem.index == X86_REG_INVALID) {
              site.target = insn.address + insn.size + static_cast<std::uint64_t>(op.mem.disp);
              site.through_slot = true;
              if (filter.wants_slot && filter.wants_slot(site.target)) out.sites.push_back(site);
            }
          }
          if (is_call || in_group(insn, CS_GRP_RET) || is_jump) {
            known = {};
            return;
          }
          // Constants: mov reg, imm / mov reg, reg / xor reg, reg / lea reg, [rip + disp].
          if (x86.op_count == 2 && x86.operands[0].type == X86_OP_REG) {
            const x86_reg destination = x86.operands[0].reg;
            const int slot = slot_of(destination);
            const cs_x86_op& source = x86.operands[1];
            std::optional<std::uint64_t> value;
            bool handled = false;
            if (slot >= 0 && is_full_or_32bit(destination)) {
              if (insn.id == X86_INS_MOV && source.type == X86_OP_IMM) {
                value = static_cast<std::uint64_t>(source.imm);
                handled = true;
              } else if (insn.id == X86_INS_MOV && source.type == X86_OP_REG && slot_of(source.reg) >= 0 &&
                         is_full_or_32bit(source.reg)) {
                value = known[slot_of(source.reg)];
                handled = true;
              } else if (insn.id == X86_INS_XOR && source.type == X86_OP_REG && source.reg == destination) {
                value = 0;
                handled = true;
              } else if (insn.id == X86_INS_LEA && source.type == X86_OP_MEM &&
                         source.mem.base == X86_REG_RIP && source.mem.index == X86_REG_INVALID) {
                value = insn.address + insn.size + static_cast<std::uint64_t>(source.mem.disp);
                handled = true;
              }
              if (handled && value && is_32bit(destination)) value = *value & 0xffffffffULL;
            }
            if (handled) {
              known[slot] = value;
              return;
            }
          }
          // Anything else that writes a register makes it unknown.
          for (std::uint8_t i = 0; i < x86.op_count; ++i)
            if (x86.operands[i].type == X86_OP_REG && (x86.operands[i].access & CS_AC_WRITE))
              if (const int slot = slot_of(x86.operands[i].reg); slot >= 0) known[slot] = std::nullopt;
          for (std::uint8_t i = 0; i < insn.detail->regs_write_count; ++i)
            if (const int slot = slot_of(static_cast<x86_reg>(insn.detail->regs_write[i])); slot >= 0)
              known[slot] = std::nullopt;
        });
  }
  return out;
}

Result<std::vector<std::pair<std::uint64_t, std::uint64_t>>> plt_stubs(const elf::ElfFile& file) {
  Disassembler disassembler;
  if (!disassembler.ok()) return make_error("cannot start the Capstone disassembler");
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  for (const auto& [section, bytes] : code_sections(file, {}, true)) {
    std::vector<std::uint64_t> pending;  // instructions since the last jump: one stub
    disassembler.walk(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), section->address,
                      [&](const cs_insn& insn) {
                        pending.push_back(insn.address);
                        if (!in_group(insn, CS_GRP_JUMP)) return;
                        const cs_x86& x86 = insn.detail->x86;
                        if (x86.op_count == 1 && x86.operands[0].type == X86_OP_MEM &&
                            x86.operands[0].mem.base == X86_REG_RIP) {
                          const std::uint64_t slot =
                              insn.address + insn.size + static_cast<std::uint64_t>(x86.operands[0].mem.disp);
                          for (std::uint64_t address : pending)
                            out.emplace_back(address, slot);
                        }
                        pending.clear();
                      });
  }
  return out;
}

}  // namespace seccheck::scan
