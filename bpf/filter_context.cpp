#include "bpf/filter_context.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/fd.h"
#include "core/number_format.h"

namespace seccheck::bpf {
namespace {

// libseccomp returns -errno; the text is the reason shown after what failed.
Error lib_error(const std::string& what, int rc) {
  return make_error("libseccomp " + what + ": " + std::strerror(-rc));
}

}  // namespace

Result<FilterContext> FilterContext::create(std::uint32_t default_action) {
  void* ctx = seccomp_init(default_action);
  if (ctx == nullptr)
    return make_error("libseccomp cannot make a filter with default action " + hex(default_action));
  return FilterContext(ctx);
}

FilterContext::FilterContext(FilterContext&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

FilterContext& FilterContext::operator=(FilterContext&& other) noexcept {
  if (this != &other) {
    if (ctx_ != nullptr) seccomp_release(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

FilterContext::~FilterContext() {
  if (ctx_ != nullptr) seccomp_release(ctx_);
}

Result<void> FilterContext::set_bad_arch_action(std::uint32_t action) {
  if (int rc = seccomp_attr_set(ctx_, SCMP_FLTATR_ACT_BADARCH, action); rc < 0)
    return lib_error("cannot set the bad-arch action", rc);
  return {};
}

Result<void> FilterContext::set_no_new_privs(bool on) {
  if (int rc = seccomp_attr_set(ctx_, SCMP_FLTATR_CTL_NNP, on ? 1 : 0); rc < 0)
    return lib_error(on ? "cannot set CTL_NNP" : "cannot clear CTL_NNP", rc);
  return {};
}

Result<void> FilterContext::add_arch(Arch arch) {
  int rc = seccomp_arch_add(ctx_, libseccomp_arch_token(arch));
  if (rc < 0 && rc != -EEXIST) return lib_error("cannot add arch " + std::string(arch_name(arch)), rc);
  return {};
}

Result<void> FilterContext::remove_native_arch() {
  if (int rc = seccomp_arch_remove(ctx_, SCMP_ARCH_NATIVE); rc < 0)
    return lib_error("cannot remove the native arch", rc);
  return {};
}

Result<void> FilterContext::add_rule(std::uint32_t action, int nr, std::span<const ArgCompare> args,
                                     const std::string& what) {
  int rc = seccomp_rule_add_array(ctx_, action, nr, static_cast<unsigned>(args.size()), args.data());
  if (rc < 0 && rc != -EACCES) return lib_error("refused " + what, rc);
  return {};
}

Result<void> FilterContext::merge(FilterContext&& other) {
  void* source = std::exchange(other.ctx_, nullptr);
  int rc = seccomp_merge(ctx_, source);
  if (rc < 0) {
    seccomp_release(source);  // libseccomp frees it only on success
    return lib_error("cannot merge the filters", rc);
  }
  return {};
}

Result<std::vector<sock_filter>> FilterContext::export_bpf() const {
  // libseccomp 2.5 exports only to a file descriptor; a memfd keeps the program in memory.
  Fd fd(memfd_create("seccheck-bpf", MFD_CLOEXEC));
  if (!fd.valid()) return make_error(std::string("memfd_create: ") + std::strerror(errno));
  if (int rc = seccomp_export_bpf(ctx_, fd.get()); rc < 0) return lib_error("cannot export the program", rc);
  const off_t size = lseek(fd.get(), 0, SEEK_END);
  if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0)
    return make_error("libseccomp exported a program of " + std::to_string(size) +
                      " bytes, not whole instructions");
  std::vector<sock_filter> program(static_cast<std::size_t>(size) / sizeof(sock_filter));
  if (pread(fd.get(), program.data(), static_cast<std::size_t>(size), 0) != size)
    return make_error("cannot read back the program libseccomp exported");
  return program;
}

Result<BpfProgram> FilterContext::export_program(std::string description) const {
  Result<std::vector<sock_filter>> code = export_bpf();
  if (!code) return code.error();
  BpfProgram program;
  program.instructions = std::move(*code);
  program.description = std::move(description);
  return program;
}

std::optional<int> resolve_name(std::string_view name) {
  const int nr = seccomp_syscall_resolve_name(std::string(name).c_str());
  if (nr == __NR_SCMP_ERROR) return std::nullopt;
  return nr;
}

std::string library_version() {
  const scmp_version* version = seccomp_version();
  return std::to_string(version->major) + "." + std::to_string(version->minor) + "." +
         std::to_string(version->micro);
}

}  // namespace seccheck::bpf
