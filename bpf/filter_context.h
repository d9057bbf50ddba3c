// The one wrapper of libseccomp: every call the project makes to it goes through here. A
// FilterContext owns a libseccomp filter context (released with it); each operation returns a
// Result whose error names what failed and libseccomp's reason (its -errno as text). Programs
// are exported to memory, ready for the tracer's child to load with seccomp(2).
#pragma once

#include <linux/filter.h>
#include <seccomp.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/arch.h"
#include "core/bpf_program.h"
#include "core/result.h"

namespace seccheck::bpf {

// One argument comparison, as libseccomp takes it: for SCMP_CMP_MASKED_EQ `datum_a` is the mask
// and `datum_b` the value the masked argument must equal.
using ArgCompare = scmp_arg_cmp;

class FilterContext {
 public:
  // A context answering `default_action` (an SCMP_ACT_* / SECCOMP_RET_* value) for the native
  // arch (x86_64).
  static Result<FilterContext> create(std::uint32_t default_action);

  FilterContext(FilterContext&& other) noexcept;
  FilterContext& operator=(FilterContext&& other) noexcept;
  FilterContext(const FilterContext&) = delete;
  FilterContext& operator=(const FilterContext&) = delete;
  ~FilterContext();

  // The action for calls of an arch the filter does not hold (libseccomp's default: KILL).
  Result<void> set_bad_arch_action(std::uint32_t action);
  // Whether loading the filter through libseccomp sets no_new_privs. seccheck loads programs with
  // seccomp(2) itself and sets it only when needed, so every caller turns it off.
  Result<void> set_no_new_privs(bool on);
  // Adding an arch the filter holds already is not an error.
  Result<void> add_arch(Arch arch);
  Result<void> remove_native_arch();

  // A rule: `action` for syscall `nr` (libseccomp's number for the native arch, or a pseudo
  // number from resolve_name) when every comparison holds. `what` names the rule in errors. A
  // rule whose action is the filter's default changes nothing: libseccomp refuses it (EACCES)
  // and, as runc does, it is dropped without an error.
  Result<void> add_rule(std::uint32_t action, int nr, std::span<const ArgCompare> args,
                        const std::string& what);
  // Moves `other`'s arches and rules into this context (their arches must differ, their
  // attributes match); `other` is consumed either way.
  Result<void> merge(FilterContext&& other);

  // libseccomp's classic-BPF program for the context.
  Result<std::vector<sock_filter>> export_bpf() const;
  Result<BpfProgram> export_program(std::string description) const;

 private:
  explicit FilterContext(void* ctx) : ctx_(ctx) {}
  void* ctx_ = nullptr;
};

// libseccomp's number for `name` on the native arch (negative pseudo numbers for calls x86_64
// lacks, which it translates per arch), or nullopt when the library cannot name the call.
std::optional<int> resolve_name(std::string_view name);
// The library's version as "2.5.4", for cache keys and --version.
std::string library_version();

}  // namespace seccheck::bpf
