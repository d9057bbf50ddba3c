#include "elf/module.h"

#include <sys/stat.h>

#include <cstring>
#include <filesystem>

namespace seccheck::elf {

const char* symbol_source_name(SymbolSource source) {
  switch (source) {
    case SymbolSource::kSymtab: return "symtab";
    case SymbolSource::kDebugFile: return "debug file";
    case SymbolSource::kDynsym: return "dynsym";
    case SymbolSource::kNone: break;
  }
  return "none";
}

Module::Module(ElfFile file, std::string debug_root, LineCache* line_cache)
    : file_(std::move(file)), debug_root_(std::move(debug_root)), line_cache_(line_cache) {}

const ElfFile* Module::debug_file() {
  if (!debug_searched_) {
    debug_searched_ = true;
    debug_ = find_debug_file(file_, debug_root_);
    if (debug_) debug_path_ = debug_->path();
  }
  return debug_ ? &*debug_ : nullptr;
}

const std::string& Module::debug_file_path() {
  debug_file();
  return debug_path_;
}

void Module::load_symbols() {
  if (symbols_loaded_) return;
  symbols_loaded_ = true;
  if (file_.has_table(SymbolTable::kSymtab)) {
    symbols_ = SymbolIndex(file_.symbols(SymbolTable::kSymtab));
    source_ = SymbolSource::kSymtab;
  }
  if (symbols_.empty())
    if (const ElfFile* debug = debug_file(); debug != nullptr && debug->has_table(SymbolTable::kSymtab)) {
      symbols_ = SymbolIndex(debug->symbols(SymbolTable::kSymtab));
      source_ = SymbolSource::kDebugFile;
    }
  if (symbols_.empty()) {
    symbols_ = SymbolIndex(file_.symbols(SymbolTable::kDynsym));
    source_ = symbols_.empty() ? SymbolSource::kNone : SymbolSource::kDynsym;
  }
}

SymbolSource Module::symbol_source() {
  load_symbols();
  return source_;
}

CodeLocation Module::locate(std::uint64_t address) {
  load_symbols();
  CodeLocation location;
  if (const Symbol* symbol = symbols_.covering(address); symbol != nullptr) {
    location.function = symbol->name;
    location.function_start = symbol->value;
  }
  if (auto line = line_at(address)) {
    location.source_file = std::move(line->file);
    location.line = line->line;
  }
  return location;
}

std::optional<SourceLine> Module::line_at(std::uint64_t address) {
  const std::string& id = file_.build_id();
  if (line_cache_ != nullptr)
    if (auto known = line_cache_->find(id, address)) return *known;
  if (!lines_loaded_) {
    lines_loaded_ = true;
    lines_ = LineTable::open(file_);
    if (!lines_)
      if (const ElfFile* debug = debug_file(); debug != nullptr) lines_ = LineTable::open(*debug);
  }
  if (!lines_) return std::nullopt;  // no DWARF (yet): nothing worth keeping
  auto line = lines_->at(address);
  if (line_cache_ != nullptr) line_cache_->store(id, address, line);
  return line;
}

ModuleCache::ModuleCache(std::string debug_root,
                         const std::optional<std::filesystem::path>& line_cache_folder)
    : debug_root_(std::move(debug_root)),
      line_cache_(line_cache_folder ? std::make_unique<LineCache>(*line_cache_folder) : nullptr) {}

Module* ModuleCache::get(const std::string& path, std::string* error) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (error != nullptr) *error = path + ": " + std::strerror(errno);
    return nullptr;
  }
  const Identity identity{st.st_dev, st.st_ino, st.st_size,
                          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  if (auto known = by_identity_.find(identity); known != by_identity_.end()) return known->second;
  if (auto failed = failures_.find(identity); failed != failures_.end()) {
    if (error != nullptr) *error = failed->second;
    return nullptr;
  }
  ++files_opened_;
  auto file = ElfFile::open(path);
  if (!file) {
    if (error != nullptr) *error = file.error().message;
    failures_.emplace(identity, file.error().message);
    return nullptr;
  }
  std::error_code ignored;
  std::string key = std::filesystem::weakly_canonical(path, ignored).string() + '\n' + file->build_id();
  auto& slot = by_key_[key];
  if (!slot) slot = std::make_unique<Module>(std::move(*file), debug_root_, line_cache_.get());
  by_identity_.emplace(identity, slot.get());
  return slot.get();
}

}  // namespace seccheck::elf
