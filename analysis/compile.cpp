#include "analysis/compile.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cerrno>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analysis/evaluate.h"
#include "analysis/profile_names.h"
#include "bpf/filter_context.h"
#include "bpf/program_builder.h"
#include "core/syscall_table.h"

namespace seccheck::analysis {
namespace {

std::uint32_t scmp_action_as_is(const Action& action) {
  switch (action.kind) {
    case ActionKind::kKillProcess: return SCMP_ACT_KILL_PROCESS;
    case ActionKind::kKillThread: return SCMP_ACT_KILL_THREAD;
    case ActionKind::kTrap: return SCMP_ACT_TRAP;
    // runc's defaults when errnoRet is absent: EPERM for ERRNO and TRACE.
    case ActionKind::kErrno: return SCMP_ACT_ERRNO(action.value.value_or(EPERM));
    case ActionKind::kNotify: return SCMP_ACT_NOTIFY;
    case ActionKind::kTrace: return SCMP_ACT_TRACE(action.value.value_or(EPERM));
    case ActionKind::kLog: return SCMP_ACT_LOG;
    case ActionKind::kAllow: return SCMP_ACT_ALLOW;
  }
  return SCMP_ACT_KILL_THREAD;
}

// In trace mode blocking rules are first compiled as TRACE(tag ^ kRuleMark), an action distinct
// from the default TRACE(tag), so that libseccomp builds exactly the tree it builds for the real
// actions (it refuses rules equal to the default action, and dropping them would let calls
// through that a conflicting allow rule matches). The exported program's RETs are then patched
// back to TRACE(tag).
constexpr std::uint16_t kRuleMark = 0x8000;

std::uint32_t scmp_action(const Action& action, CompileMode mode, std::uint16_t tag) {
  if (mode == CompileMode::kBlockingToTrace && action.blocks()) return SCMP_ACT_TRACE(tag);
  return scmp_action_as_is(action);
}

std::uint32_t scmp_rule_action(const Action& action, CompileMode mode, std::uint16_t tag) {
  if (mode == CompileMode::kBlockingToTrace && action.blocks()) return SCMP_ACT_TRACE(tag ^ kRuleMark);
  return scmp_action_as_is(action);
}

scmp_compare scmp_op(CompareOp op) {
  return static_cast<scmp_compare>(op_name(op).libseccomp);
}

// A context for one ABI's rules. The tracer decides NO_NEW_PRIVS; the filter must not set it on
// load.
Result<bpf::FilterContext> new_context(std::uint32_t default_action, std::uint32_t bad_arch_action,
                                       std::optional<Arch> only_arch) {
  auto ctx = bpf::FilterContext::create(default_action);
  if (!ctx) return ctx.error();
  if (auto set = ctx->set_no_new_privs(false); !set) return set.error();
  if (auto set = ctx->set_bad_arch_action(bad_arch_action); !set) return set.error();
  if (only_arch) {
    if (auto added = ctx->add_arch(*only_arch); !added) return added.error();
    if (auto removed = ctx->remove_native_arch(); !removed) return removed.error();
  }
  return ctx;
}

std::vector<bpf::ArgCompare> to_cmps(const std::vector<ArgCondition>& args) {
  std::vector<bpf::ArgCompare> out;
  out.reserve(args.size());
  for (const ArgCondition& c : args) {
    // OCI: for MASKED_EQ `value` is the mask and `valueTwo` the datum, as libseccomp takes them.
    out.push_back(bpf::ArgCompare{c.index, scmp_op(c.op), c.value, c.value_two});
  }
  return out;
}

// runc's -ENOSYS stub, placed before libseccomp's program: calls numbered above the newest
// call the filter names on an ABI get `ret` (ENOSYS, or TRACE in trace mode). Each block loads
// the arch, skips to the next block unless it matches, loads nr, and returns when nr is above the
// limit; after the last block the program goes on into libseccomp's.
void add_enosys_prefix(bpf::ProgramBuilder& builder, const ResolvedProfile& profile, std::uint32_t ret) {
  if (profile.enosys_stubs.empty()) return;
  const bpf::Label stub_return = builder.label("ENOSYS stub return");
  const bpf::Label libseccomp_program = builder.label("libseccomp's program");
  const bpf::Label next = bpf::Label::next();
  for (const EnosysStub& stub : profile.enosys_stubs) {
    const bpf::Label next_block = builder.label("after the " + std::string(arch_name(stub.arch)) + " stub");
    const std::uint32_t above = static_cast<std::uint32_t>(stub.above);
    builder.load_arch();
    // SCMP_ARCH_* tokens are the kernel's AUDIT_ARCH_* values but for x32 (x86_64's plus the bit).
    builder.jump_if(BPF_JMP | BPF_JEQ | BPF_K,
                    stub.arch == Arch::kX32 ? AUDIT_ARCH_X86_64 : libseccomp_arch_token(stub.arch), next,
                    next_block);
    builder.load_nr();
    if (stub.arch == Arch::kX86_64) {
      builder.jump_if(BPF_JMP | BPF_JGE | BPF_K, kX32SyscallBit, next_block, next);  // an x32 number
      builder.jump_if(BPF_JMP | BPF_JGT | BPF_K, above, stub_return, next);
    } else if (stub.arch == Arch::kX32) {
      builder.jump_if(BPF_JMP | BPF_JGE | BPF_K, kX32SyscallBit, next, next_block);  // an x86_64 number
      builder.jump_if(BPF_JMP | BPF_JGT | BPF_K, above | kX32SyscallBit, stub_return, next);
    } else {
      builder.jump_if(BPF_JMP | BPF_JGT | BPF_K, above, stub_return, next);
    }
    builder.place(next_block);
  }
  builder.jump(libseccomp_program);
  builder.place(stub_return);
  builder.ret(ret);
  builder.place(libseccomp_program);
}

// What compile() hands libseccomp, gathered before any libseccomp call so that it can key the
// filter cache: libseccomp's exported program is a function of exactly this.
struct LibseccompRule {
  std::uint32_t action;
  int nr;
  std::vector<bpf::ArgCompare> cmps;
  std::string origin;  // for errors: "syscalls[3] for mount"
};

struct LibseccompContext {
  // x86_64: libseccomp's native context, numbers from seccheck's table; others (an aarch64 host's
  // too) translated by name from libseccomp's native numbers
  Arch arch;
  std::vector<LibseccompRule> rules;
};

struct LibseccompInput {
  std::uint32_t default_action;
  std::uint32_t bad_arch_action;
  std::vector<LibseccompContext> contexts;  // the native context first
};

void append_u64(std::string& out, std::uint64_t value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

// A byte string that determines libseccomp's output: the library version, the actions and
// every rule in the order added.
std::string cache_key(const LibseccompInput& input) {
  std::string key = "libseccomp " + bpf::library_version() + "\n";
  append_u64(key, input.default_action);
  append_u64(key, input.bad_arch_action);
  for (const LibseccompContext& context : input.contexts) {
    append_u64(key, static_cast<std::uint64_t>(context.arch));
    append_u64(key, context.rules.size());
    for (const LibseccompRule& rule : context.rules) {
      append_u64(key, rule.action);
      append_u64(key, static_cast<std::uint64_t>(static_cast<std::int64_t>(rule.nr)));
      append_u64(key, rule.cmps.size());
      for (const bpf::ArgCompare& cmp : rule.cmps) {
        append_u64(key, cmp.arg);
        append_u64(key, cmp.op);
        append_u64(key, cmp.datum_a);
        append_u64(key, cmp.datum_b);
      }
    }
  }
  return key;
}

Result<std::vector<sock_filter>> run_libseccomp(const LibseccompInput& input, const std::string& where) {
  // x86_64 rules go into the native context; each other ABI's into a context of its own, merged in.
  // An aarch64 host's filter starts from its aarch64 context (libseccomp's native x86_64 removed).
  const std::optional<Arch> first = input.contexts.empty() || input.contexts.front().arch == Arch::kX86_64
                                        ? std::nullopt
                                        : std::optional<Arch>(input.contexts.front().arch);
  auto native = new_context(input.default_action, input.bad_arch_action, first);
  if (!native) return make_error(where + native.error().message);
  for (const LibseccompContext& context : input.contexts) {
    const bool is_native = context.arch == (first ? *first : Arch::kX86_64);
    std::optional<bpf::FilterContext> own;
    if (!is_native) {
      auto ctx = new_context(input.default_action, input.bad_arch_action, context.arch);
      if (!ctx) return make_error(where + ctx.error().message);
      own = std::move(*ctx);
    }
    bpf::FilterContext& target = is_native ? *native : *own;
    for (const LibseccompRule& rule : context.rules)
      if (auto added = target.add_rule(rule.action, rule.nr, rule.cmps, rule.origin); !added)
        return make_error(where + added.error().message);
    if (own) {
      if (auto merged = native->merge(std::move(*own)); !merged)
        return make_error(where + "the " + std::string(arch_name(context.arch)) +
                          " rules: " + merged.error().message);
    }
  }
  auto program = native->export_bpf();
  if (!program) return make_error(where + program.error().message);
  return program;
}

}  // namespace

Result<BpfProgram> compile(const ResolvedProfile& profile, CompileMode mode, std::uint16_t trace_tag,
                           const FilterCache* cache) {
  LibseccompInput input;
  input.default_action = scmp_action(profile.default_action, mode, trace_tag);
  input.bad_arch_action =
      mode == CompileMode::kBlockingToTrace ? SCMP_ACT_TRACE(trace_tag) : SCMP_ACT_KILL_THREAD;
  const std::string where = "compiling " + profile.name + ": ";

  // The syscalls in the order runc meets them (rules in file order, names in rule order).
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const ResolvedRule& rule : profile.rules)
    for (const std::string& name : rule.names)
      if (seen.insert(name).second) names.push_back(name);

