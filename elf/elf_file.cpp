#include "elf/elf_file.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace seccheck::elf {

namespace {

// libelf wants its version set once before the first elf_begin.
void init_libelf() {
  static const bool initialised = elf_version(EV_CURRENT) != EV_NONE;
  (void)initialised;
}

std::string libelf_error() {
  const char* message = elf_errmsg(-1);
  return message != nullptr ? message : "unknown libelf error";
}

std::string strip_version(const char* name) {
  std::string_view text(name);
  return std::string(text.substr(0, text.find('@')));
}

// The byte in e_ident that says what is wrong when libelf does not call the bytes ELF.
std::string not_elf_reason(std::string_view raw) {
  if (raw.size() < 4 || raw.substr(0, 4) != std::string_view("\x7f"
                                                             "ELF",
                                                             4))
    return "not an ELF file";
  if (raw.size() < EI_NIDENT)
    return "truncated: " + std::to_string(raw.size()) + " bytes, shorter than an ELF header";
  const unsigned char elf_class = static_cast<unsigned char>(raw[EI_CLASS]);
  const unsigned char data = static_cast<unsigned char>(raw[EI_DATA]);
  if (elf_class != ELFCLASS32 && elf_class != ELFCLASS64)
    return "invalid ELF class " + std::to_string(elf_class) + " in e_ident (1 or 2 expected)";
  if (data != ELFDATA2LSB && data != ELFDATA2MSB)
    return "invalid byte order " + std::to_string(data) + " in e_ident (1 or 2 expected)";
  return "not an ELF file libelf can read";
}

// [offset, offset + count * entry) lies inside a file of `size` bytes.
bool table_fits(std::uint64_t offset, std::uint64_t count, std::uint64_t entry, std::uint64_t size) {
  if (count == 0 || entry == 0) return true;
  if (offset > size) return false;
  return count <= (size - offset) / entry;
}

std::uint32_t read_u32(const char* bytes, bool big_endian) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    const auto byte = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[big_endian ? i : 3 - i]));
    value = (value << 8) | byte;
  }
  return value;
}

}  // namespace

std::vector<std::string> split_search_path(std::string_view value) {
  std::vector<std::string> parts;
  while (!value.empty()) {
    const auto colon = value.find(':');
    const std::string_view part = value.substr(0, colon);
    if (!part.empty()) parts.emplace_back(part);
    if (colon == std::string_view::npos) break;
    value.remove_prefix(colon + 1);
  }
  return parts;
}

ElfFile::ElfFile(ElfFile&& other) noexcept
    : path_(std::move(other.path_)), storage_(std::move(other.storage_)), elf_(other.elf_),
      is_64bit_(other.is_64bit_), machine_(other.machine_), type_(other.type_), entry_(other.entry_),
      file_size_(other.file_size_), segments_(std::move(other.segments_)),
      sections_(std::move(other.sections_)), build_id_(std::move(other.build_id_)) {
  other.elf_ = nullptr;
}

ElfFile& ElfFile::operator=(ElfFile&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    storage_ = std::move(other.storage_);
    elf_ = other.elf_;
    other.elf_ = nullptr;
    is_64bit_ = other.is_64bit_;
    machine_ = other.machine_;
    type_ = other.type_;
    entry_ = other.entry_;
    file_size_ = other.file_size_;
    segments_ = std::move(other.segments_);
    sections_ = std::move(other.sections_);
    build_id_ = std::move(other.build_id_);
  }
  return *this;
}

ElfFile::~ElfFile() {
  release();
}

void ElfFile::release() {
  if (elf_ != nullptr) elf_end(elf_);
  elf_ = nullptr;
  storage_.reset();  // after elf_end: libelf reads the image until then
}

// Files are handed to libelf as memory images (elf_memory), mapped or read: on a descriptor
// (ELF_C_READ_MMAP) libelf quietly drops section headers that lie outside the file, where an
// image makes it say so, and a damaged file must be an error whichever way it was opened.
Result<ElfFile> ElfFile::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(path + ": not a regular file");
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  void* map = size == 0 ? MAP_FAILED : ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  const int map_errno = errno;
  ::close(fd);
  if (size == 0) return make_error(path + ": empty file, not an ELF file");
  if (map == MAP_FAILED) return make_error(path + ": cannot map: " + std::strerror(map_errno));
  std::shared_ptr<void> storage(map, [size](void* at) { ::munmap(at, size); });
  return begin(std::move(storage), static_cast<char*>(map), size, path);
}

