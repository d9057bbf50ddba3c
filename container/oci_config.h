// An OCI runtime bundle's config.json: read it, take the check's context from it, and write the
// copy seccheck runs: process.args wrapped by the static seccheck, seccheck and its output folder
// bind-mounted under the container's own /dev tmpfs (so the user's root filesystem gains no
// mount point), linux.seccomp removed for this run (it is checked as the "declared profile"
// instead), and the root path made absolute so the copy can live outside the bundle.
// The user's bundle is only read.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"

namespace seccheck::container {

// Where the rewritten config puts seccheck's files inside the container.
inline constexpr const char* kSeccheckInContainer = "/dev/.seccheck/seccheck";
inline constexpr const char* kOutInContainer = "/dev/.seccheck/out";

struct BundleConfig {
  nlohmann::json config;               // the whole document, as read
  std::string rootfs;                  // root.path, absolute
  std::vector<std::string> args;       // process.args
  std::set<std::string> capabilities;  // process.capabilities.bounding ("CAP_*"); none when absent
  std::vector<std::string> seccomp_architectures;  // linux.seccomp.architectures (SCMP_ARCH_*)
  std::optional<nlohmann::json> declared_profile;  // linux.seccomp, when the config declares one
};

// Reads DIR/config.json. Errors (one line, naming the file): no such folder, no config.json,
// not JSON, not an OCI runtime config (no ociVersion, process.args or root.path; wrong types),
// a capability name that is not one, or a root folder that does not exist.
Result<BundleConfig> read_bundle(const std::string& dir);
// The same, from config text; `bundle_dir` resolves a relative root.path.
Result<BundleConfig> parse_bundle_config(const std::string& text, const std::string& bundle_dir);

struct WrapSpec {
  std::string seccheck_host_path;       // the static seccheck, bind-mounted read-only
  std::string out_host_dir;             // bind-mounted read-write at kOutInContainer
  std::vector<std::string> check_args;  // ["check", options...]; "--" and the workload follow
  std::vector<std::string> workload;    // empty: the config's process.args
};

// The config seccheck runs. Errors: the config mounts no tmpfs on /dev (seccheck's mount points
// would have to be made in the user's root filesystem).
Result<nlohmann::json> wrap_config(const BundleConfig& bundle, const WrapSpec& spec);

// One line for the report's reader: "linux.seccomp of config.json: defaultAction SCMP_ACT_ERRNO,
// 52 syscall rules, architectures SCMP_ARCH_X86_64".
std::string describe_declared_profile(const nlohmann::json& seccomp);

}  // namespace seccheck::container
