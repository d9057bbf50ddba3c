#include "tracer/trace_filter.h"

#include <linux/audit.h>
#include <linux/seccomp.h>

#include <optional>
#include <set>

#include "bpf/filter_context.h"
#include "bpf/program_builder.h"
#include "core/syscall_table.h"
#include "tracer/tracer.h"

namespace seccheck::tracer {
namespace {

// A context for the tracer's filters: every arch, ALLOW for the arches an x86_64 kernel never
// reports, and no no_new_privs (the tracer's child sets it only when it must).
Result<bpf::FilterContext> new_context(std::uint32_t default_action) {
  auto ctx = bpf::FilterContext::create(default_action);
  if (!ctx) return ctx.error();
  for (Arch arch : {Arch::kI386, Arch::kX32})
    if (auto added = ctx->add_arch(arch); !added) return added.error();
  if (auto set = ctx->set_no_new_privs(false); !set) return set.error();
  // ALLOW (not libseccomp's KILL) keeps these filters to ALLOW and TRACE, so the tracer can
  // fold them into one program (combine_stacked).
  if (auto set = ctx->set_bad_arch_action(SCMP_ACT_ALLOW); !set) return set.error();
  return ctx;
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
    // libseccomp knows the call: one rule, translated to every arch that has it. Otherwise (or
    // should it refuse the rule) the call is matched by its number on each arch.
    if (std::optional<int> resolved = bpf::resolve_name(name))
      if (ctx->add_rule(SCMP_ACT_TRACE(tag), *resolved, {}, name)) continue;
    for (Arch arch : kX86Arches) {
      int nr = syscall_number_on(*entry, arch);
      if (nr >= 0) by_number.emplace_back(arch, nr);
    }
  }
  std::vector<BpfProgram> programs;
  auto program = ctx->export_program(description);
  if (!program) return program.error();
  programs.push_back(std::move(*program));
  if (!by_number.empty()) {
    auto numbered = build_number_filter(by_number, tag);
    if (!numbered) return numbered.error();
    programs.push_back(std::move(*numbered));
    programs.back().description = description + " (calls libseccomp cannot name)";
  }
  return programs;
}

Result<std::vector<BpfProgram>> one_program(const bpf::FilterContext& ctx, std::string description) {
  auto program = ctx.export_program(std::move(description));
  if (!program) return program.error();
  std::vector<BpfProgram> programs;
  programs.push_back(std::move(*program));
  return programs;
}

}  // namespace

