#include "analysis/syscall_names.h"

#include "core/syscall_table.h"

namespace seccheck::analysis {

bool is_foreign_arch_syscall(std::string_view name) {
  return syscall_entry(name) != nullptr && !is_known_syscall(name);
}

bool is_known_profile_syscall(std::string_view name) {
  return syscall_entry(name) != nullptr;
}

}  // namespace seccheck::analysis
