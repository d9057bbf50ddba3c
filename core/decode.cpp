#include "core/decode.h"

#include <string.h>

#include <cstring>

#include "core/number_format.h"
#include "core/syscall_table.h"
#include "core/text_escape.h"

namespace seccheck {
namespace {

constexpr FlagName kCloneFlags[] = {
    {0x00000100, "CLONE_VM"},
    {0x00000200, "CLONE_FS"},
    {0x00000400, "CLONE_FILES"},
    {0x00000800, "CLONE_SIGHAND"},
    {0x00001000, "CLONE_PIDFD"},
    {0x00002000, "CLONE_PTRACE"},
    {0x00004000, "CLONE_VFORK"},
    {0x00008000, "CLONE_PARENT"},
    {0x00010000, "CLONE_THREAD"},
    {0x00020000, "CLONE_NEWNS"},
    {0x00040000, "CLONE_SYSVSEM"},
    {0x00080000, "CLONE_SETTLS"},
    {0x00100000, "CLONE_PARENT_SETTID"},
    {0x00200000, "CLONE_CHILD_CLEARTID"},
    {0x00400000, "CLONE_DETACHED"},
    {0x00800000, "CLONE_UNTRACED"},
    {0x01000000, "CLONE_CHILD_SETTID"},
    {0x02000000, "CLONE_NEWCGROUP"},
    {0x04000000, "CLONE_NEWUTS"},
    {0x08000000, "CLONE_NEWIPC"},
    {0x10000000, "CLONE_NEWUSER"},
    {0x20000000, "CLONE_NEWPID"},
    {0x40000000, "CLONE_NEWNET"},
    {0x80000000, "CLONE_IO"},
    {0x100000000ull, "CLONE_CLEAR_SIGHAND"},
    {0x200000000ull, "CLONE_INTO_CGROUP"},
};

// unshare(2)/setns(2) flags: the namespace bits plus CLONE_NEWTIME, which shares CSIGNAL's range.
constexpr FlagName kNamespaceFlags[] = {
    {0x00000080, "CLONE_NEWTIME"}, {0x00000200, "CLONE_FS"},      {0x00000400, "CLONE_FILES"},
    {0x00020000, "CLONE_NEWNS"},   {0x00040000, "CLONE_SYSVSEM"}, {0x02000000, "CLONE_NEWCGROUP"},
    {0x04000000, "CLONE_NEWUTS"},  {0x08000000, "CLONE_NEWIPC"},  {0x10000000, "CLONE_NEWUSER"},
    {0x20000000, "CLONE_NEWPID"},  {0x40000000, "CLONE_NEWNET"},  {0x00000100, "CLONE_VM"},
    {0x00000800, "CLONE_SIGHAND"}, {0x00010000, "CLONE_THREAD"},
};

constexpr FlagName kAddressFamilies[] = {
    {0, "AF_UNSPEC"},    {1, "AF_UNIX"},        {2, "AF_INET"},     {3, "AF_AX25"},     {4, "AF_IPX"},
    {5, "AF_APPLETALK"}, {6, "AF_NETROM"},      {7, "AF_BRIDGE"},   {8, "AF_ATMPVC"},   {9, "AF_X25"},
    {10, "AF_INET6"},    {11, "AF_ROSE"},       {12, "AF_DECnet"},  {13, "AF_NETBEUI"}, {14, "AF_SECURITY"},
    {15, "AF_KEY"},      {16, "AF_NETLINK"},    {17, "AF_PACKET"},  {18, "AF_ASH"},     {19, "AF_ECONET"},
    {20, "AF_ATMSVC"},   {21, "AF_RDS"},        {22, "AF_SNA"},     {23, "AF_IRDA"},    {24, "AF_PPPOX"},
    {25, "AF_WANPIPE"},  {26, "AF_LLC"},        {27, "AF_IB"},      {28, "AF_MPLS"},    {29, "AF_CAN"},
    {30, "AF_TIPC"},     {31, "AF_BLUETOOTH"},  {32, "AF_IUCV"},    {33, "AF_RXRPC"},   {34, "AF_ISDN"},
    {35, "AF_PHONET"},   {36, "AF_IEEE802154"}, {37, "AF_CAIF"},    {38, "AF_ALG"},     {39, "AF_NFC"},
    {40, "AF_VSOCK"},    {41, "AF_KCM"},        {42, "AF_QIPCRTR"}, {43, "AF_SMC"},     {44, "AF_XDP"},
    {45, "AF_MCTP"},
};

constexpr FlagName kSocketTypes[] = {
    {1, "SOCK_STREAM"},    {2, "SOCK_DGRAM"}, {3, "SOCK_RAW"},     {4, "SOCK_RDM"},
    {5, "SOCK_SEQPACKET"}, {6, "SOCK_DCCP"},  {10, "SOCK_PACKET"},
};
constexpr FlagName kSocketTypeFlags[] = {{04000, "SOCK_NONBLOCK"}, {02000000, "SOCK_CLOEXEC"}};

constexpr FlagName kPersonalities[] = {
    {0x00, "PER_LINUX"},    {0x01, "PER_SVR4"},    {0x02, "PER_SVR3"},    {0x03, "PER_OSR5"},
    {0x04, "PER_WYSEV386"}, {0x05, "PER_ISCR4"},   {0x06, "PER_BSD"},     {0x07, "PER_XENIX"},
    {0x08, "PER_LINUX32"},  {0x09, "PER_IRIX32"},  {0x0a, "PER_IRIXN32"}, {0x0b, "PER_IRIX64"},
    {0x0c, "PER_RISCOS"},   {0x0d, "PER_SOLARIS"}, {0x0e, "PER_UW7"},     {0x0f, "PER_OSF4"},
    {0x10, "PER_HPUX"},
};
constexpr FlagName kPersonalityFlags[] = {
    {0x0020000, "UNAME26"},          {0x0040000, "ADDR_NO_RANDOMIZE"},  {0x0080000, "FDPIC_FUNCPTRS"},
    {0x0100000, "MMAP_PAGE_ZERO"},   {0x0200000, "ADDR_COMPAT_LAYOUT"}, {0x0400000, "READ_IMPLIES_EXEC"},
    {0x0800000, "ADDR_LIMIT_32BIT"}, {0x1000000, "SHORT_INODE"},        {0x2000000, "WHOLE_SECONDS"},
    {0x4000000, "STICKY_TIMEOUTS"},  {0x8000000, "ADDR_LIMIT_3GB"},
};

constexpr FlagName kOpenFlags[] = {
    {0100, "O_CREAT"},          {0200, "O_EXCL"},         {0400, "O_NOCTTY"},       {01000, "O_TRUNC"},
    {02000, "O_APPEND"},        {04000, "O_NONBLOCK"},    {010000, "O_DSYNC"},      {020000, "O_ASYNC"},
    {040000, "O_DIRECT"},       {0100000, "O_LARGEFILE"}, {0200000, "O_DIRECTORY"}, {0400000, "O_NOFOLLOW"},
    {01000000, "O_NOATIME"},    {02000000, "O_CLOEXEC"},  {04000000, "__O_SYNC"},   {010000000, "O_PATH"},
    {020000000, "__O_TMPFILE"},
};

constexpr FlagName kPrctlOptions[] = {
    {1, "PR_SET_PDEATHSIG"},
    {2, "PR_GET_PDEATHSIG"},
    {3, "PR_GET_DUMPABLE"},
    {4, "PR_SET_DUMPABLE"},
    {5, "PR_GET_UNALIGN"},
    {6, "PR_SET_UNALIGN"},
    {7, "PR_GET_KEEPCAPS"},
    {8, "PR_SET_KEEPCAPS"},
    {9, "PR_GET_FPEMU"},
    {10, "PR_SET_FPEMU"},
    {11, "PR_GET_FPEXC"},
    {12, "PR_SET_FPEXC"},
    {13, "PR_GET_TIMING"},
    {14, "PR_SET_TIMING"},
    {15, "PR_SET_NAME"},
    {16, "PR_GET_NAME"},
    {19, "PR_GET_ENDIAN"},
    {20, "PR_SET_ENDIAN"},
    {21, "PR_GET_SECCOMP"},
    {22, "PR_SET_SECCOMP"},
    {23, "PR_CAPBSET_READ"},
    {24, "PR_CAPBSET_DROP"},
    {25, "PR_GET_TSC"},
    {26, "PR_SET_TSC"},
    {27, "PR_GET_SECUREBITS"},
    {28, "PR_SET_SECUREBITS"},
    {29, "PR_SET_TIMERSLACK"},
    {30, "PR_GET_TIMERSLACK"},
    {31, "PR_TASK_PERF_EVENTS_DISABLE"},
    {32, "PR_TASK_PERF_EVENTS_ENABLE"},
    {33, "PR_MCE_KILL"},
    {34, "PR_MCE_KILL_GET"},
    {35, "PR_SET_MM"},
    {36, "PR_SET_CHILD_SUBREAPER"},
    {37, "PR_GET_CHILD_SUBREAPER"},
    {38, "PR_SET_NO_NEW_PRIVS"},
    {39, "PR_GET_NO_NEW_PRIVS"},
    {40, "PR_GET_TID_ADDRESS"},
    {41, "PR_SET_THP_DISABLE"},
    {42, "PR_GET_THP_DISABLE"},
    {43, "PR_MPX_ENABLE_MANAGEMENT"},
    {44, "PR_MPX_DISABLE_MANAGEMENT"},
    {45, "PR_SET_FP_MODE"},
    {46, "PR_GET_FP_MODE"},
    {47, "PR_CAP_AMBIENT"},
    {50, "PR_SVE_SET_VL"},
    {51, "PR_SVE_GET_VL"},
    {52, "PR_GET_SPECULATION_CTRL"},
    {53, "PR_SET_SPECULATION_CTRL"},
    {54, "PR_PAC_RESET_KEYS"},
    {55, "PR_SET_TAGGED_ADDR_CTRL"},
    {56, "PR_GET_TAGGED_ADDR_CTRL"},
    {57, "PR_SET_IO_FLUSHER"},
    {58, "PR_GET_IO_FLUSHER"},
    {59, "PR_SET_SYSCALL_USER_DISPATCH"},
    {62, "PR_SCHED_CORE"},
    {65, "PR_SET_MDWE"},
    {66, "PR_GET_MDWE"},
    {0x41555856, "PR_GET_AUXV"},
    {0x53564d41, "PR_SET_VMA"},
};

constexpr FlagName kIoctlRequests[] = {
    {0x5401, "TCGETS"},
    {0x5402, "TCSETS"},
    {0x5403, "TCSETSW"},
    {0x5404, "TCSETSF"},
    {0x540e, "TIOCSCTTY"},
    {0x540f, "TIOCGPGRP"},
    {0x5410, "TIOCSPGRP"},
    {0x5411, "TIOCOUTQ"},
    {0x5412, "TIOCSTI"},
    {0x5413, "TIOCGWINSZ"},
    {0x5414, "TIOCSWINSZ"},
    {0x541b, "FIONREAD"},
    {0x541c, "TIOCLINUX"},
    {0x5421, "FIONBIO"},
    {0x5422, "TIOCNOTTY"},
    {0x5441, "TIOCGPTPEER"},
    {0x5450, "FIONCLEX"},
    {0x5451, "FIOCLEX"},
    {0x5452, "FIOASYNC"},
    {0x80045430, "TIOCGPTN"},
    {0x40045431, "TIOCSPTLCK"},
    {0x40049409, "FICLONE"},
    {0x80086601, "FS_IOC_GETFLAGS"},
    {0x40086602, "FS_IOC_SETFLAGS"},
    {0xb701, "NS_GET_USERNS"},
    {0xb702, "NS_GET_PARENT"},
    {0xb703, "NS_GET_NSTYPE"},
    {0xb704, "NS_GET_OWNER_UID"},
    {0x8912, "SIOCGIFCONF"},
    {0x8913, "SIOCGIFFLAGS"},
    {0x8933, "SIOCGIFINDEX"},
};

constexpr FlagName kSignals[] = {
    {1, "SIGHUP"},   {2, "SIGINT"},     {3, "SIGQUIT"},  {4, "SIGILL"},     {5, "SIGTRAP"},  {6, "SIGABRT"},
    {7, "SIGBUS"},   {8, "SIGFPE"},     {9, "SIGKILL"},  {10, "SIGUSR1"},   {11, "SIGSEGV"}, {12, "SIGUSR2"},
    {13, "SIGPIPE"}, {14, "SIGALRM"},   {15, "SIGTERM"}, {16, "SIGSTKFLT"}, {17, "SIGCHLD"}, {18, "SIGCONT"},
    {19, "SIGSTOP"}, {20, "SIGTSTP"},   {21, "SIGTTIN"}, {22, "SIGTTOU"},   {23, "SIGURG"},  {24, "SIGXCPU"},
    {25, "SIGXFSZ"}, {26, "SIGVTALRM"}, {27, "SIGPROF"}, {28, "SIGWINCH"},  {29, "SIGIO"},   {30, "SIGPWR"},
    {31, "SIGSYS"},
};

constexpr FlagName kMmapProt[] = {{1, "PROT_READ"},
                                  {2, "PROT_WRITE"},
                                  {4, "PROT_EXEC"},
                                  {0x01000000, "PROT_GROWSDOWN"},
                                  {0x02000000, "PROT_GROWSUP"}};
constexpr FlagName kMmapFlags[] = {
    {0x01, "MAP_SHARED"},
    {0x02, "MAP_PRIVATE"},
    {0x03, "MAP_SHARED_VALIDATE"},
    {0x10, "MAP_FIXED"},
    {0x20, "MAP_ANONYMOUS"},
    {0x40, "MAP_32BIT"},
    {0x100, "MAP_GROWSDOWN"},
    {0x800, "MAP_DENYWRITE"},
    {0x1000, "MAP_EXECUTABLE"},
    {0x2000, "MAP_LOCKED"},
    {0x4000, "MAP_NORESERVE"},
    {0x8000, "MAP_POPULATE"},
    {0x10000, "MAP_NONBLOCK"},
    {0x20000, "MAP_STACK"},
    {0x40000, "MAP_HUGETLB"},
    {0x80000, "MAP_SYNC"},
    {0x100000, "MAP_FIXED_NOREPLACE"},
};

// Argument signatures (core/syscalls.csv's args column), one char per argument:
//   d signed decimal  u unsigned decimal  x address (NULL for 0)  p path/string read from the tracee
//   A dirfd (AT_FDCWD)  o open flags  O flag-only open flags (pipe2, dup3)  m octal mode
//   C creation mode: printed (as m) only when the open flags before it hold O_CREAT or O_TMPFILE
//   c clone flags  n namespace flags  f address family  t socket type  P personality
//   R prctl option  I ioctl request  S signal  r mmap prot  M mmap flags  l 64-bit signed
//   h hex (0 as 0)
constexpr std::string_view kSignatureCodes = "duxpAoOmCcnftPRISrMlh";
constexpr std::uint64_t kCreatesFile = 0100 | 020000000;  // O_CREAT, __O_TMPFILE

}  // namespace

std::span<const NamedFlagTable> flag_tables() {
  static constexpr NamedFlagTable kTables[] = {
      {"clone", kCloneFlags},
      {"namespace", kNamespaceFlags},
      {"address family", kAddressFamilies},
      {"socket type", kSocketTypes},
      {"socket type flag", kSocketTypeFlags},
      {"personality", kPersonalities},
      {"personality flag", kPersonalityFlags},
      {"open", kOpenFlags},
      {"prctl", kPrctlOptions},
      {"ioctl", kIoctlRequests},
      {"signal", kSignals},
      {"mmap prot", kMmapProt},
      {"mmap flag", kMmapFlags},
  };
  return kTables;
}

std::string format_flags(std::uint64_t value, std::span<const FlagName> table, std::string_view zero) {
  if (value == 0) return std::string(zero);
  std::string out;
  std::uint64_t rest = value;
  for (const FlagName& flag : table) {
    if (flag.value != 0 && (rest & flag.value) == flag.value) {
      if (!out.empty()) out += '|';
      out += flag.name;
      rest &= ~flag.value;
    }
  }
  if (rest != 0) {
    if (!out.empty()) out += '|';
    out += hex_or_zero(rest);
  }
  return out;
}

std::optional<std::string_view> constant_name(std::uint64_t value, std::span<const FlagName> table) {
  for (const FlagName& entry : table)
    if (entry.value == value) return entry.name;
  return std::nullopt;
}

std::string signal_string(std::uint64_t sig) {
  if (auto name = constant_name(sig, kSignals)) return std::string(*name);
  if (sig >= 32 && sig <= 64) return "SIGRT_" + std::to_string(sig - 32);
  return std::to_string(static_cast<std::int64_t>(sig));
}

std::string clone_flags_string(std::uint64_t flags) {
  const std::uint64_t exit_signal = flags & 0xff;
  std::string out = format_flags(flags & ~0xffull, kCloneFlags, "");
  if (exit_signal != 0) {
    if (!out.empty()) out += '|';
    out += signal_string(exit_signal);
  }
  return out.empty() ? "0" : out;
}

std::span<const FlagName> namespace_flag_table() {
  return kNamespaceFlags;
}

std::string namespace_flags_string(std::uint64_t flags) {
  return format_flags(flags, kNamespaceFlags);
}

std::string address_family_string(std::uint64_t family) {
  if (auto name = constant_name(family, kAddressFamilies)) return std::string(*name);
  return std::to_string(family);
}

std::string socket_type_string(std::uint64_t type) {
  std::string out;
  const std::uint64_t base = type & 0xf;
  if (auto name = constant_name(base, kSocketTypes))
    out = *name;
  else
    out = std::to_string(base);
  const std::uint64_t extra = type & ~0xfull;
  if (extra != 0) out += "|" + format_flags(extra, kSocketTypeFlags);
  return out;
}

std::string personality_string(std::uint64_t persona) {
  if (persona == 0xffffffffull) return "0xffffffff";
  std::string out;
  if (auto name = constant_name(persona & 0xff, kPersonalities))
    out = *name;
  else
    out = hex_or_zero(persona & 0xff);
  const std::uint64_t flags = persona & ~0xffull;
  if (flags != 0) out += "|" + format_flags(flags, kPersonalityFlags);
  return out;
}

std::string prctl_option_string(std::uint64_t option) {
  if (auto name = constant_name(option, kPrctlOptions)) return std::string(*name);
  return hex_or_zero(option);
}

std::string ioctl_request_string(std::uint64_t request) {
  if (auto name = constant_name(request & 0xffffffffull, kIoctlRequests)) return std::string(*name);
  return hex_or_zero(request);
}

std::string open_flags_string(std::uint64_t flags) {
  static constexpr std::string_view kModes[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
  std::string out(kModes[flags & 3]);
  const std::uint64_t rest = flags & ~3ull;
  if (rest != 0) out += "|" + format_flags(rest, kOpenFlags);
  return out;
}

std::string escape_string(std::string_view bytes, bool truncated) {
  // Quote-escape first (ASCII only, so UTF-8 is untouched), then make the rest terminal-safe.
  std::string quoted;
  quoted.reserve(bytes.size());
  for (char c : bytes) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  std::string out = "\"" + escape_terminal(quoted) + "\"";
  if (truncated) out += "...";
  return out;
}

std::optional<std::string_view> argument_signature(std::string_view syscall_name) {
  const SyscallEntry* entry = syscall_entry(syscall_name);
  if (entry == nullptr) return std::nullopt;
  return entry->signature;
}

bool is_signature_code(char code) {
  return kSignatureCodes.find(code) != std::string_view::npos;
}

namespace {

std::string format_one(char kind, std::uint64_t value, const MemoryReader* reader, std::size_t max_string) {
  const auto as_int = static_cast<std::int32_t>(value);
  switch (kind) {
    case 'd': return std::to_string(as_int);
    case 'l': return std::to_string(static_cast<std::int64_t>(value));
    case 'h': return hex_or_zero(value);
    case 'u': return std::to_string(value);
    case 'x': return value == 0 ? "NULL" : hex_or_zero(value);
    case 'p': {
      if (value == 0) return "NULL";
      if (reader != nullptr && *reader) {
        // Read one byte more than shown, to know whether the string was cut.
        if (auto text = (*reader)(value, max_string + 1)) {
          const bool cut = text->size() > max_string;
          return escape_string(std::string_view(*text).substr(0, max_string), cut);
        }
      }
      return hex_or_zero(value);
    }
    case 'A': return as_int == -100 ? "AT_FDCWD" : std::to_string(as_int);
    case 'o': return open_flags_string(value);
    case 'O': return format_flags(value, kOpenFlags);
    case 'm':
    case 'C': return octal_mode(value);
    case 'c': return clone_flags_string(value);
    case 'n': return namespace_flags_string(value);
    case 'f': return address_family_string(value);
    case 't': return socket_type_string(value);
    case 'P': return personality_string(value);
    case 'R': return prctl_option_string(value);
    case 'I': return ioctl_request_string(value);
    case 'S': return signal_string(value);
    case 'r': return format_flags(value, kMmapProt, "PROT_NONE");
    case 'M': return format_flags(value, kMmapFlags);
    default: return hex_or_zero(value);
  }
}

// The arguments whose bits are set in `mask`, decoded by their signature codes, ", "-joined.
std::string decoded_arguments(const SyscallEntry& entry, std::uint8_t mask,
                              const std::array<std::uint64_t, 6>& args) {
  std::string out;
  for (std::size_t i = 0; i < 6; ++i) {
    if ((mask & (1u << i)) == 0) continue;
    if (!out.empty()) out += ", ";
    out += format_one((*entry.signature)[i], args[i], nullptr, 0);
  }
  return out;
}

}  // namespace

std::string format_arguments(Arch arch, int nr, const std::array<std::uint64_t, 6>& args,
                             const MemoryReader* reader, std::size_t max_string) {
  const SyscallEntry* entry = syscall_entry(arch, nr);
  std::string out;
  if (entry != nullptr && entry->signature) {
    const std::string_view signature = *entry->signature;
    for (std::size_t i = 0; i < signature.size(); ++i) {
      // open/openat print the mode only when the flags use it, as strace does.
      if (signature[i] == 'C' && (args[i - 1] & kCreatesFile) == 0) break;
      if (i > 0) out += ", ";
      out += format_one(signature[i], args[i], reader, max_string);
    }
    return out;
  }
  std::size_t count = 6;
  while (count > 0 && args[count - 1] == 0)
    --count;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ", ";
    out += hex_or_zero(args[i]);
  }
  return out;
}

std::string format_call(Arch arch, int nr, const std::array<std::uint64_t, 6>& args,
                        const MemoryReader* reader, std::size_t max_string) {
  return syscall_display_name(arch, nr) + "(" + format_arguments(arch, nr, args, reader, max_string) + ")";
}

std::string format_return(Arch arch, int nr, std::int64_t value) {
  if (value < 0 && value >= -4095) {
    const int error_number = static_cast<int>(-value);
    // Kernel-internal restart codes never reach user space but do show at exit stops.
    switch (error_number) {
      case 512: return "? ERESTARTSYS (To be restarted if SA_RESTART is set)";
      case 513: return "? ERESTARTNOINTR (To be restarted)";
      case 514: return "? ERESTARTNOHAND (To be restarted if no handler)";
      case 516: return "? ERESTART_RESTARTBLOCK (Interrupted by signal)";
      default: break;
    }
    return "-1 " + errno_name(static_cast<std::uint32_t>(error_number)) + " (" + strerror(error_number) + ")";
  }
  const SyscallEntry* entry = syscall_entry(arch, nr);
  if (entry != nullptr && entry->has(SyscallFlag::kAddressReturn))
    return hex_or_zero(static_cast<std::uint64_t>(value));
  return std::to_string(value);
}

std::optional<std::string> profile_argument(Arch arch, int nr, const std::array<std::uint64_t, 6>& args) {
  const SyscallEntry* entry = syscall_entry(arch, nr);
  if (entry == nullptr || entry->profile_args == 0) return std::nullopt;
  return decoded_arguments(*entry, entry->profile_args, args);
}

std::string describe_call(Arch arch, int nr, const std::array<std::uint64_t, 6>& args) {
  const std::string call = syscall_display_name(arch, nr);
  const SyscallEntry* entry = syscall_entry(arch, nr);
  if (entry == nullptr || entry->finding_args == 0) return call + "(...)";
  return call + "(" + std::string(entry->finding_label) +
         decoded_arguments(*entry, entry->finding_args, args) + ")";
}

}  // namespace seccheck