Result<std::vector<BpfProgram>> build_trace_all_filter(std::uint16_t tag) {
  auto ctx = new_context(SCMP_ACT_TRACE(tag));
  if (!ctx) return ctx.error();
  if (auto set = ctx->set_bad_arch_action(SCMP_ACT_TRACE(tag)); !set) return set.error();
  return one_program(*ctx, "trace: every call");
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
  // prctl(PR_SET_SECCOMP), clone with CLONE_UNTRACED, clone3 (its flags are in memory, out of
  // the filter's reach), and ptrace's attach requests. Ordinary prctl, clone and ptrace calls
  // run at native speed.
  auto ctx = new_context(SCMP_ACT_ALLOW);
  if (!ctx) return ctx.error();
  constexpr std::uint64_t kCloneUntraced = 0x00800000;
  constexpr std::uint64_t kPrSetSeccomp = 22;
  const std::uint32_t trace = SCMP_ACT_TRACE(kNoticeTraceTag);
  const bpf::ArgCompare pr_set_seccomp[] = {SCMP_A0(SCMP_CMP_EQ, kPrSetSeccomp, 0)};
  const bpf::ArgCompare clone_untraced[] = {SCMP_A0(SCMP_CMP_MASKED_EQ, kCloneUntraced, kCloneUntraced)};
  // ptrace's attach requests fail when seccheck already traces the caller or the target.
  const bpf::ArgCompare traceme[] = {SCMP_A0(SCMP_CMP_EQ, 0 /* PTRACE_TRACEME */, 0)};
  const bpf::ArgCompare attach[] = {SCMP_A0(SCMP_CMP_EQ, 16 /* PTRACE_ATTACH */, 0)};
  const bpf::ArgCompare seize[] = {SCMP_A0(SCMP_CMP_EQ, 0x4206 /* PTRACE_SEIZE */, 0)};
  for (const auto& added : {ctx->add_rule(trace, SCMP_SYS(seccomp), {}, "seccomp"),
                            ctx->add_rule(trace, SCMP_SYS(clone3), {}, "clone3"),
                            ctx->add_rule(trace, SCMP_SYS(prctl), pr_set_seccomp, "prctl(PR_SET_SECCOMP)"),
                            ctx->add_rule(trace, SCMP_SYS(clone), clone_untraced, "clone(CLONE_UNTRACED)"),
                            ctx->add_rule(trace, SCMP_SYS(ptrace), traceme, "ptrace(PTRACE_TRACEME)"),
                            ctx->add_rule(trace, SCMP_SYS(ptrace), attach, "ptrace(PTRACE_ATTACH)"),
                            ctx->add_rule(trace, SCMP_SYS(ptrace), seize, "ptrace(PTRACE_SEIZE)")})
    if (!added) return make_error("notice filter: " + added.error().message);
  return one_program(*ctx, "seccheck notices");
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

// The programs as one, each one's ALLOW jumping to the start of the next.
Result<BpfProgram> join_newest_first(const std::vector<const BpfProgram*>& newest_first) {
  bpf::ProgramBuilder builder;
  BpfProgram joined;
  for (std::size_t part = 0; part < newest_first.size(); ++part) {
    const bool last = part + 1 == newest_first.size();
    if (part > 0) joined.description += " + ";
    joined.description += newest_first[part]->description;
    const bpf::Label next_program = builder.label("program " + std::to_string(part + 1));
    builder.append(newest_first[part]->instructions, [&](std::uint32_t ret) -> std::optional<bpf::Label> {
      if (last || (ret & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ALLOW) return std::nullopt;
      return next_program;
    });
    if (!last) builder.place(next_program);
  }
  auto code = builder.build();
  if (!code) return code.error();
  joined.instructions = std::move(*code);
  return joined;
}

}  // namespace

std::vector<BpfProgram> combine_stacked(const std::vector<BpfProgram>& load_order) {
  std::vector<BpfProgram> newest_first;
  std::vector<const BpfProgram*> run;  // newest first
  std::size_t run_size = 0;
  auto close_run = [&] {
    Result<BpfProgram> joined = make_error("a single program");
    if (run.size() > 1) joined = join_newest_first(run);
    if (joined) {
      newest_first.push_back(std::move(*joined));
    } else {
      // One program, or a run the builder refuses (never seen): each stays as it is.
      for (const BpfProgram* program : run)
        newest_first.push_back(*program);
    }
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

Result<BpfProgram> build_number_filter(const std::vector<std::pair<Arch, int>>& calls, std::uint16_t tag) {
  std::vector<std::uint32_t> native, i386;
  for (auto [arch, nr] : calls) {
    if (arch == Arch::kX86_64) native.push_back(static_cast<std::uint32_t>(nr));
    if (arch == Arch::kX32) native.push_back(static_cast<std::uint32_t>(nr) | kX32SyscallBit);
    if (arch == Arch::kI386) i386.push_back(static_cast<std::uint32_t>(nr));
  }
  bpf::ProgramBuilder builder;
  const bpf::Label native_calls = builder.label("x86_64 and x32 calls");
  const bpf::Label i386_calls = builder.label("i386 calls");
  builder.load_arch();
  builder.jump_if(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, native_calls, bpf::Label::next());
  builder.jump_if(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, i386_calls, bpf::Label::next());
  builder.ret(SECCOMP_RET_ALLOW);
  // Each section: load nr; one jeq per number to the section's TRACE; ALLOW.
  auto section = [&](bpf::Label start, const std::vector<std::uint32_t>& numbers, const std::string& name) {
    const bpf::Label trace = builder.label("TRACE for " + name);
    builder.place(start);
    builder.load_nr();
    for (std::uint32_t nr : numbers)
      builder.jump_if(BPF_JMP | BPF_JEQ | BPF_K, nr, trace, bpf::Label::next());
    builder.ret(SECCOMP_RET_ALLOW);
    builder.place(trace);
    builder.ret(SECCOMP_RET_TRACE | tag);
  };
  section(native_calls, native, "x86_64 and x32");
  section(i386_calls, i386, "i386");
  auto code = builder.build();
  if (!code) return make_error("the by-number trace filter: " + code.error().message);
  BpfProgram program;
  program.instructions = std::move(*code);
  program.description = "trace by number";
  return program;
}

}  // namespace seccheck::tracer
