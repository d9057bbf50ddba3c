// A classic-BPF seccomp program, exported from a libseccomp filter context by the component
// that built it and loaded with seccomp(2) by the tracer's child before execve. Programs are
// stacked: the kernel runs every one and applies the most severe action, so a call stops the
// tracee whenever one program answers SECCOMP_RET_TRACE and none answers something stronger.
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

namespace seccheck {

struct BpfProgram {
  std::vector<sock_filter> instructions;
  std::string description;  // for -v: "docker@29.4.3 (blocking actions -> TRACE)"
  bool from_cache = false;  // libseccomp's part came from the filter cache
};

}  // namespace seccheck
