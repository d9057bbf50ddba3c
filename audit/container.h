// Which container a logged process belongs to, from its cgroup path: a pure function of
// /proc/PID/cgroup's text, and a thin /proc reader that refuses a pid reused since the record.
// Path forms (cgroup v2 unified line preferred, else the v1 lines; the innermost match wins for
// nested runtimes):
//   Docker       /docker/<id>                          system.slice/docker-<id>.scope
//   containerd   .../cri-containerd-<id>.scope         /kubepods/<qos>/pod<uid>/<id> (CRI, cgroupfs)
//   CRI-O        .../crio-<id>.scope                   /kubepods/.../crio-<id>
//   Podman       .../libpod-<id>.scope                 /libpod_parent/libpod-<id>
// conmon's own scopes (crio-conmon-<id>, libpod-conmon-<id>) are not the container. Kubernetes
// pods: kubepods-<qos>-pod<uid>.slice (systemd, '_' for '-') or /kubepods/<qos>/pod<uid>.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace seccheck::audit {

struct ContainerRef {
  std::string runtime;  // "docker", "containerd", "cri" (CRI runtime, cgroupfs driver), "crio", "podman"
  std::string id;       // 64 hex digits
  std::string pod_uid;  // Kubernetes pod UID with dashes; "" outside Kubernetes

  // "docker 0123456789ab", "containerd 0123456789ab (pod 1234abcd-...)".
  std::string text() const;
  friend bool operator==(const ContainerRef&, const ContainerRef&) = default;
};

// The container a process belongs to, from the whole text of /proc/PID/cgroup (every line);
// nullopt for processes outside containers.
std::optional<ContainerRef> container_from_cgroup(std::string_view cgroup_text);

// What /proc says about a live process.
struct ProcessInfo {
  std::string cgroup;         // /proc/PID/cgroup
  std::int64_t start_ms = 0;  // when it started, ms since the epoch (boot time + starttime)
};
// nullopt when the process is gone or /proc cannot be read.
std::optional<ProcessInfo> read_process(pid_t pid);
// The container of the process that made a record at `record_time_ms`, if it still runs: a
// process that started after the record (1.5 s of slack for /proc/stat's whole-second boot
// time) is another one that reused the pid.
std::optional<ContainerRef> container_of_pid(pid_t pid, std::int64_t record_time_ms);

// container_of_pid() once per pid: a log holds many records of one process.
class ContainerCache {
 public:
  std::optional<ContainerRef> lookup(std::uint32_t pid, std::int64_t record_time_ms);

 private:
  std::map<std::uint32_t, std::optional<ContainerRef>> by_pid_;
};

}  // namespace seccheck::audit
