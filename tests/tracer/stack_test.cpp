// Call-site stacks against the real kernel: glibc's clone3 wrapper is unwound to pthread_create
// and the testprog's own function, every named frame's symbol holds its address (checked with
// nm, the binutils oracle, on the file that named it), and repeated stacks read no file again.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/syscall_table.h"
#include "elf/debug_file.h"
#include "elf/elf_file.h"
#include "tests/elf/elf_fixtures.h"
#include "tests/support/run_process.h"
#include "tracer/trace_filter.h"
#include "tracer/tracer.h"
#include "tracer/unwinder.h"

namespace seccheck::tracer {
namespace {

using seccheck::testing::testprog;

// Takes the stack (and the process's maps, to check it against) at the first call of `name`.
class StackRecorder : public TraceObserver {
 public:
  explicit StackRecorder(std::string name) : name_(std::move(name)) {}
  SeccompDecision on_syscall_entry(const SyscallEvent& event, StoppedTracee& tracee) override {
    if (stack.empty() && syscall_display_name(event.arch, event.nr) == name_) {
      stack = tracee.stack(32);
      std::ifstream in("/proc/" + std::to_string(event.pid) + "/maps");
      std::ostringstream text;
      text << in.rdbuf();
      maps = text.str();
    }
    return SeccompDecision::proceed();
  }
  std::vector<StackFrame> stack;
  std::string maps;

 private:
  std::string name_;
};

std::vector<StackFrame> stack_at(const std::string& program, const std::string& call,
                                 std::string* maps = nullptr) {
  StackRecorder recorder(call);
  LaunchOptions options;
  options.argv = {testprog(program)};
  auto filter = build_trace_set_filter({call});
  EXPECT_TRUE(filter.ok());
  if (filter.ok()) options.filters = *filter;
  auto summary = run_command(options, recorder);
  EXPECT_TRUE(summary.ok()) << (summary.ok() ? "" : summary.error().message);
  if (maps != nullptr) *maps = recorder.maps;
  return recorder.stack;
}

std::string describe(const std::vector<StackFrame>& stack) {
  std::string text;
  for (const StackFrame& f : stack)
    text += "  " + (f.function.empty() ? "?" : f.function) + " in " + f.binary + "\n";
  return text;
}

std::size_t find_frame(const std::vector<StackFrame>& stack, const std::string& function,
                       const std::string& binary) {
  for (std::size_t i = 0; i < stack.size(); ++i)
    if (stack[i].function == function && stack[i].binary.find(binary) != std::string::npos) return i;
  return stack.size();
}

class Stacks : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!seccomp_filters_available()) GTEST_SKIP() << "seccomp filters unavailable on this kernel";
  }
};

TEST_F(Stacks, Clone3FromPthreadCreateReachesTheCaller) {
  const auto stack = stack_at("stack_pthread_create", "clone3");
  ASSERT_FALSE(stack.empty());
  const std::size_t create = find_frame(stack, "pthread_create", "libc.so.6");
  const std::size_t caller = find_frame(stack, "start_worker", "stack_pthread_create");
  const std::size_t main_frame = find_frame(stack, "main", "stack_pthread_create");
  EXPECT_LT(create, stack.size()) << describe(stack);
  EXPECT_LT(caller, stack.size()) << describe(stack);
  EXPECT_LT(main_frame, stack.size()) << describe(stack);
  EXPECT_LT(create, caller);
  EXPECT_EQ(caller + 1, main_frame) << describe(stack);
  // The testprog is built with -g: its frames carry file:line.
  if (caller < stack.size()) {
    EXPECT_EQ(std::filesystem::path(stack[caller].source_file).filename(), "stack_pthread_create.c");
    EXPECT_GT(stack[caller].source_line, 0);
  }
}

// With libc6-dbg, the innermost frame names glibc's local __clone3 (absent from .dynsym) and its
// assembly line; without it, no exported neighbour stands in: the frame is libc.so.6+0xOFFSET.
TEST_F(Stacks, Clone3WrapperIsNamedOnlyByASymbolThatHoldsIt) {
  const auto stack = stack_at("stack_pthread_create", "clone3");
  ASSERT_FALSE(stack.empty());
  const StackFrame& top = stack[0];
  auto libc = elf::ElfFile::open(top.binary);
  ASSERT_TRUE(libc) << top.binary;
  if (elf::find_debug_file(*libc)) {
    EXPECT_EQ(top.function, "__clone3") << describe(stack);
    EXPECT_EQ(std::filesystem::path(top.source_file).filename(), "clone3.S") << top.source_file;
    EXPECT_GT(top.source_line, 0);
  } else {
    EXPECT_EQ(top.function, "") << "libc6-dbg is not installed, and __clone3 is a local symbol";
  }
}

struct Mapped {
  std::uint64_t start = 0, end = 0, offset = 0;
  std::string path;
};

std::vector<Mapped> parse_maps(const std::string& text) {
  std::vector<Mapped> maps;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string range, perms, offset, device, inode, path;
    if (!(words >> range >> perms >> offset >> device >> inode)) continue;
    words >> path;
    const auto dash = range.find('-');
    maps.push_back({std::stoull(range.substr(0, dash), nullptr, 16),
                    std::stoull(range.substr(dash + 1), nullptr, 16), std::stoull(offset, nullptr, 16),
                    path});
  }
  return maps;
}

