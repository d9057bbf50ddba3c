#include "analysis/syscall_names.h"

#include <algorithm>
#include <iterator>

#include "core/syscall_table.h"

namespace seccheck::analysis {
namespace {

// Linux syscalls that exist only on non-x86 architectures (facts from the kernel's per-arch
// syscall tables). Profiles written for every host name them; on x86 they simply never occur.
constexpr std::string_view kForeignArchSyscalls[] = {
    // arm
    "arm_fadvise64_64",
    "arm_sync_file_range",
    "breakpoint",
    "cacheflush",
    "set_tls",
    "usr26",
    "usr32",
    "sync_file_range2",
    // arm, parisc, ia64, alpha and others: the old socket calls
    "recv",
    "send",
    // mips
    "cachectl",
    "sysmips",
    "syscall",
    // powerpc
    "multiplexer",
    "pciconfig_iobase",
    "pciconfig_read",
    "pciconfig_write",
    "rtas",
    "spu_create",
    "spu_run",
    "subpage_prot",
    "swapcontext",
    "switch_endian",
    "sys_debug_setcontext",
    // s390
    "s390_guarded_storage",
    "s390_pci_mmio_read",
    "s390_pci_mmio_write",
    "s390_runtime_instr",
    "s390_sthyi",
    // riscv
    "riscv_flush_icache",
    "riscv_hwprobe",
    // m68k
    "atomic_barrier",
    "atomic_cmpxchg_32",
    // sparc
    "kern_features",
    "memory_ordering",
    "perfctr",
    "utrap_install",
    // the short-lived timerfd() of 2.6.22, still in libseccomp's tables
    "timerfd",
};

}  // namespace

bool is_foreign_arch_syscall(std::string_view name) {
  return std::find(std::begin(kForeignArchSyscalls), std::end(kForeignArchSyscalls), name) !=
         std::end(kForeignArchSyscalls);
}

bool is_known_profile_syscall(std::string_view name) {
  return is_known_syscall(name) || is_foreign_arch_syscall(name);
}

}  // namespace seccheck::analysis
