#include "tracer/unwind_linked.h"

#include <cstdlib>

namespace seccheck::tracer {

LinkedLibunwind linked_libunwind() {
  return {&_UPT_create,
          &_UPT_destroy,
          &_UPT_accessors,
          &unw_create_addr_space,
          &unw_destroy_addr_space,
          &unw_set_caching_policy,
          &unw_init_remote,
          &unw_get_reg,
          &unw_step};
}

}  // namespace seccheck::tracer

// libunwind-generic's local resume (jumping into a frame of this process) refers to setcontext
// from libunwind.a, which cannot be linked: it also defines the _Unwind_* calls that libgcc_eh
// provides for C++ exceptions. seccheck unwinds other processes only and never resumes a frame.
// NOLINTNEXTLINE(bugprone-reserved-identifier): the name libunwind-generic refers to.
extern "C" [[noreturn]] void _Ux86_64_setcontext(void*) {
  std::abort();
}