Result<ElfFile> ElfFile::from_bytes(std::string bytes, std::string name) {
  auto owner = std::make_shared<std::string>(std::move(bytes));
  char* image = owner->data();
  const std::size_t size = owner->size();
  return begin(std::move(owner), image, size, std::move(name));
}

Result<ElfFile> ElfFile::begin(std::shared_ptr<void> storage, char* image, std::size_t size,
                               std::string name) {
  init_libelf();
  if (size == 0) return make_error(name + ": empty file, not an ELF file");
  ::Elf* elf = elf_memory(image, size);
  if (elf == nullptr) {
    const std::string why = libelf_error();
    if (size < EI_NIDENT || std::string_view(image, 4) != std::string_view("\x7f"
                                                                           "ELF",
                                                                           4))
      return make_error(name + ": not an ELF file");
    // An image with a valid e_ident is refused for its header tables (e.g. a section count that
    // cannot fit).
    return make_error(name + ": corrupt ELF header tables (libelf: " + why + ")");
  }
  ElfFile file;
  file.path_ = std::move(name);
  file.storage_ = std::move(storage);
  file.elf_ = elf;
  file.file_size_ = size;
  if (auto loaded = file.load_headers(); !loaded) return loaded.error();
  return file;
}

Result<void> ElfFile::load_headers() {
  const auto fail = [this](const std::string& what) { return make_error(path_ + ": " + what); };
  std::size_t raw_size = 0;
  const char* raw = elf_rawfile(elf_, &raw_size);
  if (elf_kind(elf_) != ELF_K_ELF) {
    if (elf_kind(elf_) == ELF_K_AR) return fail("an ar archive, not an ELF file");
    return fail(not_elf_reason(raw != nullptr ? std::string_view(raw, raw_size) : std::string_view()));
  }
  const int elf_class = gelf_getclass(elf_);
  GElf_Ehdr header;
  if (gelf_getehdr(elf_, &header) == nullptr) {
    if (file_size_ < (elf_class == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
      return fail("truncated: " + std::to_string(file_size_) + " bytes, shorter than an ELF header");
    return fail("unreadable ELF header (" + libelf_error() + ")");
  }
  is_64bit_ = elf_class == ELFCLASS64;
  machine_ = header.e_machine;
  type_ = header.e_type;
  entry_ = header.e_entry;

  // Tables that point outside the file are the usual sign of truncation or a wrong class byte.
  // libelf quietly reads no section headers at all then; the raw header counts say so instead.
  const std::uint64_t phent = is_64bit_ ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
  const std::uint64_t shent = is_64bit_ ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
  std::uint64_t segment_count = header.e_phnum, section_count = header.e_shnum;
  if ((section_count == 0 && header.e_shoff != 0) || segment_count == PN_XNUM) {
    // Extended numbering: the counts live in section 0's sh_size and sh_info.
    if (header.e_shentsize != shent)
      return fail("section header entry size " + std::to_string(header.e_shentsize) + ", expected " +
                  std::to_string(shent) + " (wrong ELF class?)");
    if (!table_fits(header.e_shoff, 1, shent, file_size_))
      return fail("truncated or corrupt: section header 0 at offset " + std::to_string(header.e_shoff) +
                  " (which holds the section count) does not fit in " + std::to_string(file_size_) +
                  " bytes");
    Elf_Data* zero = elf_getdata_rawchunk(elf_, static_cast<int64_t>(header.e_shoff), shent, ELF_T_SHDR);
    if (zero == nullptr || zero->d_buf == nullptr)
      return fail("unreadable section header 0 (" + libelf_error() + ")");
    const std::uint64_t size0 = is_64bit_ ? static_cast<const Elf64_Shdr*>(zero->d_buf)->sh_size
                                          : static_cast<const Elf32_Shdr*>(zero->d_buf)->sh_size;
    const std::uint64_t info0 = is_64bit_ ? static_cast<const Elf64_Shdr*>(zero->d_buf)->sh_info
                                          : static_cast<const Elf32_Shdr*>(zero->d_buf)->sh_info;
    if (section_count == 0) section_count = size0;
    if (segment_count == PN_XNUM) segment_count = info0;
  }
  if (segment_count > 0 && header.e_phentsize != phent)
    return fail("program header entry size " + std::to_string(header.e_phentsize) + ", expected " +
                std::to_string(phent) + " (wrong ELF class?)");
  if (!table_fits(header.e_phoff, segment_count, phent, file_size_))
    return fail("truncated or corrupt: " + std::to_string(segment_count) + " program headers at offset " +
                std::to_string(header.e_phoff) + " do not fit in " + std::to_string(file_size_) + " bytes");
  if (section_count > 0 && header.e_shentsize != shent)
    return fail("section header entry size " + std::to_string(header.e_shentsize) + ", expected " +
                std::to_string(shent) + " (wrong ELF class?)");
  if (!table_fits(header.e_shoff, section_count, shent, file_size_))
    return fail("truncated or corrupt: " + std::to_string(section_count) + " section headers at offset " +
                std::to_string(header.e_shoff) + " do not fit in " + std::to_string(file_size_) + " bytes");
  std::size_t libelf_segments = 0, libelf_sections = 0, names_index = 0;
  if (elf_getphdrnum(elf_, &libelf_segments) != 0 || libelf_segments != segment_count)
    return fail("unreadable program headers (" + libelf_error() + ")");
  if (elf_getshdrnum(elf_, &libelf_sections) != 0 || libelf_sections != section_count)
    return fail("unreadable section headers (" + libelf_error() + ")");
  if (section_count > 0 && (elf_getshdrstrndx(elf_, &names_index) != 0 || names_index >= section_count))
    return fail("invalid section name table index");

  for (std::size_t i = 0; i < segment_count; ++i) {
    GElf_Phdr phdr;
    if (gelf_getphdr(elf_, static_cast<int>(i), &phdr) == nullptr)
      return fail("unreadable program header " + std::to_string(i) + " (" + libelf_error() + ")");
    segments_.push_back(
        {phdr.p_type, phdr.p_flags, phdr.p_offset, phdr.p_vaddr, phdr.p_filesz, phdr.p_memsz});
  }
  for (Elf_Scn* scn = elf_nextscn(elf_, nullptr); scn != nullptr; scn = elf_nextscn(elf_, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) == nullptr)
      return fail("unreadable section header (" + libelf_error() + ")");
    Section section;
    section.index = elf_ndxscn(scn);
    const char* name = elf_strptr(elf_, names_index, shdr.sh_name);
    section.name = name != nullptr ? name : "";
    section.type = shdr.sh_type;
    section.flags = shdr.sh_flags;
    section.address = shdr.sh_addr;
    section.offset = shdr.sh_offset;
    section.size = shdr.sh_size;
    section.link = shdr.sh_link;
    sections_.push_back(std::move(section));
  }

  // Build-id: from the note sections where there are section headers (a separate debug file's
  // program headers describe the stripped file, not its own bytes), else the PT_NOTE segments.
  const auto read_notes = [this](Elf_Data* data) {
    if (data == nullptr || data->d_buf == nullptr) return;
    GElf_Nhdr note;
    std::size_t name_at = 0, desc_at = 0;
    for (std::size_t at = 0; build_id_.empty() && at < data->d_size;) {
      const std::size_t next = gelf_getnote(data, at, &note, &name_at, &desc_at);
      if (next == 0) break;
      const char* base = static_cast<const char*>(data->d_buf);
      if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 &&
          std::memcmp(base + name_at, "GNU", 4) == 0) {
        static constexpr char kHex[] = "0123456789abcdef";
        for (std::size_t i = 0; i < note.n_descsz; ++i) {
          const auto byte = static_cast<unsigned char>(base[desc_at + i]);
          build_id_ += kHex[byte >> 4];
          build_id_ += kHex[byte & 15];
        }
      }
      at = next;
    }
  };
  for (const Section& section : sections_)
    if (section.type == SHT_NOTE && build_id_.empty())
      read_notes(elf_getdata(elf_getscn(elf_, section.index), nullptr));
  if (sections_.empty())
    for (const Segment& segment : segments_)
      if (segment.type == PT_NOTE && build_id_.empty() && segment.file_size > 0 &&
          table_fits(segment.offset, 1, segment.file_size, file_size_))
        read_notes(
            elf_getdata_rawchunk(elf_, static_cast<int64_t>(segment.offset), segment.file_size, ELF_T_NHDR));
  return {};
}

