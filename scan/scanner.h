// Static reachability of syscalls in an ELF executable or shared object and the libraries it
// loads: (a) calls of imported library functions the wrapper table knows (unshare, mount,
// pthread_create -> clone3/clone, keyctl from libkeyutils, io_uring from liburing, ...),
// (b) calls of syscall(2)-like functions whose number the call site loads as a constant, and
// (c) `syscall` instructions with a constant in eax/rax, in the module's own code and in every
// loaded library except glibc's libc and the dynamic loader (whose wrappers (a) stands for).
// Arguments the call site sets to constants just before are kept (socket's family, clone's
// flags), so a profile's argument conditions can be evaluated exactly.
//
// What it over-approximates: a call in the code counts whether or not any run reaches it.
// What it misses: numbers computed at run time, calls glibc makes through function pointers,
// libraries opened with dlopen by a name not constant at the call site, interpreters' scripts.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/arch.h"
#include "core/result.h"
#include "scan/wrapper_table.h"

namespace seccheck::scan {

enum class CallKind {
  kImport,           // a call of an imported library function (the table's row names the syscall)
  kSyscallFunction,  // a call of syscall(2) (or Go's syscall.Syscall) with a constant number
  kDirect,           // a `syscall` instruction with a constant number
};
const char* call_kind_name(CallKind kind);  // "imported", "syscall()", "direct"

struct ReachableCall {
  std::string syscall;
  int nr = -1;
  Arch arch = Arch::kX86_64;
  std::array<std::optional<std::uint64_t>, 6> args;  // constants the call site passes
  std::string module;         // path (in the scanned root) of the module holding the call site
  std::string function;       // the function holding the call site, "" when no symbol holds it
  std::uint64_t address = 0;  // of the call site, as the module's addresses go (st_value, addr2line)
  CallKind kind = CallKind::kDirect;
  std::string via;  // the imported or called function ("pthread_create", "syscall"), "" for direct
};

struct ScannedModule {
  std::string path;  // in the root
  std::string
      found_as;  // "executable", "interpreter", "DT_NEEDED of /usr/bin/x", "dlopen(\"libx.so.1\") in ..."
  bool code_scanned = false;  // false for libc and the dynamic loader (their wrappers are the table)
  std::uint64_t code_bytes = 0;
};

struct ScanOptions {
  std::string root;  // "" or "/": this host; else PATH names a file inside this root filesystem
  const WrapperTable* wrappers = nullptr;  // nullptr: WrapperTable::builtin()
  bool follow_needed = true;               // load DT_NEEDED libraries (and constant-name dlopen)
};

struct ScanResult {
  std::string path;
  std::vector<ScannedModule> modules;
  std::vector<ReachableCall> calls;  // ordered by module (load order), then address, then syscall
  std::vector<std::string> notes;    // libraries not found, syscall sites without a constant number, ...
  std::uint64_t code_bytes = 0;
};

// `path` is in the root when options.root is set. Errors: the file cannot be read, is not ELF,
// or is not a 64-bit x86_64 file (one line naming it).
Result<ScanResult> scan_file(const std::string& path, const ScanOptions& options = {});
// The same for a file's bytes (fuzzing, tests): no libraries are loaded.
Result<ScanResult> scan_bytes(std::string bytes, const std::string& name, const ScanOptions& options = {});

}  // namespace seccheck::scan
