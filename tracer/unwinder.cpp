#include "tracer/unwinder.h"

#include <dlfcn.h>
#include <libunwind-ptrace.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "tracer/unwind_linked.h"

namespace seccheck::tracer {

// libunwind is loaded on the first stack, not at start-up: mapping and relocating its three
// libraries cost every run ~1 ms, and most runs never unwind (no finding, or --stack 0).
// The static binary has no loader to dlopen with: tracer/unwind_linked.cpp (linked into that
// binary only, with libunwind's archives) defines linked_libunwind() and the weak reference
// below then finds it.
#define SECCHECK_SYMBOL_TEXT(name) #name
#define SECCHECK_SYMBOL_NAME(name) SECCHECK_SYMBOL_TEXT(name)

LinkedLibunwind linked_libunwind() __attribute__((weak));

namespace {

// What libunwind's callbacks receive: the ptrace accessors' own argument, and (after a leaf
// syscall stub was stepped over) the caller's pc and stack pointer, which stand in for the
// stopped thread's. Every other register is the thread's own: such a stub saves none.
// The ptrace accessors call back into the address space they are given with their own
// argument, so they are handed a second address space built on them alone (`plain`).
struct UnwindArg {
  void* upt = nullptr;
  const unw_accessors_t* ptrace = nullptr;
  unw_addr_space_t plain = nullptr;
  bool caller_frame = false;
  unw_word_t ip = 0, sp = 0;
};

UnwindArg& unwrap(void* arg) {
  return *static_cast<UnwindArg*>(arg);
}

int find_proc_info(unw_addr_space_t, unw_word_t ip, unw_proc_info_t* info, int need, void* arg) {
  return unwrap(arg).ptrace->find_proc_info(unwrap(arg).plain, ip, info, need, unwrap(arg).upt);
}
void put_unwind_info(unw_addr_space_t, unw_proc_info_t* info, void* arg) {
  unwrap(arg).ptrace->put_unwind_info(unwrap(arg).plain, info, unwrap(arg).upt);
}
int get_dyn_info_list_addr(unw_addr_space_t, unw_word_t* address, void* arg) {
  return unwrap(arg).ptrace->get_dyn_info_list_addr(unwrap(arg).plain, address, unwrap(arg).upt);
}
// Unwinding only reads: a write (which libunwind-ptrace would turn into PTRACE_POKE*) is refused.
int access_mem(unw_addr_space_t, unw_word_t address, unw_word_t* value, int write, void* arg) {
  if (write != 0) return -UNW_EINVAL;
  return unwrap(arg).ptrace->access_mem(unwrap(arg).plain, address, value, 0, unwrap(arg).upt);
}
int access_reg(unw_addr_space_t, unw_regnum_t reg, unw_word_t* value, int write, void* arg) {
  UnwindArg& a = unwrap(arg);
  if (write != 0) return -UNW_EREADONLYREG;
  if (a.caller_frame && reg == UNW_X86_64_RIP) {
    *value = a.ip;
    return 0;
  }
  if (a.caller_frame && reg == UNW_X86_64_RSP) {
    *value = a.sp;
    return 0;
  }
  return a.ptrace->access_reg(a.plain, reg, value, 0, a.upt);
}
int access_fpreg(unw_addr_space_t, unw_regnum_t reg, unw_fpreg_t* value, int write, void* arg) {
  if (write != 0) return -UNW_EREADONLYREG;
  return unwrap(arg).ptrace->access_fpreg(unwrap(arg).plain, reg, value, 0, unwrap(arg).upt);
}
int resume(unw_addr_space_t, unw_cursor_t*, void*) {
  return -UNW_EINVAL;  // a tracee is never resumed through libunwind
}

}  // namespace

struct Unwinder::Library {
  decltype(&_UPT_create) upt_create = nullptr;
  decltype(&_UPT_destroy) upt_destroy = nullptr;
  unw_accessors_t* upt_accessors = nullptr;
  unw_accessors_t accessors{};  // upt_accessors behind UnwindArg
  decltype(&unw_create_addr_space) create_addr_space = nullptr;
  decltype(&unw_destroy_addr_space) destroy_addr_space = nullptr;
  decltype(&unw_set_caching_policy) set_caching_policy = nullptr;
  decltype(&unw_init_remote) init_remote = nullptr;
  decltype(&unw_get_reg) get_reg = nullptr;
  decltype(&unw_step) step = nullptr;
  std::string error;  // why it could not be loaded; empty when loaded

