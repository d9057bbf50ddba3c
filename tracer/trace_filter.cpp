#include "tracer/trace_filter.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <set>

#include "core/syscall_table.h"
#include "tracer/tracer.h"

namespace seccheck::tracer {
namespace {

struct CtxDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxDeleter>;

Result<Ctx> new_context(std::uint32_t default_action) {
  Ctx ctx(seccomp_init(default_action));
  if (!ctx) return make_error("libseccomp: seccomp_init failed");
  for (Arch arch : {Arch::kI386, Arch::kX32}) {
    int rc = seccomp_arch_add(ctx.get(), libseccomp_arch_token(arch));
    if (rc != 0 && rc != -EEXIST)
      return make_error("libseccomp: cannot add arch " + std::string(arch_name(arch)) + ": " +
                        std::strerror(-rc));
  }
  // Filters are loaded by the tracer's child with seccomp(2) directly; no_new_privs is set
  // there only when needed, so libseccomp must not insist on it.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
  // An x86_64 kernel reports no other arch; ALLOW (not libseccomp's KILL) keeps these filters
  // to ALLOW and TRACE, so the tracer can fold them into one program (combine_stacked).
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
  return ctx;
}

Result<BpfProgram> export_program(void* ctx, std::string description) {
  // seccomp_export_bpf writes to an fd; a pipe keeps it in memory. Filters here are small.
  int fds[2];
  if (pipe(fds) != 0) return make_error(std::string("pipe: ") + std::strerror(errno));
  int rc = seccomp_export_bpf(ctx, fds[1]);
  close(fds[1]);
  std::string bytes;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof buffer)) > 0)
    bytes.append(buffer, static_cast<size_t>(n));
  close(fds[0]);
  if (rc != 0) return make_error(std::string("libseccomp: export failed: ") + std::strerror(-rc));
  if (bytes.size() % sizeof(sock_filter) != 0)
    return make_error("libseccomp: exported program has a partial instruction");
  BpfProgram program;
  program.instructions.resize(bytes.size() / sizeof(sock_filter));
  std::memcpy(program.instructions.data(), bytes.data(), bytes.size());
  program.description = std::move(description);
  return program;
}

const SyscallEntry* find_entry(std::string_view name) {
  for (const SyscallEntry& entry : syscall_table())
    if (entry.name == name) return &entry;
  return nullptr;
}

Result<std::vector<BpfProgram>> build_set(const std::vector<std::string>& names, std::uint16_t tag,
                                          const std::string& description) {
  auto ctx = new_context(SCMP_ACT_ALLOW);
  if (!ctx) return ctx.error();
  std::vector<std::pair<Arch, int>> by_number;
  std::set<std::string> seen;
  for (const std::string& name : names) {
    if (!seen.insert(name).second) continue;
    const SyscallEntry* entry = find_entry(name);
    if (entry == nullptr) return make_error("unknown syscall name '" + name + "'");
    int resolved = seccomp_syscall_resolve_name(name.c_str());
    if (resolved != __NR_SCMP_ERROR) {
      // libseccomp knows the call: one rule, translated to every arch that has it.
      int rc = seccomp_rule_add(ctx->get(), SCMP_ACT_TRACE(tag), resolved, 0);
      if (rc == 0) continue;
    }
    for (Arch arch : kAllArches) {
      int nr = syscall_number_on(*entry, arch);
      if (nr >= 0) by_number.emplace_back(arch, nr);
    }
  }
  std::vector<BpfProgram> programs;
  auto program = export_program(ctx->get(), description);
  if (!program) return program.error();
  programs.push_back(std::move(*program));
  if (!by_number.empty()) {
    programs.push_back(build_number_filter(by_number, tag));
    programs.back().description = description + " (calls libseccomp cannot name)";
  }
  return programs;
}

}  // namespace

Result<std::vector<BpfProgram>> build_trace_all_filter(std::uint16_t tag) {
  auto ctx = new_context(SCMP_ACT_TRACE(tag));
  if (!ctx) return ctx.error();
  seccomp_attr_set(ctx->get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRACE(tag));
  auto program = export_program(ctx->get(), "trace: every call");
  if (!program) return program.error();
  std::vector<BpfProgram> programs;
  programs.push_back(std::move(*program));
  return programs;
}

Result<std::vector<BpfProgram>> build_trace_set_filter(const std::vector<std::string>& names,
                                                       std::uint16_t tag) {
  std::string description = "trace:";
  for (const std::string& name : names)
    description += " " + name;
  return build_set(names, tag, description);
}

Result<std::vector<BpfProgram>> build_notice_filter() {
  // Only the calls that can hide others from the tracer stop here: seccomp(2),
  // prctl(PR_SET_SECCOMP), clone with CLONE_UNTRACED, and clone3 (its flags are in memory, out
  // of the filter's reach). Ordinary prctl and clone calls run at native speed.
  auto ctx = new_context(SCMP_ACT_ALLOW);
  if (!ctx) return ctx.error();
  constexpr std::uint64_t kCloneUntraced = 0x00800000;
  constexpr std::uint64_t kPrSetSeccomp = 22;
  const std::uint32_t trace = SCMP_ACT_TRACE(kNoticeTraceTag);
  int rc = seccomp_rule_add(ctx->get(), trace, SCMP_SYS(seccomp), 0);
  if (rc == 0) rc = seccomp_rule_add(ctx->get(), trace, SCMP_SYS(clone3), 0);
  if (rc == 0)
    rc = seccomp_rule_add(ctx->get(), trace, SCMP_SYS(prctl), 1,
                          scmp_arg_cmp{0, SCMP_CMP_EQ, kPrSetSeccomp, 0});
  if (rc == 0)
    rc = seccomp_rule_add(ctx->get(), trace, SCMP_SYS(clone), 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, kCloneUntraced, kCloneUntraced));
  if (rc != 0) return make_error(std::string("libseccomp: notice filter: ") + std::strerror(-rc));
  auto program = export_program(ctx->get(), "seccheck notices");
  if (!program) return program.error();
  std::vector<BpfProgram> programs;
  programs.push_back(std::move(*program));
  return programs;
}

