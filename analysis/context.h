// The evaluation context: what a runtime on a node decides on top of a profile file: the
// container's capabilities, the host arch, the node's kernel, the OCI runtime (runc or crun)
// and the libseccomp it links, and which loader reads the profile's conditions.
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

// The OCI runtime that loads the filter: runc adds its ENOSYS stub (resolve.h), crun does not.
enum class OciRuntime { kRunc, kCrun };

// The container engine that reads the profile, and so decides its loader (below) and the form
// a generated profile takes: Docker/moby, containerd (CRI), CRI-O or Podman (containers/common).
enum class Engine { kDocker, kContainerd, kCrio };
// "docker", "containerd", "crio" (also "cri-o", "podman"); an error names what is accepted.
Result<Engine> parse_engine(const std::string& text);

KernelVersion running_kernel_version();

// Who turns the profile's includes/excludes into a flat rule list.
enum class ProfileLoader {
  kMoby,              // moby's setupSeccomp: Docker, and containerd's DefaultProfile (same semantics)
  kContainersCommon,  // containers/common pkg/seccomp: CRI-O, Podman, Buildah (no minKernel)
};
ProfileLoader loader_for(Engine engine);

struct Context {
  // The container's bounding capability set, "CAP_*" names. Default: Docker's 14 (see
  // default_container_capabilities() for why that is also the default for CRI-O/Podman).
  std::set<std::string> capabilities = default_capabilities_copy();
  // The host arch the runtime runs on (selects archMap and includes.arches); always x86_64 here.
  Arch host_arch = Arch::kX86_64;
  KernelVersion kernel = running_kernel_version();  // target node kernel (minKernel)
  OciRuntime oci_runtime = OciRuntime::kRunc;
  // libseccomp the runtime links; rules naming calls it does not know are dropped by the
  // runtime. nullopt: assume it knows every call in seccheck's table. Only 2.5 is modelled
  // (its table taken from Debian 12's 2.5.4); see resolve.h.
  std::optional<KernelVersion> libseccomp;  // major.minor (2.5)
  // The engine that reads the profile. nullopt: by profile: catalog entries their own engine's
  // (containers-common entries CRI-O's), files Docker's.
  std::optional<Engine> engine;

  static std::set<std::string> default_capabilities_copy();
};

// Docker / containerd default capability set (14 caps): CHOWN, DAC_OVERRIDE, FSETID, FOWNER,
// MKNOD, NET_RAW, SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL,
// AUDIT_WRITE. This is the default of every Context, including for crio/podman profiles:
// under Kubernetes the kubelet asks the CRI runtime for a container without a caps list,
// and containerd gives exactly these 14. CRI-O's own default list (crio.conf
// default_capabilities) was not checked from a source here, and Podman's differs (below), so
// seccheck keeps one documented default and lets --cap-drop/--cap-add express the others.
const std::set<std::string>& default_container_capabilities();
// Podman's default (containers/common DefaultCapabilities, 11 caps): the 14 above without
// AUDIT_WRITE, MKNOD and NET_RAW. Matters for the containers-common `socket` rules, which
// depend on CAP_AUDIT_WRITE.
const std::set<std::string>& podman_default_capabilities();
// Every capability the kernel defines (41), in kernel numbering order (CAP_CHOWN = 0 …
// CAP_CHECKPOINT_RESTORE = 40), for --privileged.
const std::vector<std::string>& all_capabilities();
// Accepts "SYS_ADMIN", "CAP_SYS_ADMIN", "sys_admin"; returns "CAP_SYS_ADMIN". Unknown names
// are an error naming the input.
Result<std::string> normalize_capability(const std::string& name);
// running_kernel_version() (declared above): uname(2)'s release, major.minor; {0, 0} if it
// cannot be read.
// "5.10", "6.1.0-18-amd64", "4.8"; an error for anything without a numeric major.minor.
Result<KernelVersion> parse_kernel_version(const std::string& text);
std::string to_string(const KernelVersion& version);
// One line: "caps: default (14) +CAP_SYS_ADMIN, kernel 6.1, runc, libseccomp: all calls".
std::string describe(const Context& context);

}  // namespace seccheck::analysis