  Library() {
    if (&linked_libunwind != nullptr) {
      const LinkedLibunwind linked = linked_libunwind();
      upt_create = linked.upt_create;
      upt_destroy = linked.upt_destroy;
      upt_accessors = linked.upt_accessors;
      create_addr_space = linked.create_addr_space;
      destroy_addr_space = linked.destroy_addr_space;
      set_caching_policy = linked.set_caching_policy;
      init_remote = linked.init_remote;
      get_reg = linked.get_reg;
      step = linked.step;
      set_accessors();
      return;
    }
    // The ptrace accessors call into the x86_64 unwinder, so that one is loaded first, globally.
    void* generic = dlopen("libunwind-x86_64.so.8", RTLD_NOW | RTLD_GLOBAL);
    void* ptrace = generic != nullptr ? dlopen("libunwind-ptrace.so.0", RTLD_NOW | RTLD_LOCAL) : nullptr;
    if (ptrace == nullptr) {
      const char* reason = dlerror();
      error = std::string("cannot load libunwind (") + (reason != nullptr ? reason : "unknown error") +
              "); install libunwind8 for call-site stacks";
      return;
    }
    bind(ptrace, upt_create, SECCHECK_SYMBOL_NAME(_UPT_create));
    bind(ptrace, upt_destroy, SECCHECK_SYMBOL_NAME(_UPT_destroy));
    bind(ptrace, upt_accessors, SECCHECK_SYMBOL_NAME(_UPT_accessors));
    bind(generic, create_addr_space, SECCHECK_SYMBOL_NAME(unw_create_addr_space));
    bind(generic, destroy_addr_space, SECCHECK_SYMBOL_NAME(unw_destroy_addr_space));
    bind(generic, set_caching_policy, SECCHECK_SYMBOL_NAME(unw_set_caching_policy));
    bind(generic, init_remote, SECCHECK_SYMBOL_NAME(unw_init_remote));
    bind(generic, get_reg, SECCHECK_SYMBOL_NAME(unw_get_reg));
    bind(generic, step, SECCHECK_SYMBOL_NAME(unw_step));
    set_accessors();
  }

  void set_accessors() {
    if (upt_accessors != nullptr)
      accessors = {find_proc_info, put_unwind_info, get_dyn_info_list_addr,
                   access_mem,     access_reg,      access_fpreg,
                   resume,         nullptr};
  }

  template <typename T> void bind(void* library, T& out, const char* symbol) {
    out = reinterpret_cast<T>(dlsym(library, symbol));
    if (out == nullptr && error.empty())
      error =
          std::string("libunwind lacks ") + symbol + "; install libunwind8 1.6 or newer for call-site stacks";
  }
};

struct Unwinder::Mapping {
  std::uint64_t start = 0, end = 0, file_offset = 0, inode = 0;
  bool executable = false;
  std::string path;
};

struct Unwinder::Space {
  const Library* library = nullptr;
  unw_addr_space_t address_space = nullptr;  // on Library::accessors: the cursor's
  unw_addr_space_t plain = nullptr;          // on the ptrace accessors (UnwindArg::plain)
  std::vector<Mapping> maps;
  bool maps_loaded = false;
  std::unordered_map<std::uint64_t, StackFrame> frames;  // pc -> named frame

