#include "tracer/unwinder.h"

#include <dlfcn.h>
#include <libunwind-ptrace.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace seccheck::tracer {

// libunwind is loaded on the first stack, not at start-up: mapping and relocating its three
// libraries cost every run ~1 ms, and most runs never unwind (no finding, or --stack 0).
#define SECCHECK_SYMBOL_TEXT(name) #name
#define SECCHECK_SYMBOL_NAME(name) SECCHECK_SYMBOL_TEXT(name)

struct Unwinder::Library {
  decltype(&_UPT_create) upt_create = nullptr;
  decltype(&_UPT_destroy) upt_destroy = nullptr;
  unw_accessors_t* upt_accessors = nullptr;
  decltype(&unw_create_addr_space) create_addr_space = nullptr;
  decltype(&unw_destroy_addr_space) destroy_addr_space = nullptr;
  decltype(&unw_set_caching_policy) set_caching_policy = nullptr;
  decltype(&unw_init_remote) init_remote = nullptr;
  decltype(&unw_get_reg) get_reg = nullptr;
  decltype(&unw_get_proc_name) get_proc_name = nullptr;
  decltype(&unw_step) step = nullptr;
  std::string error;  // why it could not be loaded; empty when loaded

  Library() {
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
    bind(generic, get_proc_name, SECCHECK_SYMBOL_NAME(unw_get_proc_name));
    bind(generic, step, SECCHECK_SYMBOL_NAME(unw_step));
  }

  template <typename T> void bind(void* library, T& out, const char* symbol) {
    out = reinterpret_cast<T>(dlsym(library, symbol));
    if (out == nullptr && error.empty())
      error =
          std::string("libunwind lacks ") + symbol + "; install libunwind8 1.6 or newer for call-site stacks";
  }
};

struct Mapping {
  std::uint64_t start = 0, end = 0, file_offset = 0;
  std::string path;
};

struct Unwinder::Space {
  const Library* library = nullptr;
  unw_addr_space_t address_space = nullptr;
  std::vector<Mapping> maps;
  bool maps_loaded = false;
  std::unordered_map<std::uint64_t, StackFrame> frames;  // pc -> named frame

  ~Space() {
    if (address_space != nullptr) library->destroy_addr_space(address_space);
  }
};

namespace {

std::vector<Mapping> read_maps(pid_t pid) {
  std::vector<Mapping> maps;
  std::ifstream in("/proc/" + std::to_string(pid) + "/maps");
  std::string line;
  while (std::getline(in, line)) {
    Mapping m;
    char perms[8] = {};
    unsigned long long start = 0, end = 0, offset = 0;
    int path_at = 0;
    if (std::sscanf(line.c_str(), "%llx-%llx %7s %llx %*s %*s %n", &start, &end, perms, &offset, &path_at) <
        4)
      continue;
    m.start = start;
    m.end = end;
    m.file_offset = offset;
    if (path_at > 0 && static_cast<size_t>(path_at) < line.size())
      m.path = line.substr(static_cast<size_t>(path_at));
    maps.push_back(std::move(m));
  }
  return maps;
}

const Mapping* find_mapping(const std::vector<Mapping>& maps, std::uint64_t pc) {
  for (const Mapping& m : maps)
    if (pc >= m.start && pc < m.end) return &m;
  return nullptr;
}

}  // namespace

Unwinder::Unwinder(std::function<void(const std::string&)> on_unavailable)
    : on_unavailable_(std::move(on_unavailable)) {}
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
  space->address_space = lib.create_addr_space(lib.upt_accessors, 0);
  if (space->address_space != nullptr) lib.set_caching_policy(space->address_space, UNW_CACHE_GLOBAL);
  return *spaces_.emplace(pid, std::move(space)).first->second;
}

void Unwinder::flush(pid_t pid) {
  spaces_.erase(pid);
}

std::vector<StackFrame> Unwinder::stack(pid_t pid, pid_t tid, int max_frames) {
  std::vector<StackFrame> frames;
  if (max_frames <= 0) return frames;
  const Library* lib = library();
  if (lib == nullptr) return frames;
  Space& space = space_for(pid, *lib);
  if (space.address_space == nullptr) return frames;
  void* upt = lib->upt_create(tid);
  if (upt == nullptr) return frames;
  unw_cursor_t cursor;
  if (lib->init_remote(&cursor, space.address_space, upt) == 0) {
    do {
      unw_word_t ip = 0;
      if (lib->get_reg(&cursor, UNW_REG_IP, &ip) != 0 || ip == 0) break;
      auto cached = space.frames.find(ip);
      if (cached != space.frames.end()) {
        frames.push_back(cached->second);
        continue;
      }
      StackFrame frame;
      frame.pc = ip;
      if (!space.maps_loaded || find_mapping(space.maps, ip) == nullptr) {
        space.maps = read_maps(pid);  // re-read: the process may have mapped a library since
        space.maps_loaded = true;
      }
      const Mapping* mapping = find_mapping(space.maps, ip);
      if (mapping != nullptr) frame.binary = mapping->path;
      char name[512];
      unw_word_t offset = 0;
      if (lib->get_proc_name(&cursor, name, sizeof name, &offset) == 0) {
        frame.function = name;
        frame.offset = offset;
      } else if (mapping != nullptr) {
        frame.offset = ip - mapping->start + mapping->file_offset;
      }
      if (space.frames.size() < 65536) space.frames.emplace(ip, frame);
      frames.push_back(std::move(frame));
    } while (static_cast<int>(frames.size()) < max_frames && lib->step(&cursor) > 0);
  }
  lib->upt_destroy(upt);
  return frames;
}

}  // namespace seccheck::tracer
