#include "tracer/unwinder.h"

#include <libunwind-ptrace.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace seccheck::tracer {

struct Mapping {
  std::uint64_t start = 0, end = 0, file_offset = 0;
  std::string path;
};

struct Unwinder::Space {
  unw_addr_space_t address_space = nullptr;
  std::vector<Mapping> maps;
  bool maps_loaded = false;
  std::unordered_map<std::uint64_t, StackFrame> frames;  // pc -> named frame

  ~Space() {
    if (address_space != nullptr) unw_destroy_addr_space(address_space);
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

Unwinder::Unwinder() = default;
Unwinder::~Unwinder() = default;

Unwinder::Space& Unwinder::space_for(pid_t pid) {
  auto it = spaces_.find(pid);
  if (it != spaces_.end()) return *it->second;
  auto space = std::make_unique<Space>();
  space->address_space = unw_create_addr_space(&_UPT_accessors, 0);
  if (space->address_space != nullptr) unw_set_caching_policy(space->address_space, UNW_CACHE_GLOBAL);
  return *spaces_.emplace(pid, std::move(space)).first->second;
}

void Unwinder::flush(pid_t pid) {
  spaces_.erase(pid);
}

std::vector<StackFrame> Unwinder::stack(pid_t pid, pid_t tid, int max_frames) {
  std::vector<StackFrame> frames;
  if (max_frames <= 0) return frames;
  Space& space = space_for(pid);
  if (space.address_space == nullptr) return frames;
  void* upt = _UPT_create(tid);
  if (upt == nullptr) return frames;
  unw_cursor_t cursor;
  if (unw_init_remote(&cursor, space.address_space, upt) == 0) {
    do {
      unw_word_t ip = 0;
      if (unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0 || ip == 0) break;
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
      if (unw_get_proc_name(&cursor, name, sizeof name, &offset) == 0) {
        frame.function = name;
        frame.offset = offset;
      } else if (mapping != nullptr) {
        frame.offset = ip - mapping->start + mapping->file_offset;
      }
      if (space.frames.size() < 65536) space.frames.emplace(ip, frame);
      frames.push_back(std::move(frame));
    } while (static_cast<int>(frames.size()) < max_frames && unw_step(&cursor) > 0);
  }
  _UPT_destroy(upt);
  return frames;
}

}  // namespace seccheck::tracer
