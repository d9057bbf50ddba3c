#include "audit/container.h"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

namespace seccheck::audit {
namespace {

constexpr std::int64_t kStartSlackMs = 1500;

bool is_hex_id(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// "<prefix><64 hex><suffix>" -> the id.
std::optional<std::string_view> id_between(std::string_view component, std::string_view prefix,
                                           std::string_view suffix) {
  if (!component.starts_with(prefix) || !component.ends_with(suffix)) return std::nullopt;
  std::string_view id = component.substr(prefix.size(), component.size() - prefix.size() - suffix.size());
  if (!is_hex_id(id)) return std::nullopt;
  return id;
}

// A pod UID as Kubernetes writes it: 8-4-4-4-12 hex digits ('_' for '-' in systemd units).
std::optional<std::string> pod_uid(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::string out(text);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash) {
      if (out[i] != '-' && out[i] != '_') return std::nullopt;
      out[i] = '-';
    } else if (!((out[i] >= '0' && out[i] <= '9') || (out[i] >= 'a' && out[i] <= 'f'))) {
      return std::nullopt;
    }
  }
  return out;
}

std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < path.size()) {
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    if (end > pos) out.push_back(path.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::optional<ContainerRef> container_from_path(std::string_view path) {
  std::optional<ContainerRef> found;
  std::string pod;
  bool in_kubepods = false;
  std::string_view previous;
  for (std::string_view part : components(path)) {
    if (part.starts_with("kubepods")) in_kubepods = true;
    // kubepods-burstable-pod<uid>.slice (systemd) or pod<uid> (cgroupfs)
    if (const std::size_t at = part.rfind("pod"); in_kubepods && at != std::string_view::npos) {
      std::string_view rest = part.substr(at + 3);
      if (rest.ends_with(".slice")) rest.remove_suffix(6);
      if (auto uid = pod_uid(rest)) pod = *uid;
    }
    std::optional<ContainerRef> here;
    if (auto id = id_between(part, "docker-", ".scope")) {
      here = ContainerRef{"docker", std::string(*id), ""};
    } else if (auto cri = id_between(part, "cri-containerd-", ".scope")) {
      here = ContainerRef{"containerd", std::string(*cri), ""};
    } else if (auto crio = id_between(part, "crio-", ".scope")) {
      here = ContainerRef{"crio", std::string(*crio), ""};
    } else if (auto crio_fs = id_between(part, "crio-", "")) {
      here = ContainerRef{"crio", std::string(*crio_fs), ""};
    } else if (auto libpod = id_between(part, "libpod-", ".scope")) {
      here = ContainerRef{"podman", std::string(*libpod), ""};
    } else if (auto libpod_fs = id_between(part, "libpod-", "")) {
      here = ContainerRef{"podman", std::string(*libpod_fs), ""};
    } else if (is_hex_id(part) && previous == "docker") {
      here = ContainerRef{"docker", std::string(part), ""};
    } else if (is_hex_id(part) && in_kubepods) {
      here = ContainerRef{"cri", std::string(part), ""};
    }
    if (here) {
      here->pod_uid = pod;
      found = here;  // the innermost match wins (a runtime inside a container)
    }
    previous = part;
  }
  return found;
}

}  // namespace

std::string ContainerRef::text() const {
  std::string out = runtime + " " + id.substr(0, 12);
  if (!pod_uid.empty()) out += " (pod " + pod_uid + ")";
  return out;
}

std::optional<ContainerRef> container_from_cgroup(std::string_view cgroup_text) {
  std::optional<ContainerRef> from_v1;
  std::size_t pos = 0;
  while (pos < cgroup_text.size()) {
    std::size_t end = cgroup_text.find('\n', pos);
    if (end == std::string_view::npos) end = cgroup_text.size();
    const std::string_view line = cgroup_text.substr(pos, end - pos);
    pos = end + 1;
    // "hierarchy-ID:controller-list:cgroup-path"; the v2 line is "0::/path".
    const std::size_t first = line.find(':');
    const std::size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    auto found = container_from_path(line.substr(second + 1));
    if (!found) continue;
    if (line.starts_with("0::")) return found;
    if (!from_v1) from_v1 = found;
  }
  return from_v1;
}

std::optional<ProcessInfo> read_process(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  const std::string dir = "/proc/" + std::to_string(pid);
  std::ifstream cgroup(dir + "/cgroup");
  std::ifstream stat(dir + "/stat");
  std::ifstream boot("/proc/stat");
  if (!cgroup || !stat || !boot) return std::nullopt;
  ProcessInfo info;
  std::ostringstream text;
  text << cgroup.rdbuf();
  info.cgroup = text.str();
  // /proc/PID/stat: the comm in parentheses may hold spaces and ')'; fields resume after the
  // last ')'. starttime is field 22 (ticks since boot).
  std::string line;
  std::getline(stat, line);
  const std::size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  unsigned long long start_ticks = 0;
  for (int index = 3; fields >> field; ++index) {
    if (index == 22) {
      if (std::from_chars(field.data(), field.data() + field.size(), start_ticks).ec != std::errc())
        return std::nullopt;
      break;
    }
  }
  long long boot_seconds = -1;
  while (std::getline(boot, line)) {
    if (line.rfind("btime ", 0) != 0) continue;
    if (std::from_chars(line.data() + 6, line.data() + line.size(), boot_seconds).ec != std::errc())
      return std::nullopt;
  }
  const long ticks_per_second = sysconf(_SC_CLK_TCK);
  if (boot_seconds < 0 || ticks_per_second <= 0) return std::nullopt;
  info.start_ms = boot_seconds * 1000 + static_cast<std::int64_t>(start_ticks) * 1000 / ticks_per_second;
  return info;
}

std::optional<ContainerRef> container_of_pid(pid_t pid, std::int64_t record_time_ms) {
  auto info = read_process(pid);
  if (!info || info->start_ms > record_time_ms + kStartSlackMs) return std::nullopt;
  return container_from_cgroup(info->cgroup);
}

std::optional<ContainerRef> ContainerCache::lookup(std::uint32_t pid, std::int64_t record_time_ms) {
  auto [it, added] = by_pid_.try_emplace(pid);
  if (added) it->second = container_of_pid(static_cast<pid_t>(pid), record_time_ms);
  return it->second;
}

}  // namespace seccheck::audit
