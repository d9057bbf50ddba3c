// The evaluation context: what a runtime on a node decides on top of a profile file.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/arch.h"
#include "core/result.h"

namespace seccheck::analysis {

struct KernelVersion {
  int major = 0;
  int minor = 0;
  auto operator<=>(const KernelVersion&) const = default;
};

enum class RuntimeKind { kRunc, kCrun };

struct Context {
  // The container's bounding capability set, "CAP_*" names.
  std::set<std::string> capabilities;
  // The host arch the runtime runs on (selects archMap and includes.arches); always x86_64 here.
  Arch host_arch = Arch::kX86_64;
  KernelVersion kernel;  // target node kernel (minKernel); default: the running one
  RuntimeKind runtime = RuntimeKind::kRunc;
  // libseccomp the runtime links; rules naming calls it does not know are dropped by the
  // runtime. nullopt: assume it knows every call in seccheck's table.
  std::optional<KernelVersion> libseccomp;  // major.minor (2.5)
};

// Docker / containerd default capability set (14 caps).
const std::set<std::string>& default_container_capabilities();
// Every capability the kernel defines (41), for --privileged.
const std::vector<std::string>& all_capabilities();
// Accepts "SYS_ADMIN", "CAP_SYS_ADMIN", "sys_admin"; returns "CAP_SYS_ADMIN".
Result<std::string> normalize_capability(const std::string& name);
KernelVersion running_kernel_version();
Result<KernelVersion> parse_kernel_version(const std::string& text);

}  // namespace seccheck::analysis