  // x86_64 is libseccomp's native arch: numbers pass through untranslated, so every call is
  // compiled by seccheck's own number, including those libseccomp 2.5.4 cannot name. i386 and
  // x32: libseccomp translates a rule's number from the native arch by name, so each ABI gets
  // its own context (rules given libseccomp's own number for the name) merged in. The filter
  // holds the ABIs of the profile's host (context.host_arch): an aarch64 host's are aarch64 and
  // arm, compiled the same way (for tests and analysis: this x86_64 machine cannot load them).
  const Arch host = profile.context.host_arch;
  std::vector<std::string> not_compiled;
  for (Arch arch : kAllArches) {
    if (host_arch_of(arch) != host || (arch != host && !arch_in_filter(profile, arch))) continue;
    LibseccompContext context{arch, {}};
    for (const std::string& name : names) {
      auto own_nr = syscall_number(arch, name);
      if (!own_nr) continue;  // a call of another arch
      const std::optional<int> nr = arch == Arch::kX86_64 ? own_nr : bpf::resolve_name(name);
      for (const EffectiveRule& rule : effective_rules(profile, name)) {
        const std::uint32_t action = scmp_rule_action(rule.action, mode, trace_tag);
        if (action == input.default_action) continue;  // libseccomp: -EACCES; runc skips it
        if (!nr) {
          not_compiled.push_back(std::string(arch_name(arch)) + " " + name);
          break;
        }
        std::string origin = "syscalls[" + std::to_string(profile.rules[rule.rule_index].source_index) +
                             "] for " + name +
                             (arch == Arch::kX86_64 ? "" : " on " + std::string(arch_name(arch)));
        context.rules.push_back({action, *nr, to_cmps(rule.args), std::move(origin)});
      }
    }
    input.contexts.push_back(std::move(context));
  }

