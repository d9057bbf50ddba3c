// Compiles a resolved profile to a seccomp BPF program with libseccomp. Calls libseccomp
// 2.5.4 cannot name are compiled by number from seccheck's own table, never dropped.
#pragma once

#include <cstdint>

#include "analysis/filter_cache.h"
#include "analysis/resolve.h"
#include "core/bpf_program.h"
#include "core/result.h"

namespace seccheck::analysis {

enum class CompileMode {
  kAsIs,             // real enforcement
  kBlockingToTrace,  // every blocking action (not ALLOW/LOG) becomes SCMP_ACT_TRACE(trace_tag)
};

// With a cache, libseccomp's output for the same input is reused from an earlier run instead of
// being rebuilt (libseccomp takes about 10 ms per RuntimeDefault profile).
Result<BpfProgram> compile(const ResolvedProfile& profile, CompileMode mode, std::uint16_t trace_tag = 0,
                           const FilterCache* cache = nullptr);

}  // namespace seccheck::analysis