namespace {

// A program that can run after another without a reset of A and X: it answers only ALLOW or
// TRACE, loads A from seccomp_data first, and never reads X. (A reset instruction would do it,
// but the kernel's action cache cannot see through one: every call would run the program.)
bool can_follow_another(const BpfProgram& program) {
  const std::vector<sock_filter>& code = program.instructions;
  if (code.empty() || code.front().code != (BPF_LD | BPF_W | BPF_ABS)) return false;
  for (const sock_filter& insn : code) {
    const std::uint16_t kind = BPF_CLASS(insn.code);
    if (kind == BPF_RET) {
      if (BPF_RVAL(insn.code) != BPF_K) return false;  // RET A: the action is not known here
      const std::uint32_t action = insn.k & SECCOMP_RET_ACTION_FULL;
      if (action != SECCOMP_RET_ALLOW && action != SECCOMP_RET_TRACE) return false;
    }
    const bool reads_x = ((kind == BPF_ALU || kind == BPF_JMP) && BPF_SRC(insn.code) == BPF_X &&
                          BPF_OP(insn.code) != BPF_JA) ||
                         kind == BPF_STX || (kind == BPF_MISC && BPF_MISCOP(insn.code) == BPF_TXA);
    if (reads_x) return false;
  }
  return true;
}

bool is_allow(const sock_filter& insn) {
  return BPF_CLASS(insn.code) == BPF_RET && (insn.k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ALLOW;
}

BpfProgram join_newest_first(const std::vector<const BpfProgram*>& newest_first) {
  BpfProgram joined;
  for (std::size_t part = 0; part < newest_first.size(); ++part) {
    const std::vector<sock_filter>& code = newest_first[part]->instructions;
    const bool last = part + 1 == newest_first.size();
    if (part > 0) joined.description += " + ";
    joined.description += newest_first[part]->description;
    const std::size_t start = joined.instructions.size();
    const std::size_t next = start + code.size();  // the next program's first instruction
    for (std::size_t i = 0; i < code.size(); ++i) {
      sock_filter insn = code[i];
      if (!last && is_allow(insn))
        insn = sock_filter{BPF_JMP | BPF_JA, 0, 0, static_cast<std::uint32_t>(next - (start + i + 1))};
      joined.instructions.push_back(insn);
    }
  }
  return joined;
}

}  // namespace

std::vector<BpfProgram> combine_stacked(const std::vector<BpfProgram>& load_order) {
  std::vector<BpfProgram> newest_first;
  std::vector<const BpfProgram*> run;  // newest first
  std::size_t run_size = 0;
  auto close_run = [&] {
    if (run.size() == 1) newest_first.push_back(*run.front());
    if (run.size() > 1) newest_first.push_back(join_newest_first(run));
    run.clear();
    run_size = 0;
  };
  for (auto program = load_order.rbegin(); program != load_order.rend(); ++program) {
    if (!can_follow_another(*program)) {
      close_run();
      newest_first.push_back(*program);
      continue;
    }
    if (!run.empty() && run_size + program->instructions.size() > BPF_MAXINSNS) close_run();
    run_size += program->instructions.size();
    run.push_back(&*program);
  }
  close_run();
  return {newest_first.rbegin(), newest_first.rend()};
}

BpfProgram build_number_filter(const std::vector<std::pair<Arch, int>>& calls, std::uint16_t tag) {
  std::vector<std::uint32_t> native, i386;
  for (auto [arch, nr] : calls) {
    if (arch == Arch::kX86_64) native.push_back(static_cast<std::uint32_t>(nr));
    if (arch == Arch::kX32) native.push_back(static_cast<std::uint32_t>(nr) | kX32SyscallBit);
    if (arch == Arch::kI386) i386.push_back(static_cast<std::uint32_t>(nr));
  }
  const std::uint32_t trace = SECCOMP_RET_TRACE | tag;
  std::vector<sock_filter> code;
  auto stmt = [&](std::uint16_t op, std::uint32_t k) { code.push_back(sock_filter{op, 0, 0, k}); };
  auto jump = [&](std::uint16_t op, std::uint32_t k, std::uint8_t jt, std::uint8_t jf) {
    code.push_back(sock_filter{op, jt, jf, k});
  };
  // Each section: load nr; one jeq per number jumping to its TRACE return; ALLOW.
  auto section = [&](const std::vector<std::uint32_t>& numbers) {
    stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr));
    const size_t count = numbers.size() > 250 ? 250 : numbers.size();
    for (size_t i = 0; i < count; ++i)
      jump(BPF_JMP | BPF_JEQ | BPF_K, numbers[i], static_cast<std::uint8_t>(count - i), 0);
    stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    stmt(BPF_RET | BPF_K, trace);
  };
  stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch));
  // jeq X86_64 -> native section (next insn + 2); jeq I386 -> i386 section; else allow.
  const std::uint8_t native_len = static_cast<std::uint8_t>(native.size() + 3);
  jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 2, 0);
  jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, static_cast<std::uint8_t>(1 + native_len), 0);
  stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  section(native);
  section(i386);
  BpfProgram program;
  program.instructions = std::move(code);
  program.description = "trace by number";
  return program;
}

}  // namespace seccheck::tracer
