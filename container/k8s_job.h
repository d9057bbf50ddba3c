// A Kubernetes Job that checks an image in a cluster: an init container copies the static
// seccheck from a seccheck image into an emptyDir; the main container runs the user's image
// with `seccheck check --format json` wrapped around its command, seccomp Unconfined for this
// Job only, and the pod's own capabilities as the check's context. The report is the pod's log.
// Kubernetes is the engine here: seccheck only writes the manifest.
#pragma once

#include <string>
#include <vector>

namespace seccheck::container {

struct JobSpec {
  std::string name;                   // metadata.name (a DNS-1123 name)
  std::string image;                  // the image to check
  std::vector<std::string> command;   // what to run in it (replaces its ENTRYPOINT and CMD)
  std::string seccheck_image;         // holds /usr/bin/seccheck-static and cp (e.g. FROM busybox)
  std::vector<std::string> cap_add;   // "SYS_ADMIN" (Kubernetes names, without CAP_)
  std::vector<std::string> cap_drop;  // "ALL" allowed
  bool privileged = false;
  std::vector<std::string> check_options;  // more `seccheck check` options (--profile ...)
};

// The manifest as YAML (one document). Strings are written double-quoted, so any value is safe.
std::string job_manifest_yaml(const JobSpec& spec);

}  // namespace seccheck::container