// nm's symbols for the table seccheck names from: the file's .symtab, else its debug file's,
// else its .dynsym.
std::vector<seccheck::testing::NmSymbol> oracle_symbols(const std::string& path,
                                                        const std::string& debug_root) {
  auto symbols = seccheck::testing::nm_symbols(path, false);
  if (!symbols.empty()) return symbols;
  auto file = elf::ElfFile::open(path);
  if (file)
    if (auto debug = elf::find_debug_file(*file, debug_root); debug)
      if (symbols = seccheck::testing::nm_symbols(debug->path(), false); !symbols.empty()) return symbols;
  return seccheck::testing::nm_symbols(path, true);
}

void expect_frames_hold_their_addresses(const std::vector<StackFrame>& stack, const std::string& maps_text,
                                        const std::string& debug_root = elf::kDefaultDebugRoot) {
  ASSERT_FALSE(stack.empty());
  const auto maps = parse_maps(maps_text);
  std::map<std::string, std::vector<seccheck::testing::NmSymbol>> symbols_of;  // nm is slow on libc's
  int checked = 0;
  for (const StackFrame& frame : stack) {
    const Mapped* mapping = nullptr;
    for (const Mapped& m : maps)
      if (frame.pc >= m.start && frame.pc < m.end) mapping = &m;
    ASSERT_NE(mapping, nullptr) << std::hex << frame.pc;
    if (mapping->path.empty() || mapping->path[0] != '/') continue;
    auto file = elf::ElfFile::open(mapping->path);
    ASSERT_TRUE(file) << mapping->path;
    // The address named: the instruction before pc (the call, or the syscall).
    const auto address = file->vaddr_at_offset(frame.pc - 1 - mapping->start + mapping->offset);
    ASSERT_TRUE(address) << mapping->path;
    if (!symbols_of.count(mapping->path))
      symbols_of[mapping->path] = oracle_symbols(mapping->path, debug_root);
    const auto& symbols = symbols_of[mapping->path];
    bool named_symbol_holds_it = false, some_symbol_holds_it = false;
    for (const auto& s : symbols) {
      const bool holds = *address >= s.start && *address - s.start < s.size;
      some_symbol_holds_it |= holds;
      if (holds && s.name == frame.function) {
        named_symbol_holds_it = true;
        EXPECT_EQ(frame.offset, *address + 1 - s.start) << frame.function;
      }
    }
    if (frame.function.empty()) {
      EXPECT_FALSE(some_symbol_holds_it) << "a symbol holds " << std::hex << *address << " in "
                                         << mapping->path << " but the frame has none";
      EXPECT_EQ(frame.offset, *address + 1) << "module+offset is the address in the file";
    } else {
      EXPECT_TRUE(named_symbol_holds_it)
          << frame.function << " does not hold " << std::hex << *address << " in " << mapping->path;
    }
    ++checked;
  }
  EXPECT_GE(checked, 3) << describe(stack);
}

TEST_F(Stacks, EveryNamedFrameHoldsItsAddressInClone3) {
  std::string maps;
  const auto stack = stack_at("stack_pthread_create", "clone3", &maps);
  expect_frames_hold_their_addresses(stack, maps);
}

TEST_F(Stacks, EveryNamedFrameHoldsItsAddressInSyscallWrapper) {
  std::string maps;
  const auto stack = stack_at("gen_keyctl", "keyctl", &maps);
  expect_frames_hold_their_addresses(stack, maps);
}

// A child of this test, traced by it and stopped in raise(SIGSTOP); killed at the end of scope.
struct StoppedChild {
  pid_t pid = fork();
  int status = 0;
  StoppedChild() {
    if (pid == 0) {
      ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
      raise(SIGSTOP);
      _exit(0);
    }
    if (pid > 0 && waitpid(pid, &status, 0) != pid) status = 0;
  }
  ~StoppedChild() {
    if (pid <= 0) return;
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  bool stopped() const { return pid > 0 && WIFSTOPPED(status); }
};

// A stopped child of this test, stack taken with no debug files: libc's frames are named from
// its .dynsym only where an exported symbol holds the address (raise's helpers are local).
TEST(Unwinder, WithoutDebugFilesOnlyExportedSymbolsThatHoldTheAddressName) {
  StoppedChild child;
  ASSERT_TRUE(child.stopped());
  Unwinder unwinder({}, "/nonexistent-debug-root");
  const auto stack = unwinder.stack(child.pid, child.pid, 16);
  std::ifstream in("/proc/" + std::to_string(child.pid) + "/maps");
  std::ostringstream maps;
  maps << in.rdbuf();
  expect_frames_hold_their_addresses(stack, maps.str(), "/nonexistent-debug-root");
}

// A process of our own, stopped: the unwinder takes its stack twice, and once more after a flush
// (as after an execve elsewhere); the files are read for the first stack only.
TEST(Unwinder, RepeatedStacksReadNoFile) {
  StoppedChild child;
  ASSERT_TRUE(child.stopped());
  Unwinder unwinder;
  const auto first = unwinder.stack(child.pid, child.pid, 16);
  const std::size_t reads = unwinder.files_read();
  const auto second = unwinder.stack(child.pid, child.pid, 16);
  unwinder.flush(child.pid);
  const auto third = unwinder.stack(child.pid, child.pid, 16);
  ASSERT_GE(first.size(), 2u);
  EXPECT_GT(reads, 0u);
  EXPECT_EQ(unwinder.files_read(), reads);
  ASSERT_EQ(second.size(), first.size());
  ASSERT_EQ(third.size(), first.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(second[i].function, first[i].function);
    EXPECT_EQ(third[i].function, first[i].function);
  }
}

}  // namespace
}  // namespace seccheck::tracer