  std::optional<std::vector<sock_filter>> program;
  std::string key;
  if (cache) {
    key = cache_key(input);
    program = cache->find(key);
  }
  const bool from_cache = program.has_value();
  if (!program) {
    Result<std::vector<sock_filter>> built = run_libseccomp(input, where);
    if (!built) return built.error();
    program = std::move(*built);
    if (cache) cache->store(key, *program);
  }

  if (mode == CompileMode::kBlockingToTrace) {
    const std::uint32_t marked = SCMP_ACT_TRACE(trace_tag ^ kRuleMark);
    for (sock_filter& insn : *program)
      if (insn.code == (BPF_RET | BPF_K) && insn.k == marked) insn.k = SCMP_ACT_TRACE(trace_tag);
  }

  bpf::ProgramBuilder builder;
  add_enosys_prefix(builder, profile,
                    mode == CompileMode::kBlockingToTrace ? SCMP_ACT_TRACE(trace_tag)
                                                          : SCMP_ACT_ERRNO(ENOSYS));
  builder.append(*program);
  Result<std::vector<sock_filter>> code = builder.build();
  if (!code) return make_error(where + code.error().message);
  BpfProgram out;
  out.from_cache = from_cache;
  out.instructions = std::move(*code);
  out.description =
      profile.name + (mode == CompileMode::kBlockingToTrace ? " (blocking actions -> TRACE)" : "");
  if (!not_compiled.empty()) {
    // libseccomp 2.5.4 cannot name them on these ABIs, so they get the default action there.
    out.description += "; not compiled (libseccomp cannot name them): ";
    for (std::size_t i = 0; i < not_compiled.size(); ++i)
      out.description += (i ? ", " : "") + not_compiled[i];
  }
  return out;
}

}  // namespace seccheck::analysis
