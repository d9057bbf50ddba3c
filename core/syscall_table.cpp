#include "core/syscall_table.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>
#include <vector>

namespace seccheck {
namespace {

constexpr SyscallEntry kTable[] = {
#include "syscall_table.inc"
};

struct ArchIndex {
  std::vector<std::string_view> by_number;
  std::unordered_map<std::string_view, int> by_name;
};

const ArchIndex& index_for(Arch arch) {
  static const auto indexes = [] {
    std::vector<ArchIndex> result(std::size(kAllArches));
    for (Arch a : kAllArches) {
      ArchIndex& index = result[static_cast<size_t>(a)];
      for (const SyscallEntry& entry : kTable) {
        int nr = syscall_number_on(entry, a);
        if (nr < 0) continue;
        if (index.by_number.size() <= static_cast<size_t>(nr)) index.by_number.resize(nr + 1);
        index.by_number[nr] = entry.name;
        index.by_name.emplace(entry.name, nr);
      }
    }
    return result;
  }();
  return indexes[static_cast<size_t>(arch)];
}

}  // namespace

int syscall_number_on(const SyscallEntry& entry, Arch arch) {
  switch (arch) {
    case Arch::kX86_64: return entry.x86_64;
    case Arch::kI386: return entry.i386;
    case Arch::kX32: return entry.x32;
  }
  return -1;
}

std::span<const SyscallEntry> syscall_table() {
  return kTable;
}

std::optional<std::string_view> syscall_name(Arch arch, int nr) {
  const ArchIndex& index = index_for(arch);
  if (nr < 0 || static_cast<size_t>(nr) >= index.by_number.size() || index.by_number[nr].empty())
    return std::nullopt;
  return index.by_number[nr];
}

std::string syscall_display_name(Arch arch, int nr) {
  if (auto name = syscall_name(arch, nr)) return std::string(*name);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "syscall_%#x", static_cast<unsigned>(nr));
  return buffer;
}

std::optional<int> syscall_number(Arch arch, std::string_view name) {
  const ArchIndex& index = index_for(arch);
  auto it = index.by_name.find(name);
  if (it == index.by_name.end()) return std::nullopt;
  return it->second;
}

bool is_known_syscall(std::string_view name) {
  return std::any_of(std::begin(kTable), std::end(kTable),
                     [&](const SyscallEntry& entry) { return entry.name == name; });
}

int max_syscall_number(Arch arch) {
  return static_cast<int>(index_for(arch).by_number.size()) - 1;
}

}  // namespace seccheck
