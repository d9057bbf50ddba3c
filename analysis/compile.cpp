#include "analysis/compile.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "analysis/evaluate.h"
#include "core/syscall_table.h"

namespace seccheck::analysis {
namespace {

struct CtxDeleter {
  void operator()(void* ctx) const {
    if (ctx != nullptr) seccomp_release(ctx);
  }
};
using Ctx = std::unique_ptr<void, CtxDeleter>;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

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
  switch (op) {
    case CompareOp::kNe: return SCMP_CMP_NE;
    case CompareOp::kLt: return SCMP_CMP_LT;
    case CompareOp::kLe: return SCMP_CMP_LE;
    case CompareOp::kEq: return SCMP_CMP_EQ;
    case CompareOp::kGe: return SCMP_CMP_GE;
    case CompareOp::kGt: return SCMP_CMP_GT;
    case CompareOp::kMaskedEq: return SCMP_CMP_MASKED_EQ;
  }
  return SCMP_CMP_EQ;
}

std::string lib_error(int rc) {
  return std::strerror(-rc);
}

Result<Ctx> new_context(std::uint32_t default_action, std::uint32_t bad_arch_action,
                        const std::vector<Arch>& arches, bool keep_native) {
  Ctx ctx(seccomp_init(default_action));
  if (!ctx) return make_error("libseccomp: seccomp_init failed");
  // The tracer decides NO_NEW_PRIVS; the filter must not set it on load.
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0); rc < 0)
    return make_error("libseccomp: cannot clear CTL_NNP: " + lib_error(rc));
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, bad_arch_action); rc < 0)
    return make_error("libseccomp: cannot set the bad-arch action: " + lib_error(rc));
  for (Arch arch : arches) {
    int rc = seccomp_arch_add(ctx.get(), libseccomp_arch_token(arch));
    if (rc < 0 && rc != -EEXIST)
      return make_error("libseccomp: cannot add arch " + std::string(arch_name(arch)) + ": " + lib_error(rc));
  }
  if (!keep_native) {
    if (int rc = seccomp_arch_remove(ctx.get(), SCMP_ARCH_NATIVE); rc < 0)
      return make_error("libseccomp: cannot remove the native arch: " + lib_error(rc));
  }
  return ctx;
}

std::vector<scmp_arg_cmp> to_cmps(const std::vector<ArgCondition>& args) {
  std::vector<scmp_arg_cmp> out;
  out.reserve(args.size());
  for (const ArgCondition& c : args) {
    // OCI: for MASKED_EQ `value` is the mask and `valueTwo` the datum, as libseccomp takes them.
    out.push_back(scmp_arg_cmp{c.index, scmp_op(c.op), c.value, c.value_two});
  }
  return out;
}

// runc's -ENOSYS stub, placed before libseccomp's program: calls numbered above the newest
// call the filter names on an ABI get ENOSYS (or TRACE in trace mode).
std::vector<sock_filter> enosys_prefix(const ResolvedProfile& profile, std::uint32_t ret) {
  std::vector<sock_filter> out;
  if (profile.enosys_stubs.empty()) return out;
  // Each block: load arch, skip the block unless it matches, load nr, jump to the final
  // RET when nr is above the limit. Jump offsets are relative and forward only; `to_ret`
  // entries are patched at the end.
  std::vector<std::size_t> to_ret;
  for (const EnosysStub& stub : profile.enosys_stubs) {
    const std::uint32_t audit = stub.arch == Arch::kI386 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64;
    std::vector<sock_filter> block;
    block.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
    block.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, audit, 0, 0));  // jf patched below
    block.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
    std::size_t ret_jump;
    if (stub.arch == Arch::kX86_64) {
      block.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, kX32SyscallBit, 1, 0));  // x32 number: skip
      block.push_back(BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, static_cast<std::uint32_t>(stub.above), 0, 0));
    } else if (stub.arch == Arch::kX32) {
      block.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, kX32SyscallBit, 0, 1));  // x86_64 number: skip
      block.push_back(
          BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, static_cast<std::uint32_t>(stub.above) | kX32SyscallBit, 0, 0));
    } else {
      block.push_back(BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, static_cast<std::uint32_t>(stub.above), 0, 0));
    }
    ret_jump = block.size() - 1;
    // A non-matching arch skips the rest of the block.
    block[1].jf = static_cast<std::uint8_t>(block.size() - 2);
    const std::size_t base = out.size();
    out.insert(out.end(), block.begin(), block.end());
    to_ret.push_back(base + ret_jump);
  }
  // Fall through into libseccomp's program, or return.
  out.push_back(BPF_STMT(BPF_JMP | BPF_JA, 1));
  const std::size_t ret_at = out.size();
  out.push_back(BPF_STMT(BPF_RET | BPF_K, ret));
  for (std::size_t at : to_ret)
    out[at].jt = static_cast<std::uint8_t>(ret_at - at - 1);
  return out;
}

