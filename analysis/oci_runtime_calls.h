// What an OCI runtime does between loading a container's seccomp filter and executing its
// entrypoint, as data measured by tracing the real runtime (analysis/oci_runtime_calls.csv,
// with its provenance; scripts/measure_runtime_calls.sh measures again). Embedded in the binary.
#pragma once

#include <string>
#include <vector>

#include "analysis/context.h"

namespace seccheck::analysis {

struct OciRuntimeCall {
  std::string name;  // syscall name
  int runs_seen = 0;
  int runs = 0;
};

struct OciRuntimeCalls {
  std::string runtime;                // "runc", "crun"
  std::string version;                // the measured version, "1.1.5"
  std::vector<OciRuntimeCall> calls;  // by name
};

// The measured calls of `runtime` (the one measured version each).
const OciRuntimeCalls& oci_runtime_calls(OciRuntime runtime);

}  // namespace seccheck::analysis
