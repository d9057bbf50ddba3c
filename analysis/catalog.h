// The built-in RuntimeDefault catalog: Docker/moby, containerd and CRI-O/Podman
// (containers-common) default profiles per version, authored in the project's own form
// (profiles/) and embedded at build time.
#pragma once

#include <string>
#include <vector>

#include "analysis/profile.h"
#include "core/result.h"

namespace seccheck::analysis {

struct CatalogEntry {
  std::string name;      // "docker@29.4.3"
  std::string runtime;   // "docker", "containerd", "containers-common"
  std::string version;   // "29.4.3"
  std::string releases;  // the upstream releases that ship it: "v25.0.3 … v28.1.1"
  bool latest = false;   // newest of its runtime
};

const std::vector<CatalogEntry>& catalog_entries();
// Names users type: docker, containerd, crio, podman (latest), docker@24.0 (newest 24.0.x that
// the catalog has), docker@29.4.3, runtime-default (latest docker, containerd, crio: several).
Result<std::vector<Profile>> catalog_profiles(const std::string& name);
// A catalog name or a profile file path.
Result<std::vector<Profile>> load_profiles(const std::string& name_or_path);

}  // namespace seccheck::analysis
