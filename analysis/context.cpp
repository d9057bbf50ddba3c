#include "analysis/context.h"

#include <sys/utsname.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace seccheck::analysis {
namespace {

// Kernel numbering order (include/uapi/linux/capability.h).
const std::vector<std::string> kAllCapabilities = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

const std::set<std::string> kDockerDefault = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE",
};

const std::set<std::string> kPodmanDefault = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FOWNER",  "CAP_FSETID", "CAP_KILL",       "CAP_NET_BIND_SERVICE",
    "CAP_SETFCAP", "CAP_SETGID",       "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
};

std::optional<int> leading_number(std::string_view& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])))
    ++digits;
  if (digits == 0 || digits > 6) return std::nullopt;
  int value = 0;
  std::from_chars(text.data(), text.data() + digits, value);
  text.remove_prefix(digits);
  return value;
}

}  // namespace

std::set<std::string> Context::default_capabilities_copy() {
  return kDockerDefault;
}

const std::set<std::string>& default_container_capabilities() {
  return kDockerDefault;
}
const std::set<std::string>& podman_default_capabilities() {
  return kPodmanDefault;
}
const std::vector<std::string>& all_capabilities() {
  return kAllCapabilities;
}

Result<std::string> normalize_capability(const std::string& name) {
  std::string upper;
  for (char c : name)
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper.rfind("CAP_", 0) != 0) upper = "CAP_" + upper;
  if (std::find(kAllCapabilities.begin(), kAllCapabilities.end(), upper) != kAllCapabilities.end())
    return upper;
  return make_error("unknown capability '" + name + "' (expected a name like SYS_ADMIN or CAP_NET_RAW)");
}

Result<KernelVersion> parse_kernel_version(const std::string& text) {
  std::string_view rest = text;
  auto major = leading_number(rest);
  if (major && !rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    if (auto minor = leading_number(rest)) {
      // Anything after major.minor (".0-18-amd64", "-rc1") is the distribution's business.
      if (rest.empty() || rest.front() == '.' || rest.front() == '-' || rest.front() == '+' ||
          rest.front() == '_') {
        return KernelVersion{*major, *minor};
      }
    }
  }
  return make_error("bad kernel version '" + text + "' (expected MAJOR.MINOR, e.g. 5.10 or 6.1.0-18-amd64)");
}

KernelVersion running_kernel_version() {
  utsname name{};
  if (uname(&name) != 0) return {};
  auto parsed = parse_kernel_version(name.release);
  return parsed ? *parsed : KernelVersion{};
}

std::string to_string(const KernelVersion& version) {
  return std::to_string(version.major) + "." + std::to_string(version.minor);
}

std::string describe(const Context& context) {
  std::string caps;
  if (context.capabilities == kDockerDefault) {
    caps = "default (14)";
  } else if (context.capabilities.size() == kAllCapabilities.size()) {
    caps = "all (41)";
  } else {
    caps = "default (14)";
    for (const auto& cap : context.capabilities) {
      if (!kDockerDefault.count(cap)) caps += " +" + cap;
    }
    for (const auto& cap : kDockerDefault) {
      if (!context.capabilities.count(cap)) caps += " -" + cap;
    }
  }
  std::string text =
      "caps: " + caps + ", kernel " + to_string(context.kernel) + ", " +
      (context.oci_runtime == OciRuntime::kRunc ? "runc" : "crun") + ", libseccomp " +
      (context.libseccomp ? to_string(*context.libseccomp) : std::string("knowing every call"));
  return text;
}

Result<Engine> parse_engine(const std::string& text) {
  if (text == "docker") return Engine::kDocker;
  if (text == "containerd") return Engine::kContainerd;
  if (text == "crio" || text == "cri-o" || text == "podman") return Engine::kCrio;
  return make_error("--for " + text + ": unknown runtime; use docker, containerd or crio");
}

ProfileLoader loader_for(Engine engine) {
  return engine == Engine::kCrio ? ProfileLoader::kContainersCommon : ProfileLoader::kMoby;
}

}  // namespace seccheck::analysis