  ~Space() {
    if (address_space != nullptr) library->destroy_addr_space(address_space);
    if (plain != nullptr) library->destroy_addr_space(plain);
  }
};

namespace {

template <typename Mapping> std::vector<Mapping> read_maps(pid_t pid) {
  std::vector<Mapping> maps;
  std::ifstream in("/proc/" + std::to_string(pid) + "/maps");
  std::string line;
  while (std::getline(in, line)) {
    Mapping m;
    char perms[8] = {};
    unsigned long long start = 0, end = 0, offset = 0, inode = 0;
    int path_at = 0;
    if (std::sscanf(line.c_str(), "%llx-%llx %7s %llx %*s %llu %n", &start, &end, perms, &offset, &inode,
                    &path_at) < 5)
      continue;
    m.start = start;
    m.end = end;
    m.file_offset = offset;
    m.inode = inode;
    m.executable = perms[2] == 'x';
    if (path_at > 0 && static_cast<size_t>(path_at) < line.size())
      m.path = line.substr(static_cast<size_t>(path_at));
    maps.push_back(std::move(m));
  }
  return maps;
}

// The file a mapping shows, as this process can open it: its path when that still names the
// mapped inode, else the kernel's link to the mapped file itself (replaced on disk, or in another
// mount namespace); "" when neither works (deleted, anonymous, [vdso]).
template <typename Mapping> std::string mapped_file(pid_t pid, const Mapping& m) {
  if (m.path.empty() || m.path[0] != '/') return "";
  struct stat st {};
  if (::stat(m.path.c_str(), &st) == 0 && st.st_ino == m.inode) return m.path;
  char link[128];
  std::snprintf(link, sizeof link, "/proc/%d/map_files/%llx-%llx", static_cast<int>(pid),
                static_cast<unsigned long long>(m.start), static_cast<unsigned long long>(m.end));
  if (::stat(link, &st) == 0 && st.st_ino == m.inode) return link;
  return "";
}

// `size` bytes at `address` through the accessors' aligned word reads.
bool read_tracee(const unw_accessors_t& accessors, unw_addr_space_t as, UnwindArg& arg, std::uint64_t address,
                 unsigned char* out, std::size_t size) {
  const std::uint64_t first = address & ~std::uint64_t{7};
  for (std::uint64_t word_at = first; word_at < address + size; word_at += 8) {
    unw_word_t word = 0;
    if (accessors.access_mem(as, word_at, &word, 0, &arg) != 0) return false;
    for (int i = 0; i < 8; ++i) {
      const std::uint64_t at = word_at + static_cast<std::uint64_t>(i);
      if (at >= address && at < address + size)
        out[at - address] = static_cast<unsigned char>(word >> (8 * i));
    }
  }
  return true;
}

// The bytes before a return address hold a call: e8 rel32, ff 15 disp32 (call *x(%rip)), or
// ff d0+r / 41 ff d0+r (call *%reg).
bool follows_call(const unsigned char (&b)[8]) {
  const bool register_call = b[6] == 0xff && (b[7] & 0xf8) == 0xd0;
  return b[3] == 0xe8 || (b[2] == 0xff && b[3] == 0x15) || register_call || (b[5] == 0x41 && register_call);
}

}  // namespace

Unwinder::Unwinder(std::function<void(const std::string&)> on_unavailable, std::string debug_root,
                   const std::optional<std::filesystem::path>& line_cache_folder)
    : on_unavailable_(std::move(on_unavailable)), modules_(std::move(debug_root), line_cache_folder) {}
Unwinder::~Unwinder() = default;

const Unwinder::Library* Unwinder::library() {
  if (!library_) {
    library_ = std::make_unique<Library>();
    if (!library_->error.empty() && on_unavailable_) on_unavailable_(library_->error);
  }
  return library_->error.empty() ? library_.get() : nullptr;
}

Unwinder::Space& Unwinder::space_for(pid_t pid, const Library& lib) {
  auto it = spaces_.find(pid);
  if (it != spaces_.end()) return *it->second;
  auto space = std::make_unique<Space>();
  space->library = &lib;
  space->address_space = lib.create_addr_space(const_cast<unw_accessors_t*>(&lib.accessors), 0);
  space->plain = lib.create_addr_space(lib.upt_accessors, 0);
  if (space->address_space != nullptr) lib.set_caching_policy(space->address_space, UNW_CACHE_GLOBAL);
  if (space->plain != nullptr) lib.set_caching_policy(space->plain, UNW_CACHE_GLOBAL);
  return *spaces_.emplace(pid, std::move(space)).first->second;
}

void Unwinder::flush(pid_t pid) {
  spaces_.erase(pid);
}

const Unwinder::Mapping* Unwinder::mapping_at(Space& space, pid_t pid, std::uint64_t pc) {
  const auto find = [&]() -> const Mapping* {
    for (const Mapping& m : space.maps)
      if (pc >= m.start && pc < m.end) return &m;
    return nullptr;
  };
  const Mapping* found = space.maps_loaded ? find() : nullptr;
  if (found == nullptr) {
    space.maps = read_maps<Mapping>(pid);  // re-read: the process may have mapped a library since
    space.maps_loaded = true;
    found = find();
  }
  return found;
}

StackFrame Unwinder::name_frame(Space& space, pid_t pid, std::uint64_t pc) {
  StackFrame frame;
  frame.pc = pc;
  const Mapping* mapping = mapping_at(space, pid, pc);
  if (mapping == nullptr) return frame;
  frame.binary = mapping->path;
  // Named by the instruction before pc: the call of a caller frame (a call that ends a function
  // returns past its end), the `syscall` of the innermost one.
  const std::uint64_t lookup = pc > mapping->start ? pc - 1 : pc;
  frame.offset = pc - mapping->start + mapping->file_offset;
  const std::string file = mapped_file(pid, *mapping);
  elf::Module* module = file.empty() ? nullptr : modules_.get(file);
  if (module == nullptr) return frame;
  const auto address = module->file().vaddr_at_offset(lookup - mapping->start + mapping->file_offset);
  if (!address) return frame;
  const std::uint64_t pc_address = *address + (pc - lookup);
  elf::CodeLocation where = module->locate(*address);
  frame.offset = where.function.empty() ? pc_address : pc_address - where.function_start;
  frame.function = std::move(where.function);
  frame.source_file = std::move(where.source_file);
  frame.source_line = where.line;
  return frame;
}

std::vector<StackFrame> Unwinder::stack(pid_t pid, pid_t tid, int max_frames) {
  std::vector<StackFrame> frames;
  if (max_frames <= 0) return frames;
  const Library* lib = library();
  if (lib == nullptr) return frames;
  Space& space = space_for(pid, *lib);
  if (space.address_space == nullptr || space.plain == nullptr) return frames;
  UnwindArg arg;
  arg.plain = space.plain;
  arg.upt = lib->upt_create(tid);
  arg.ptrace = lib->upt_accessors;
  if (arg.upt == nullptr) return frames;
  unw_cursor_t cursor;
  bool more = lib->init_remote(&cursor, space.address_space, &arg) == 0;
  while (more && static_cast<int>(frames.size()) < max_frames) {
    unw_word_t ip = 0;
    if (lib->get_reg(&cursor, UNW_REG_IP, &ip) != 0 || ip == 0) break;
    auto cached = space.frames.find(ip);
    if (cached != space.frames.end()) {
      frames.push_back(cached->second);
    } else {
      frames.push_back(name_frame(space, pid, ip));
      if (space.frames.size() < 65536) space.frames.emplace(ip, frames.back());
    }
    // The stopped thread's own frame may be a syscall stub whose CFI ends before its `syscall`
    // (glibc's clone and clone3: the child starts on a fresh stack with no caller, so the
    // wrappers describe no frame there, and libunwind stops). The parent side is a leaf that has
    // pushed nothing: the caller's pc is at the stack pointer.
    unw_proc_info_t info;
    unw_word_t sp = 0;
    unsigned char before_pc[2] = {}, before_return[8] = {};
    unw_word_t return_address = 0;
    if (frames.size() == 1 &&
        lib->upt_accessors->find_proc_info(space.plain, ip - 1, &info, 0, arg.upt) == -UNW_ENOINFO &&
        read_tracee(lib->accessors, space.address_space, arg, ip - 2, before_pc, 2) && before_pc[0] == 0x0f &&
        before_pc[1] == 0x05 && lib->get_reg(&cursor, UNW_X86_64_RSP, &sp) == 0 && sp % 8 == 0 &&
        lib->accessors.access_mem(space.address_space, sp, &return_address, 0, &arg) == 0 &&
        return_address > 8 &&
        read_tracee(lib->accessors, space.address_space, arg, return_address - 8, before_return, 8) &&
        follows_call(before_return)) {
      const Mapping* caller = mapping_at(space, pid, return_address);
      if (caller != nullptr && caller->executable) {
        arg.caller_frame = true;
        arg.ip = return_address;
        arg.sp = sp + 8;
        more = lib->init_remote(&cursor, space.address_space, &arg) == 0;
        continue;
      }
    }
    more = lib->step(&cursor) > 0;
  }
  lib->upt_destroy(arg.upt);
  return frames;
}

}  // namespace seccheck::tracer
