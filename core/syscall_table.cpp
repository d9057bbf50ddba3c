#include "core/syscall_table.h"

#include <algorithm>
#include <iterator>

#include "core/number_format.h"

namespace seccheck {
namespace {

struct SparseNumber {
  int nr;
  Arch arch;
  int row;
};

#include "syscall_table.inc"

static_assert(kArchCount == 5, "syscall_table.inc has one number column and one index per Arch");
constexpr std::span<const std::int16_t> kByNumber[kArchCount] = {
    kByNumber_x86_64, kByNumber_i386, kByNumber_x32, kByNumber_aarch64, kByNumber_arm};

}  // namespace

int syscall_number_on(const SyscallEntry& entry, Arch arch) {
  return entry.numbers[static_cast<std::size_t>(arch)];
}

std::span<const SyscallEntry> syscall_table() {
  return std::span<const SyscallEntry>(kRows).first(kX86Rows);
}

std::span<const SyscallEntry> all_syscall_rows() {
  return kRows;
}

const SyscallEntry* syscall_entry(Arch arch, int nr) {
  const std::span<const std::int16_t> index = kByNumber[static_cast<std::size_t>(arch)];
  if (nr >= 0 && static_cast<std::size_t>(nr) < index.size()) {
    const int row = index[static_cast<std::size_t>(nr)];
    return row < 0 ? nullptr : &kRows[row];
  }
  for (const SparseNumber& sparse : kSparseNumbers)
    if (sparse.arch == arch && sparse.nr == nr) return &kRows[sparse.row];
  return nullptr;
}

const SyscallEntry* syscall_entry(std::string_view name) {
  const auto* found =
      std::lower_bound(std::begin(kByName), std::end(kByName), name,
                       [](std::int16_t row, std::string_view key) { return kRows[row].name < key; });
  if (found == std::end(kByName) || kRows[*found].name != name) return nullptr;
  return &kRows[*found];
}

std::optional<std::string_view> syscall_name(Arch arch, int nr) {
  const SyscallEntry* entry = syscall_entry(arch, nr);
  if (entry == nullptr) return std::nullopt;
  return entry->name;
}

std::string syscall_display_name(Arch arch, int nr) {
  if (auto name = syscall_name(arch, nr)) return std::string(*name);
  return "syscall_" + hex_or_zero(static_cast<std::uint32_t>(nr));
}

std::optional<int> syscall_number(Arch arch, std::string_view name) {
  const SyscallEntry* entry = syscall_entry(name);
  if (entry == nullptr || syscall_number_on(*entry, arch) < 0) return std::nullopt;
  return syscall_number_on(*entry, arch);
}

bool is_known_syscall(std::string_view name) {
  const SyscallEntry* entry = syscall_entry(name);
  return entry != nullptr && std::any_of(std::begin(kX86Arches), std::end(kX86Arches),
                                         [&](Arch arch) { return syscall_number_on(*entry, arch) >= 0; });
}

int max_syscall_number(Arch arch) {
  int newest = static_cast<int>(kByNumber[static_cast<std::size_t>(arch)].size()) - 1;
  for (const SparseNumber& sparse : kSparseNumbers)
    if (sparse.arch == arch) newest = std::max(newest, sparse.nr);
  return newest;
}

}  // namespace seccheck
