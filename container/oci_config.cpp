#include "container/oci_config.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "analysis/context.h"

namespace seccheck::container {
namespace {

Error config_error(const std::string& message) {
  return Error{"config.json: " + message};
}

bool is_directory(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

Result<std::vector<std::string>> string_list(const nlohmann::json& value, const std::string& where) {
  if (!value.is_array()) return config_error(where + " is not a list of strings");
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.is_string()) return config_error(where + " is not a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

Result<BundleConfig> parse_bundle_config(const std::string& text, const std::string& bundle_dir) {
  nlohmann::json config = nlohmann::json::parse(text, nullptr, false);
  if (config.is_discarded()) return config_error("not valid JSON");
  if (!config.is_object()) return config_error("not an OCI runtime config (not a JSON object)");
  if (!config.contains("ociVersion") || !config["ociVersion"].is_string())
    return config_error("not an OCI runtime config (no \"ociVersion\" string)");
  BundleConfig bundle;
  const nlohmann::json& process = config.value("process", nlohmann::json());
  if (!process.is_object() || !process.contains("args"))
    return config_error("not an OCI runtime config for a container to run (no process.args)");
  auto args = string_list(process["args"], "process.args");
  if (!args) return args.error();
  if (args->empty()) return config_error("process.args is empty");
  bundle.args = *args;
  const nlohmann::json& root = config.value("root", nlohmann::json());
  if (!root.is_object() || !root.contains("path") || !root["path"].is_string())
    return config_error("not an OCI runtime config (no root.path string)");
  std::string rootfs = root["path"].get<std::string>();
  if (rootfs.empty() || rootfs[0] != '/') rootfs = bundle_dir + "/" + rootfs;
  if (!is_directory(rootfs)) return config_error("root.path " + rootfs + " is not a folder");
  bundle.rootfs = rootfs;
  if (process.contains("capabilities")) {
    const nlohmann::json& caps = process["capabilities"];
    if (!caps.is_object()) return config_error("process.capabilities is not an object");
    // Docker's profile conditions follow the container's capability list, which engines give
    // every set alike; the bounding set is the ceiling of what the workload can hold.
    const char* set = caps.contains("bounding") ? "bounding" : "effective";
    if (caps.contains(set)) {
      auto names = string_list(caps[set], std::string("process.capabilities.") + set);
      if (!names) return names.error();
      for (const auto& name : *names) {
        auto cap = analysis::normalize_capability(name);
        if (!cap)
          return config_error(std::string("process.capabilities.") + set + ": " + cap.error().message);
        bundle.capabilities.insert(*cap);
      }
    }
  }
  if (config.contains("linux") && config["linux"].is_object() && config["linux"].contains("seccomp")) {
    const nlohmann::json& seccomp = config["linux"]["seccomp"];
    if (!seccomp.is_object()) return config_error("linux.seccomp is not an object");
    if (seccomp.contains("architectures")) {
      auto arches = string_list(seccomp["architectures"], "linux.seccomp.architectures");
      if (!arches) return arches.error();
      bundle.seccomp_architectures = *arches;
    }
    bundle.declared_profile = seccomp;
  }
  bundle.config = std::move(config);
  return bundle;
}

Result<BundleConfig> read_bundle(const std::string& dir) {
  if (!is_directory(dir)) return Error{"--bundle " + dir + ": no such folder"};
  const std::string path = dir + "/config.json";
  std::ifstream in(path);
  if (!in)
    return Error{"--bundle " + dir +
                 ": no config.json there (an OCI runtime bundle holds config.json and its root filesystem)"};
  std::stringstream text;
  text << in.rdbuf();
  std::string absolute = dir;
  if (absolute[0] != '/') {
    char* cwd = getcwd(nullptr, 0);
    if (cwd != nullptr) {
      absolute = std::string(cwd) + "/" + dir;
      free(cwd);
    }
  }
  auto bundle = parse_bundle_config(text.str(), absolute);
  if (!bundle) return Error{path + ": " + bundle.error().message.substr(std::string("config.json: ").size())};
  return bundle;
}

Result<nlohmann::json> wrap_config(const BundleConfig& bundle, const WrapSpec& spec) {
  nlohmann::json config = bundle.config;
  bool dev_tmpfs = false;
  if (config.contains("mounts") && config["mounts"].is_array()) {
    for (const auto& mount : config["mounts"]) {
      if (mount.is_object() && mount.value("destination", "") == "/dev" && mount.value("type", "") == "tmpfs")
        dev_tmpfs = true;
    }
  }
  if (!dev_tmpfs)
    return Error{"config.json mounts no tmpfs on /dev: seccheck puts its mount points there so the root "
                 "filesystem is not changed (runc spec, umoci and podman configs have one)"};
  config["mounts"].push_back({{"destination", kSeccheckInContainer},
                              {"type", "bind"},
                              {"source", spec.seccheck_host_path},
                              {"options", {"bind", "ro", "nosuid", "nodev"}}});
  config["mounts"].push_back({{"destination", kOutInContainer},
                              {"type", "bind"},
                              {"source", spec.out_host_dir},
                              {"options", {"bind", "rw", "nosuid", "nodev", "noexec"}}});
  std::vector<std::string> args = {kSeccheckInContainer};
  args.insert(args.end(), spec.check_args.begin(), spec.check_args.end());
  args.push_back("--");
  const auto& workload = spec.workload.empty() ? bundle.args : spec.workload;
  args.insert(args.end(), workload.begin(), workload.end());
  config["process"]["args"] = args;
  // The workload's output passes through the runtime's own stdio; a terminal would need a
  // console socket.
  config["process"]["terminal"] = false;
  config["root"]["path"] = bundle.rootfs;
  if (config.contains("linux") && config["linux"].is_object()) config["linux"].erase("seccomp");
  return config;
}

std::string describe_declared_profile(const nlohmann::json& seccomp) {
  std::string text =
      "linux.seccomp of config.json: defaultAction " + seccomp.value("defaultAction", "(none)");
  const std::size_t rules =
      seccomp.contains("syscalls") && seccomp["syscalls"].is_array() ? seccomp["syscalls"].size() : 0;
  text += ", " + std::to_string(rules) + " syscall rule" + (rules == 1 ? "" : "s");
  if (seccomp.contains("architectures") && seccomp["architectures"].is_array()) {
    std::string arches;
    for (const auto& arch : seccomp["architectures"])
      if (arch.is_string()) arches += (arches.empty() ? "" : " ") + arch.get<std::string>();
    if (!arches.empty()) text += ", architectures " + arches;
  }
  return text;
}

}  // namespace seccheck::container
