// The built-in RuntimeDefault catalog: Docker/moby, containerd and CRI-O/Podman
// (containers-common) default profiles per version, authored in the project's own layered
// form (profiles/<runtime>.json: the first version of a runtime in full, every later one as
// changes against the version it descends from) and embedded at build time. Profiles are
// built from the layers on first use; each equals the upstream file it was derived from
// (tests/catalog checks that against ../shared/reference-profiles).
#pragma once

#include <string>
#include <vector>

#include "analysis/context.h"
#include "analysis/profile.h"
#include "core/result.h"

namespace seccheck::analysis {

struct CatalogEntry {
  std::string name;      // "docker@29.4.3"
  std::string family;    // the names' prefix: "docker", "containerd", "containers-common"
  std::string version;   // "29.4.3"
  std::string releases;  // the upstream releases that ship it: "v25.0.3 … v28.1.1 (45 tags)"
  bool latest = false;   // newest release of its runtime (containers-common main is not a release)
  // Bare release numbers that ship it ("25.0.3", "26.0.0", ...); empty for unreleased states.
  std::vector<std::string> release_versions;
  std::string source;               // upstream repo, path, tag and commit
  std::string parent;               // entry it is written as changes against; "" for a base
  std::string reference_file;       // the ../shared/reference-profiles file it was derived from
  Engine engine = Engine::kDocker;  // who reads it: containers-common is CRI-O's and Podman's
};

const std::vector<CatalogEntry>& catalog_entries();
// Names users type: docker, containerd, crio, podman, containers-common (latest of each;
// crio and podman = the newest containers-common release), every entry name
// (docker@20.10.24-debian-bookworm, containers-common@main-8840603a87, also
// containers-common@main), exact releases (docker@24.0.5: the entry whose release list has
// it), major.minor or major (docker@24.0, docker@24: the entry that ships the newest 24.0.x
// or 24.x release the catalog knows), and runtime-default (latest docker, containerd, crio:
// several profiles).
Result<std::vector<Profile>> catalog_profiles(const std::string& name);
// Which entry a typed name means, with why: "docker@24.0 = docker@23.0.7 (the profile of
// v24.0.9, the newest 24.0 release the catalog knows)". Error for unknown names, listing close
// names.
struct CatalogMatch {
  std::vector<const CatalogEntry*> entries;
  std::string explanation;  // "" when the name is an entry name
};
Result<CatalogMatch> resolve_catalog_name(const std::string& name);
// A catalog name or a profile file path. Unknown names that are not files give one line
// listing close catalog names.
Result<std::vector<Profile>> load_profiles(const std::string& name_or_path);
// Every name resolve_catalog_name accepts (aliases, entry names, major.minor, releases).
std::vector<std::string> catalog_names();
// The entry a Profile::name belongs to, or nullptr (files).
const CatalogEntry* catalog_entry_for(const std::string& profile_name);
// The loader that reads `profile`: the context's engine when set, else its catalog entry's
// engine, else moby's.
ProfileLoader loader_for(const Profile& profile, const Context& context);

}  // namespace seccheck::analysis