// What compile() hands libseccomp, gathered before any libseccomp call so that it can key the
// filter cache: libseccomp's exported program is a function of exactly this.
struct LibseccompRule {
  std::uint32_t action;
  int nr;
  std::vector<scmp_arg_cmp> cmps;
  std::string origin;  // for errors: "syscalls[3] for mount"
};

struct LibseccompContext {
  Arch arch;  // x86_64: the native context, numbers from seccheck's table; others translated by name
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
  const scmp_version* version = seccomp_version();
  std::string key = "libseccomp " + std::to_string(version->major) + "." + std::to_string(version->minor) +
                    "." + std::to_string(version->micro) + "\n";
  append_u64(key, input.default_action);
  append_u64(key, input.bad_arch_action);
  for (const LibseccompContext& context : input.contexts) {
    append_u64(key, static_cast<std::uint64_t>(context.arch));
    append_u64(key, context.rules.size());
    for (const LibseccompRule& rule : context.rules) {
      append_u64(key, rule.action);
      append_u64(key, static_cast<std::uint64_t>(static_cast<std::int64_t>(rule.nr)));
      append_u64(key, rule.cmps.size());
      for (const scmp_arg_cmp& cmp : rule.cmps) {
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
  Result<Ctx> native = new_context(input.default_action, input.bad_arch_action, {}, true);
  if (!native) return native.error();
  for (const LibseccompContext& context : input.contexts) {
    const bool is_native = context.arch == Arch::kX86_64;
    Ctx merged_away;
    if (!is_native) {
      Result<Ctx> ctx = new_context(input.default_action, input.bad_arch_action, {context.arch}, false);
      if (!ctx) return ctx.error();
      merged_away = std::move(*ctx);
    }
    void* target = is_native ? native->get() : merged_away.get();
    for (const LibseccompRule& rule : context.rules) {
      int rc = seccomp_rule_add_array(target, rule.action, rule.nr, static_cast<unsigned>(rule.cmps.size()),
                                      rule.cmps.data());
      if (rc < 0 && rc != -EACCES)
        return make_error(where + "libseccomp refused " + rule.origin + ": " + lib_error(rc));
    }
    if (!is_native) {
      if (int rc = seccomp_merge(native->get(), merged_away.get()); rc < 0)
        return make_error(where + "libseccomp cannot merge the " + std::string(arch_name(context.arch)) +
                          " filter: " + lib_error(rc));
      static_cast<void>(merged_away.release());  // seccomp_merge freed it
    }
  }

  Fd fd(memfd_create("seccheck-bpf", MFD_CLOEXEC));
  if (fd.get() < 0) return make_error(where + "memfd_create: " + std::strerror(errno));
  if (int rc = seccomp_export_bpf(native->get(), fd.get()); rc < 0)
    return make_error(where + "seccomp_export_bpf: " + lib_error(rc));
  off_t size = lseek(fd.get(), 0, SEEK_END);
  if (size < 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0)
    return make_error(where + "libseccomp exported a program of unexpected size");
  std::vector<sock_filter> program(static_cast<std::size_t>(size) / sizeof(sock_filter));
  if (pread(fd.get(), program.data(), static_cast<std::size_t>(size), 0) != size)
    return make_error(where + "cannot read back the exported program");
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
  // its own context (rules given libseccomp's own number for the name) merged in.
  std::vector<std::string> not_compiled;
  for (Arch arch : {Arch::kX86_64, Arch::kI386, Arch::kX32}) {
    if (arch != Arch::kX86_64 && !arch_in_filter(profile, arch)) continue;
    LibseccompContext context{arch, {}};
    for (const std::string& name : names) {
      auto own_nr = syscall_number(arch, name);
      if (!own_nr) continue;  // a call of another arch
      const int nr = arch == Arch::kX86_64 ? *own_nr : seccomp_syscall_resolve_name(name.c_str());
      for (const EffectiveRule& rule : effective_rules(profile, name)) {
        const std::uint32_t action = scmp_rule_action(rule.action, mode, trace_tag);
        if (action == input.default_action) continue;  // libseccomp: -EACCES; runc skips it
        if (nr == __NR_SCMP_ERROR) {
          not_compiled.push_back(std::string(arch_name(arch)) + " " + name);
          break;
        }
        std::string origin = "syscalls[" + std::to_string(profile.rules[rule.rule_index].source_index) +
                             "] for " + name +
                             (arch == Arch::kX86_64 ? "" : " on " + std::string(arch_name(arch)));
        context.rules.push_back({action, nr, to_cmps(rule.args), std::move(origin)});
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

  BpfProgram out;
  out.from_cache = from_cache;
  out.instructions = enosys_prefix(profile, mode == CompileMode::kBlockingToTrace ? SCMP_ACT_TRACE(trace_tag)
                                                                                  : SCMP_ACT_ERRNO(38));
  out.instructions.insert(out.instructions.end(), program->begin(), program->end());
  if (out.instructions.size() > BPF_MAXINSNS)
    return make_error(where + "the program has " + std::to_string(out.instructions.size()) +
                      " instructions, over the kernel's limit of " + std::to_string(BPF_MAXINSNS));
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
