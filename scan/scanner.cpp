#include "scan/scanner.h"

#include <elf.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "core/syscall_table.h"
#include "elf/module.h"
#include "scan/code_scan.h"
#include "scan/library_resolver.h"

namespace seccheck::scan {

const char* call_kind_name(CallKind kind) {
  switch (kind) {
    case CallKind::kImport: return "imported";
    case CallKind::kSyscallFunction: return "syscall()";
    case CallKind::kDirect: return "direct";
    case CallKind::kStartup: return "start-up";
  }
  return "direct";
}

namespace {

constexpr std::array<Register, 6> kSyscallArguments = {kRdi, kRsi, kRdx, kR10, kR8, kR9};
constexpr std::array<Register, 6> kCArguments = {kRdi, kRsi, kRdx, kRcx, kR8, kR9};
constexpr std::array<Register, 9> kGoArguments = {kRax, kRbx, kRcx, kRdi, kRsi, kR8, kR9, kR10, kR11};

std::optional<std::uint64_t> call_argument(const RegisterValues& registers, CallingConvention convention,
                                           int index) {
  if (index < 0) return std::nullopt;
  if (convention == CallingConvention::kGo)
    return static_cast<std::size_t>(index) < kGoArguments.size() ? registers[kGoArguments[index]]
                                                                 : std::nullopt;
  return static_cast<std::size_t>(index) < kCArguments.size() ? registers[kCArguments[index]] : std::nullopt;
}

std::string base_name(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

// glibc's libc and the dynamic loader: their code holds every wrapper, so they are read through
// the wrapper table at their callers, not scanned.
bool is_libc_or_loader(const elf::ElfFile& file, const std::string& path) {
  const std::string soname = file.dynamic().soname;
  const std::string name = soname.empty() ? base_name(path) : soname;
  return name.rfind("libc.so.", 0) == 0 || name.rfind("ld-linux", 0) == 0;
}

bool is_go(const elf::ElfFile& file) {
  return file.section(".go.buildinfo") != nullptr || file.section(".gopclntab") != nullptr ||
         file.section(".note.go.buildid") != nullptr;
}

std::string constant_string(const elf::ElfFile& file, std::uint64_t address) {
  for (std::uint64_t size = 256; size >= 16; size /= 2) {
    const std::string_view bytes = file.bytes_at(address, size);
    if (bytes.empty()) continue;
    const auto end = bytes.find('\0');
    return end == std::string_view::npos ? "" : std::string(bytes.substr(0, end));
  }
  return "";
}

// Names `call` by a syscall number found at its site; false when none was, or it names no call.
bool name_call(ReachableCall& call, std::optional<std::uint64_t> nr, CallKind kind) {
  const auto name =
      nr && *nr < 0x40000000 ? syscall_name(Arch::kX86_64, static_cast<int>(*nr)) : std::nullopt;
  if (!name) return false;
  call.syscall = std::string(*name);
  call.nr = static_cast<int>(*nr);
  call.kind = kind;
  return true;
}

struct ModuleScan {
  std::vector<ReachableCall> calls;
  std::vector<std::string> dlopen_names;
  std::vector<std::string> notes;
  std::uint64_t code_bytes = 0;
};

Result<ModuleScan> scan_module(elf::Module& module, const std::string& path, const WrapperTable& table) {
  const elf::ElfFile& file = module.file();
  ModuleScan out;
  // Imports: GOT slot -> the undefined symbol the loader writes there.
  std::set<std::string> undefined;
  for (const elf::Symbol& s : file.symbols(elf::SymbolTable::kDynsym))
    if (!s.defined() && !s.name.empty()) undefined.insert(s.name);
  std::unordered_map<std::uint64_t, std::string> slots;
  for (const elf::Relocation& r : file.dynamic_relocations())
    if ((r.type == R_X86_64_JUMP_SLOT || r.type == R_X86_64_GLOB_DAT) && undefined.count(r.symbol))
      slots.emplace(r.offset, r.symbol);
  std::unordered_map<std::uint64_t, std::string> targets;  // PLT stubs and known functions linked in
  auto stubs = plt_stubs(file);
  if (!stubs) return stubs.error();
  std::set<std::uint64_t> plt_addresses;
  for (const auto& [address, slot] : *stubs)
    if (auto it = slots.find(slot); it != slots.end()) {
      targets.emplace(address, it->second);
      plt_addresses.insert(address);
    }
  // A static binary holds libc's functions; a Go binary its syscall package: calls of them are
  // matched by the symbol at the target.
  const bool go = is_go(file);
  const bool static_binary = !file.interpreter() && file.dynamic().needed.empty();
  if (go || static_binary)
    for (const elf::Symbol& s : file.symbols(elf::SymbolTable::kSymtab))
      if (s.defined() && s.type == STT_FUNC)
        for (const WrapperRow* row : table.rows_for(s.name))
          if ((row->convention == CallingConvention::kGo) == go) targets.emplace(s.value, s.name);
  std::set<std::string> wanted_imports;
  for (const auto& [slot, name] : slots)
    if (!table.rows_for(name).empty() || name == "dlopen" || name == "dlmopen") wanted_imports.insert(name);
  SiteFilter filter;
  filter.wants_target = [&](std::uint64_t target) {
    auto it = targets.find(target);
    return it != targets.end() && (wanted_imports.count(it->second) || !table.rows_for(it->second).empty());
  };
  filter.wants_slot = [&](std::uint64_t slot) {
    auto it = slots.find(slot);
    return it != slots.end() && wanted_imports.count(it->second);
  };
  auto code = scan_code(file, filter);
  if (!code) return code.error();
  out.code_bytes = code->code_bytes;

  std::set<std::string> called;
  int unknown_direct = 0, unknown_function = 0;
  for (const CodeSite& site : code->sites) {
    ReachableCall call;
    call.module = path;
    call.address = site.address;
    if (site.kind == CodeSite::Kind::kSyscall) {
      if (!name_call(call, site.registers[kRax], CallKind::kDirect)) {
        ++unknown_direct;
        continue;
      }
      for (std::size_t i = 0; i < 6; ++i)
        call.args[i] = site.registers[kSyscallArguments[i]];
      call.function = module.locate(site.address).function;
      out.calls.push_back(std::move(call));
      continue;
    }
    const auto& names = site.through_slot ? slots : targets;
    auto found = names.find(site.target);
    if (found == names.end()) continue;
    const std::string& via = found->second;
    called.insert(via);
    // A Go function linked in, not a C import reached through the PLT (cgo's pthread_create).
    const bool direct_go = go && !site.through_slot && !plt_addresses.count(site.target);
    if (via == "dlopen" || via == "dlmopen") {
      const auto name_address = call_argument(site.registers, CallingConvention::kC, via == "dlopen" ? 0 : 1);
      if (name_address)
        if (std::string name = constant_string(file, *name_address); name.find(".so") != std::string::npos)
          out.dlopen_names.push_back(name);
      continue;
    }
    call.via = via;
    call.function = module.locate(site.address).function;
    for (const WrapperRow* row : table.rows_for(via)) {
      if ((row->convention == CallingConvention::kGo) != direct_go) continue;
      ReachableCall made = call;
      for (std::size_t i = 0; i < 6; ++i)
        made.args[i] = row->fixed_args[i]
                           ? row->fixed_args[i]
                           : call_argument(site.registers, row->convention, row->argument_from[i]);
      if (row->number_argument >= 0) {
        if (!name_call(made, call_argument(site.registers, row->convention, row->number_argument),
                       CallKind::kSyscallFunction)) {
          ++unknown_function;
          continue;
        }
      } else {
        made.syscall = row->syscall;
        made.nr = *syscall_number(Arch::kX86_64, row->syscall);
        made.kind = CallKind::kImport;
      }
      out.calls.push_back(std::move(made));
    }
  }
  // Imports with no call site found (taken by address, called through a pointer): still reachable.
  for (const auto& [slot, name] : slots) {
    if (called.count(name)) continue;
    for (const WrapperRow* row : table.rows_for(name)) {
      if (row->convention != CallingConvention::kC || row->number_argument >= 0) continue;
      ReachableCall call;
      call.module = path;
      call.address = slot;
      call.kind = CallKind::kImport;
      call.via = name;
      call.syscall = row->syscall;
      call.nr = *syscall_number(Arch::kX86_64, row->syscall);
      call.args = row->fixed_args;
      out.calls.push_back(std::move(call));
    }
  }
  if (unknown_direct > 0)
    out.notes.push_back(path + ": " + std::to_string(unknown_direct) +
                        " syscall instruction(s) with a number not constant at the site");
  if (unknown_function > 0)
    out.notes.push_back(path + ": " + std::to_string(unknown_function) +
                        " syscall() call(s) with a number not constant at the call site");
  return out;
}

Result<elf::ElfFile> open_x86_64(const std::string& host_path, const std::string& shown) {
  auto file = elf::ElfFile::open(host_path);
  if (!file) {
    if (host_path == shown) return file.error();
    return make_error(
        shown + ": " +
        file.error().message.substr(std::min(file.error().message.size(), host_path.size() + 2)));
  }
  if (!file->is_64bit() || file->machine() != EM_X86_64)
    return make_error(shown + ": not a 64-bit x86_64 ELF file (machine " + std::to_string(file->machine()) +
                      ")");
  return file;
}

void sort_calls(std::vector<ReachableCall>& calls, const std::vector<ScannedModule>& modules) {
  std::map<std::string, std::size_t> order;
  for (std::size_t i = 0; i < modules.size(); ++i)
    order.emplace(modules[i].path, i);
  const auto key = [&](const ReachableCall& c) {
    return std::make_tuple(order[c.module], c.address, c.syscall, static_cast<int>(c.kind), c.via);
  };
  std::stable_sort(calls.begin(), calls.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
  calls.erase(
      std::unique(calls.begin(), calls.end(), [&](const auto& a, const auto& b) { return key(a) == key(b); }),
      calls.end());
}

}  // namespace

Result<ScanResult> scan_bytes(std::string bytes, const std::string& name, const ScanOptions& options) {
  const WrapperTable& table = options.wrappers != nullptr ? *options.wrappers : WrapperTable::builtin();
  auto file = elf::ElfFile::from_bytes(std::move(bytes), name);
  if (!file) return file.error();
  if (!file->is_64bit() || file->machine() != EM_X86_64)
    return make_error(name + ": not a 64-bit x86_64 ELF file (machine " + std::to_string(file->machine()) +
                      ")");
  ScanResult result;
  result.path = name;
  elf::Module module(std::move(*file), "/nonexistent");
  auto scanned = scan_module(module, name, table);
  if (!scanned) return scanned.error();
  result.modules.push_back({name, "executable", true, scanned->code_bytes});
  result.code_bytes = scanned->code_bytes;
  result.calls = std::move(scanned->calls);
  result.notes = std::move(scanned->notes);
  sort_calls(result.calls, result.modules);
  return result;
}

Result<ScanResult> scan_file(const std::string& path, const ScanOptions& options) {
  const WrapperTable& table = options.wrappers != nullptr ? *options.wrappers : WrapperTable::builtin();
  const bool host = options.root.empty() || options.root == "/";
  LibraryResolver resolver(host ? "" : options.root);
  const std::string debug_root = (host ? std::string() : options.root) + elf::kDefaultDebugRoot;
  std::string start = path;
  if (host) start = std::filesystem::absolute(path).lexically_normal().string();
  const auto start_host = resolver.host_path(start);
  if (!start_host)
    return make_error(path + ": No such file or directory" + (host ? "" : " in " + options.root));
  auto first = open_x86_64(*start_host, path);
  if (!first) return first.error();

  ScanResult result;
  result.path = start;
  struct Pending {
    std::string path;
    std::string found_as;
    std::vector<std::string> rpath;  // of the objects that loaded it
  };
  std::deque<Pending> queue{{start, "executable", {}}};
  // Loaded once per file, whatever the name (/lib64/ld-linux-x86-64.so.2 is libc's
  // /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2).
  std::set<std::string> seen{*start_host};
  const auto first_time = [&](const std::string& path_in_root) {
    const auto where = resolver.host_path(path_in_root);
    return seen.insert(where ? *where : path_in_root).second;
  };
  std::optional<elf::ElfFile> opened = std::move(*first);
  while (!queue.empty()) {
    Pending next = std::move(queue.front());
    queue.pop_front();
    std::optional<elf::ElfFile> file = std::exchange(opened, std::nullopt);
    if (!file) {
      const auto where = resolver.host_path(next.path);
      auto loaded =
          where ? open_x86_64(*where, next.path) : Result<elf::ElfFile>(make_error(next.path + ": missing"));
      if (!loaded) {
        result.notes.push_back(loaded.error().message);
        continue;
      }
      file = std::move(*loaded);
    }
    const elf::DynamicInfo dynamic = file->dynamic();
    Requester requester;
    requester.path = next.path;
    requester.rpath = dynamic.rpath;
    requester.rpath.insert(requester.rpath.end(), next.rpath.begin(), next.rpath.end());
    requester.runpath = dynamic.runpath;
    requester.has_runpath = !dynamic.runpath.empty();
    requester.no_default_lib = dynamic.no_default_lib;
    const auto load = [&](const std::string& name, const std::string& found_as) {
      auto found = resolver.find(name, requester);
      if (!found) {
        result.notes.push_back(name + " (" + found_as + "): not found");
        return;
      }
      if (first_time(*found)) queue.push_back({*found, found_as, requester.rpath});
    };
    if (options.follow_needed) {
      if (auto interpreter = file->interpreter(); interpreter && next.found_as == "executable")
        if (first_time(*interpreter)) queue.push_back({*interpreter, "interpreter", {}});
      for (const std::string& needed : dynamic.needed)
        load(needed, "DT_NEEDED of " + next.path);
    }
    const bool skip_code = is_libc_or_loader(*file, next.path);
    // What the library does by being loaded (the loader's start-up, libc's exit).
    const std::string soname = dynamic.soname.empty() ? base_name(next.path) : dynamic.soname;
    for (const WrapperRow* row : table.rows_for("@start")) {
      if (row->library != soname) continue;
      ReachableCall call;
      call.module = next.path;
      call.kind = CallKind::kStartup;
      call.syscall = row->syscall;
      call.nr = *syscall_number(Arch::kX86_64, row->syscall);
      call.args = row->fixed_args;
      result.calls.push_back(std::move(call));
    }
    ScannedModule scanned{next.path, next.found_as, !skip_code, 0};
    if (!skip_code) {
      elf::Module module(std::move(*file), debug_root);
      auto found = scan_module(module, next.path, table);
      if (!found) return found.error();
      scanned.code_bytes = found->code_bytes;
      result.code_bytes += found->code_bytes;
      for (auto& call : found->calls)
        result.calls.push_back(std::move(call));
      for (auto& note : found->notes)
        result.notes.push_back(std::move(note));
      if (options.follow_needed)
        for (const std::string& name : found->dlopen_names)
          load(name, "dlopen(\"" + name + "\") in " + next.path);
    }
    result.modules.push_back(std::move(scanned));
  }
  if (!resolver.cache_problem().empty()) result.notes.push_back(resolver.cache_problem());
  sort_calls(result.calls, result.modules);
  return result;
}

}  // namespace seccheck::scan
