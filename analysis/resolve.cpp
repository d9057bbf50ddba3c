#include "analysis/resolve.h"

#include <algorithm>

#include "analysis/catalog.h"
#include "core/syscall_table.h"

namespace seccheck::analysis {
namespace {

constexpr std::uint32_t kEperm = 1;

// moby's name for the host arch in includes/excludes.arches (its goToNative table).
std::string_view moby_arch(Arch arch) {
  switch (arch) {
    case Arch::kX86_64: return "amd64";
    case Arch::kI386: return "x86";
    case Arch::kX32: return "x32";
    case Arch::kAarch64: return "arm64";
    case Arch::kArm: return "arm";
  }
  return "amd64";
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string join(const std::vector<std::string>& list, const char* separator) {
  std::string out;
  for (const auto& item : list)
    out += (out.empty() ? "" : separator) + item;
  return out;
}

// "4.8" -> {4, 8}; a malformed minKernel never matches (moby's loader rejects the profile;
// the parser reports it first).
std::optional<KernelVersion> min_kernel(const std::string& text) {
  auto parsed = parse_kernel_version(text);
  if (!parsed) return std::nullopt;
  return *parsed;
}

bool permissive(ActionKind kind) {
  return kind == ActionKind::kAllow || kind == ActionKind::kLog || kind == ActionKind::kTrace;
}

}  // namespace

const std::vector<std::string_view>& names_unknown_to_libseccomp_2_5() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const SyscallEntry& entry : all_syscall_rows())
      if (entry.has(SyscallFlag::kUnknownToLibseccomp25)) out.push_back(entry.name);
    return out;
  }();
  return names;
}

bool libseccomp_knows(std::string_view name, const KernelVersion& version) {
  if (version >= KernelVersion{2, 6}) return true;
  const SyscallEntry* entry = syscall_entry(name);
  return entry == nullptr || !entry->has(SyscallFlag::kUnknownToLibseccomp25);
}

std::string condition_text(const Rule& rule) {
  std::vector<std::string> parts;
  if (!rule.includes.caps.empty()) parts.push_back(join(rule.includes.caps, " and "));
  for (const auto& cap : rule.excludes.caps)
    parts.push_back("no " + cap);
  if (!rule.includes.arches.empty()) parts.push_back("arch in {" + join(rule.includes.arches, ",") + "}");
  if (!rule.excludes.arches.empty()) parts.push_back("arch not in {" + join(rule.excludes.arches, ",") + "}");
  if (!rule.includes.min_kernel.empty()) parts.push_back("kernel >= " + rule.includes.min_kernel);
  if (!rule.excludes.min_kernel.empty()) parts.push_back("kernel < " + rule.excludes.min_kernel);
  return parts.empty() ? "" : "if " + join(parts, ", ");
}

const EnosysStub* enosys_stub_for(const ResolvedProfile& profile, Arch arch) {
  for (const auto& stub : profile.enosys_stubs) {
    if (stub.arch == arch) return &stub;
  }
  return nullptr;
}

