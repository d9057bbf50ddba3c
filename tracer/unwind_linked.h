// libunwind linked into the binary instead of loaded with dlopen: what the static seccheck
// (which has no dynamic loader) uses. unwind_linked.cpp defines linked_libunwind() and is
// compiled into that binary alone, together with libunwind's static archives; the unwinder
// refers to the function weakly, so the normal binary, which lacks it, dlopens libunwind.
#pragma once

#include <libunwind-ptrace.h>

namespace seccheck::tracer {

struct LinkedLibunwind {
  decltype(&_UPT_create) upt_create = nullptr;
  decltype(&_UPT_destroy) upt_destroy = nullptr;
  unw_accessors_t* upt_accessors = nullptr;
  decltype(&unw_create_addr_space) create_addr_space = nullptr;
  decltype(&unw_destroy_addr_space) destroy_addr_space = nullptr;
  decltype(&unw_set_caching_policy) set_caching_policy = nullptr;
  decltype(&unw_init_remote) init_remote = nullptr;
  decltype(&unw_get_reg) get_reg = nullptr;
  decltype(&unw_step) step = nullptr;
};

// Weak in unwinder.cpp: null unless unwind_linked.cpp is linked in.
LinkedLibunwind linked_libunwind();

}  // namespace seccheck::tracer