const Section* ElfFile::section(std::string_view name) const {
  for (const Section& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

bool ElfFile::has_table(SymbolTable table) const {
  const std::uint32_t wanted = table == SymbolTable::kSymtab ? SHT_SYMTAB : SHT_DYNSYM;
  for (const Section& s : sections_)
    if (s.type == wanted) return true;
  return false;
}

std::vector<Symbol> ElfFile::symbols(SymbolTable table) const {
  std::vector<Symbol> out;
  const std::uint32_t wanted = table == SymbolTable::kSymtab ? SHT_SYMTAB : SHT_DYNSYM;
  const std::size_t entry = gelf_fsize(elf_, ELF_T_SYM, 1, EV_CURRENT);
  for (const Section& s : sections_) {
    if (s.type != wanted || entry == 0) continue;
    Elf_Data* data = elf_getdata(elf_getscn(elf_, s.index), nullptr);
    if (data == nullptr || data->d_buf == nullptr) continue;  // SHT_NOBITS or unreadable
    const std::size_t count = data->d_size / entry;
    out.reserve(out.size() + count);
    for (std::size_t i = 1; i < count; ++i) {
      GElf_Sym sym;
      if (gelf_getsym(data, static_cast<int>(i), &sym) == nullptr) break;
      const char* name = elf_strptr(elf_, s.link, sym.st_name);
      if (name == nullptr) continue;
      Symbol symbol;
      symbol.name = strip_version(name);
      symbol.value = sym.st_value;
      symbol.size = sym.st_size;
      symbol.type = GELF_ST_TYPE(sym.st_info);
      symbol.binding = GELF_ST_BIND(sym.st_info);
      symbol.section = sym.st_shndx;
      symbol.index = static_cast<std::uint32_t>(i);
      out.push_back(std::move(symbol));
    }
  }
  return out;
}

std::optional<std::string> ElfFile::interpreter() const {
  std::size_t raw_size = 0;
  const char* raw = elf_rawfile(elf_, &raw_size);
  if (raw == nullptr) return std::nullopt;
  for (const Segment& segment : segments_) {
    if (segment.type != PT_INTERP || segment.file_size == 0 ||
        !table_fits(segment.offset, 1, segment.file_size, raw_size))
      continue;
    std::string_view text(raw + segment.offset, segment.file_size);
    text = text.substr(0, text.find('\0'));
    if (!text.empty()) return std::string(text);
  }
  return std::nullopt;
}

DynamicInfo ElfFile::dynamic() const {
  DynamicInfo info;
  const std::size_t entry = gelf_fsize(elf_, ELF_T_DYN, 1, EV_CURRENT);
  for (const Section& s : sections_) {
    if (s.type != SHT_DYNAMIC || entry == 0) continue;
    Elf_Data* data = elf_getdata(elf_getscn(elf_, s.index), nullptr);
    if (data == nullptr || data->d_buf == nullptr) continue;
    const std::size_t count = data->d_size / entry;
    for (std::size_t i = 0; i < count; ++i) {
      GElf_Dyn dyn;
      if (gelf_getdyn(data, static_cast<int>(i), &dyn) == nullptr || dyn.d_tag == DT_NULL) break;
      const auto text = [&]() -> std::string {
        const char* value = elf_strptr(elf_, s.link, dyn.d_un.d_val);
        return value != nullptr ? value : "";
      };
      switch (dyn.d_tag) {
        case DT_NEEDED:
          if (auto name = text(); !name.empty()) info.needed.push_back(std::move(name));
          break;
        case DT_RUNPATH: info.runpath = split_search_path(text()); break;
        case DT_RPATH: info.rpath = split_search_path(text()); break;
        case DT_SONAME: info.soname = text(); break;
        case DT_FLAGS_1: info.no_default_lib = (dyn.d_un.d_val & DF_1_NODEFLIB) != 0; break;
        default: break;
      }
    }
    break;  // one dynamic section per file
  }
  return info;
}

std::optional<DebugLink> ElfFile::debuglink() const {
  const Section* s = section(".gnu_debuglink");
  if (s == nullptr) return std::nullopt;
  const std::string_view bytes = section_bytes(*s);
  const auto end = bytes.find('\0');
  if (end == std::string_view::npos || end == 0) return std::nullopt;
  const std::size_t crc_at = (end + 4) & ~std::size_t{3};  // name, NUL, padding to 4
  if (crc_at + 4 > bytes.size()) return std::nullopt;
  const bool big_endian = elf_getident(elf_, nullptr)[EI_DATA] == ELFDATA2MSB;
  return DebugLink{std::string(bytes.substr(0, end)), read_u32(bytes.data() + crc_at, big_endian)};
}

std::vector<Relocation> ElfFile::dynamic_relocations() const {
  std::vector<Relocation> out;
  for (const Section& s : sections_) {
    if (s.type != SHT_RELA && s.type != SHT_REL) continue;
    // Only relocations against the dynamic symbol table name imports.
    const Section* symbols_section = nullptr;
    for (const Section& candidate : sections_)
      if (candidate.index == s.link) symbols_section = &candidate;
    if (symbols_section == nullptr || symbols_section->type != SHT_DYNSYM) continue;
    Elf_Data* symbol_data = elf_getdata(elf_getscn(elf_, symbols_section->index), nullptr);
    Elf_Data* data = elf_getdata(elf_getscn(elf_, s.index), nullptr);
    if (data == nullptr || data->d_buf == nullptr || symbol_data == nullptr || symbol_data->d_buf == nullptr)
      continue;
    const bool rela = s.type == SHT_RELA;
    const std::size_t entry = gelf_fsize(elf_, rela ? ELF_T_RELA : ELF_T_REL, 1, EV_CURRENT);
    if (entry == 0) continue;
    const std::size_t count = data->d_size / entry;
    for (std::size_t i = 0; i < count; ++i) {
      Relocation relocation;
      std::uint64_t info = 0;
      if (rela) {
        GElf_Rela r;
        if (gelf_getrela(data, static_cast<int>(i), &r) == nullptr) break;
        relocation.offset = r.r_offset;
        relocation.addend = r.r_addend;
        info = r.r_info;
      } else {
        GElf_Rel r;
        if (gelf_getrel(data, static_cast<int>(i), &r) == nullptr) break;
        relocation.offset = r.r_offset;
        info = r.r_info;
      }
      relocation.type = static_cast<std::uint32_t>(is_64bit_ ? GELF_R_TYPE(info) : ELF32_R_TYPE(info));
      const auto symbol_index = static_cast<int>(is_64bit_ ? GELF_R_SYM(info) : ELF32_R_SYM(info));
      if (symbol_index != 0) {
        GElf_Sym sym;
        if (gelf_getsym(symbol_data, symbol_index, &sym) != nullptr)
          if (const char* name = elf_strptr(elf_, symbols_section->link, sym.st_name); name != nullptr)
            relocation.symbol = strip_version(name);
      }
      out.push_back(std::move(relocation));
    }
  }
  return out;
}

std::string_view ElfFile::section_bytes(const Section& s) const {
  if (s.type == SHT_NOBITS) return {};
  Elf_Scn* scn = elf_getscn(elf_, s.index);
  if (scn == nullptr) return {};
  if ((s.flags & SHF_COMPRESSED) != 0 && elf_compress(scn, 0, 0) < 0) return {};
  Elf_Data* data = elf_rawdata(scn, nullptr);
  if (data == nullptr || data->d_buf == nullptr) return {};
  return {static_cast<const char*>(data->d_buf), data->d_size};
}

std::optional<std::uint64_t> ElfFile::vaddr_at_offset(std::uint64_t offset) const {
  for (const Segment& segment : segments_)
    if (segment.type == PT_LOAD && offset >= segment.offset && offset - segment.offset < segment.file_size)
      return segment.vaddr + (offset - segment.offset);
  return std::nullopt;
}

std::string_view ElfFile::bytes_at(std::uint64_t vaddr, std::uint64_t size) const {
  std::size_t raw_size = 0;
  const char* raw = elf_rawfile(elf_, &raw_size);
  if (raw == nullptr || size == 0) return {};
  for (const Segment& segment : segments_) {
    if (segment.type != PT_LOAD || vaddr < segment.vaddr) continue;
    const std::uint64_t into = vaddr - segment.vaddr;
    if (into > segment.file_size || size > segment.file_size - into) continue;
    const std::uint64_t offset = segment.offset + into;
    if (!table_fits(offset, 1, size, raw_size)) return {};
    return {raw + offset, size};
  }
  return {};
}

}  // namespace seccheck::elf