ResolvedProfile resolve(const Profile& profile, const Context& context) {
  ResolvedProfile out;
  out.name = profile.name;
  out.context = context;
  const ProfileLoader loader = loader_for(profile, context);
  const std::string_view arch = moby_arch(context.host_arch);
  const std::uint32_t default_errno =
      profile.default_action.value.value_or(profile.default_errno_ret.value_or(kEperm));

  out.default_action = profile.default_action;
  if (out.default_action.kind == ActionKind::kErrno) out.default_action.value = default_errno;

  // Architectures.
  std::vector<std::string> scmp = profile.architectures;
  if (scmp.empty()) {
    for (const auto& entry : profile.arch_map) {
      if (entry.architecture == scmp_arch_name(context.host_arch)) {
        scmp.push_back(entry.architecture);
        scmp.insert(scmp.end(), entry.sub_architectures.begin(), entry.sub_architectures.end());
      }
    }
  }
  out.architectures.push_back(context.host_arch);
  for (const auto& name : scmp) {
    auto parsed = parse_x86_arch(name);
    if (parsed &&
        std::find(out.architectures.begin(), out.architectures.end(), *parsed) == out.architectures.end()) {
      out.architectures.push_back(*parsed);
    }
  }
  if (scmp.empty()) {
    out.notes.push_back("the profile names no architecture for " + std::string(arch_name(context.host_arch)) +
                        ": the filter accepts native calls only, other ABIs are killed (bad arch)");
  }

  // Rules.
  bool ignored_min_kernel = false;
  std::vector<std::string> dropped_names;
  for (std::size_t i = 0; i < profile.rules.size(); ++i) {
    const Rule& rule = profile.rules[i];
    const auto has_cap = [&](const std::string& cap) { return context.capabilities.count(cap) > 0; };
    if (contains(rule.excludes.arches, arch)) continue;
    if (std::any_of(rule.excludes.caps.begin(), rule.excludes.caps.end(), has_cap)) continue;
    if (!rule.includes.arches.empty() && !contains(rule.includes.arches, arch)) continue;
    if (!std::all_of(rule.includes.caps.begin(), rule.includes.caps.end(), has_cap)) continue;
    if (loader == ProfileLoader::kMoby) {
      if (!rule.excludes.min_kernel.empty()) {
        auto v = min_kernel(rule.excludes.min_kernel);
        if (!v || context.kernel >= *v) continue;
      }
      if (!rule.includes.min_kernel.empty()) {
        auto v = min_kernel(rule.includes.min_kernel);
        if (!v || context.kernel < *v) continue;
      }
    } else if (!rule.includes.min_kernel.empty() || !rule.excludes.min_kernel.empty()) {
      ignored_min_kernel = true;
    }
    ResolvedRule resolved;
    for (const auto& name : rule.names) {
      if (context.libseccomp && !libseccomp_knows(name, *context.libseccomp)) {
        if (!contains(dropped_names, name)) dropped_names.push_back(name);
        continue;
      }
      resolved.names.push_back(name);
    }
    if (resolved.names.empty()) continue;
    resolved.action = rule.action;
    if (resolved.action.kind == ActionKind::kErrno && !resolved.action.value) resolved.action.value = kEperm;
    resolved.args = rule.args;
    resolved.source_index = static_cast<int>(i);
    resolved.condition = condition_text(rule);
    out.rules.push_back(std::move(resolved));
  }
  if (ignored_min_kernel) {
    out.notes.push_back(
        "containers/common's loader has no minKernel: rules carrying one are kept for any kernel");
  }
  if (!dropped_names.empty()) {
    out.notes.push_back("libseccomp " + to_string(*context.libseccomp) + " cannot name " +
                        join(dropped_names, ", ") +
                        ": the runtime skips them, so they get the default action");
  }

  // runc's -ENOSYS stub.
  const bool default_is_enosys = profile.default_errno_ret && *profile.default_errno_ret == 38;
  if (context.oci_runtime == OciRuntime::kRunc && !permissive(profile.default_action.kind) &&
      !default_is_enosys) {
    for (Arch abi : out.architectures) {
      EnosysStub stub{abi, -1, ""};
      for (const auto& rule : out.rules) {
        for (const auto& name : rule.names) {
          auto nr = syscall_number(abi, name);
          if (nr && *nr > stub.above) stub.above = *nr, stub.newest = name;
        }
      }
      if (stub.above < 0) continue;
      out.notes.push_back("runc answers ENOSYS for " + std::string(arch_name(abi)) + " calls above " +
                          std::to_string(stub.above) + " (" + stub.newest +
                          ", the newest call the filter names)");
      out.enosys_stubs.push_back(std::move(stub));
    }
  }
  if (context.capabilities.size() == all_capabilities().size()) {
    out.notes.push_back(
        "with all capabilities: note that Docker runs --privileged containers without seccomp "
        "unless a profile is given explicitly");
  }
  return out;
}

}  // namespace seccheck::analysis
