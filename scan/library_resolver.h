// Finding the shared libraries a program loads, as glibc's dynamic loader does, inside a root
// folder (a container image's or bundle's root filesystem, or "/" for this host): DT_RPATH of
// the requesting object and its loaders (when it has no DT_RUNPATH), DT_RUNPATH, the root's
// /etc/ld.so.cache, then the default folders, with $ORIGIN, $LIB and $PLATFORM expanded and
// DF_1_NODEFLIB honoured. Paths are resolved inside the root: an absolute symlink in an image
// points into the image, never out to the host. A candidate that is not a 64-bit x86_64 ELF
// file is passed over, as the loader does. LD_LIBRARY_PATH and LD_PRELOAD are not modelled.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace seccheck::scan {

// /etc/ld.so.cache (glibc's "glibc-ld.so.cache1.1" format, alone or after the old format's
// table): soname -> path for the x86_64 libc6 entries, first entry per soname.
Result<std::map<std::string, std::string>> parse_ld_so_cache(std::string_view bytes);

// What the loader knows about the object asking for a library.
struct Requester {
  std::string path;                  // in the root, e.g. "/usr/bin/python3.11"
  std::vector<std::string> rpath;    // DT_RPATH of the requester and then of each object that loaded it
  std::vector<std::string> runpath;  // the requester's own DT_RUNPATH
  bool has_runpath = false;          // DT_RUNPATH present: DT_RPATH is then ignored
  bool no_default_lib = false;       // DF_1_NODEFLIB
};

class LibraryResolver {
 public:
  // `root`: "/" or "" for this host, else a folder holding a root filesystem.
  explicit LibraryResolver(std::string root);

  // Where `path` (absolute, in the root) is on this host, with every symlink followed inside the
  // root; nullopt when it does not exist.
  std::optional<std::string> host_path(std::string_view path) const;
  // The library the loader would map for DT_NEEDED `name`, as a path in the root; nullopt when
  // it finds none.
  std::optional<std::string> find(const std::string& name, const Requester& requester);
  // Why the cache could not be used, "" when it was read or is absent.
  const std::string& cache_problem() const { return cache_problem_; }

 private:
  std::optional<std::string> try_folder(std::string folder, const std::string& name,
                                        const Requester& requester);
  bool acceptable(const std::string& path_in_root);
  std::string root_;  // "" for the host
  std::map<std::string, std::string> cache_;
  bool cache_loaded_ = false;
  std::string cache_problem_;
  std::map<std::string, bool> acceptable_;  // path in root -> a 64-bit x86_64 ELF file
};

// The folders glibc searches last on Debian's x86_64 (multiarch first).
const std::vector<std::string>& default_library_folders();

}  // namespace seccheck::scan
