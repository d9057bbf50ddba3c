// The bash completion script, run in bash the way completion runs it (COMP_WORDS/COMP_CWORD),
// must offer exactly the subcommands, options and option values that --help shows, and names
// (profiles, capabilities, syscalls) the program accepts.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "analysis/catalog.h"
#include "analysis/context.h"
#include "core/syscall_table.h"
#include "tests/cli/help_tree.h"
#include "tests/support/run_process.h"
#include "tests/support/temp_dir.h"

namespace seccheck::testing {
namespace {

std::string script_path() {
  return docs_dir() + "/seccheck.bash";
}

std::set<std::string> lines_of(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.insert(line);
  }
  return out;
}

// Runs the completion function for `seccheck WORDS...`, the last word being the one completed.
std::set<std::string> complete(const std::vector<std::string>& words) {
  // One file per test process (temp_path): ctest runs the tests of this file in parallel
  // processes, and one rewriting a shared harness while another's bash reads it made that bash
  // see an empty script.
  static const std::string harness = [] {
    std::string path = testing::temp_path("complete_harness.sh");
    std::ofstream out(path);
    out << "source \"$1\" || exit 90\n"
           "shift\n"
           "COMP_WORDS=(\"$@\")\n"
           "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
           "_seccheck || exit 91\n"
           "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
    return path;
  }();
  std::vector<std::string> argv = {"/bin/bash", harness, script_path(), seccheck_binary()};
  argv.insert(argv.end(), words.begin(), words.end());
  const ProcessOutput result = run_process(argv, 30);
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_EQ(result.err, "") << "completing " << path_text(words);
  return lines_of(result.out);
}

std::vector<std::string> with(std::vector<std::string> path, std::initializer_list<const char*> more) {
  path.insert(path.end(), more.begin(), more.end());
  return path;
}

TEST(Completion, ScriptIsValidBash) {
  const ProcessOutput result = run_process({"/bin/bash", "-n", script_path()});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_EQ(result.err, "");
}

TEST(Completion, ScriptIsGeneratedFromTheCurrentBinary) {
  const ProcessOutput generated = run_process({seccheck_binary(), "completion", "bash"});
  ASSERT_EQ(generated.exit_status, 0) << generated.err;
  EXPECT_EQ(generated.out, read_file(script_path()))
      << "seccheck.bash is stale: rebuild the seccheck_docs target";
}

TEST(Completion, OffersExactlyTheSubcommandsAndOptionsOfHelp) {
  for (const HelpCommand& command : help_tree()) {
    std::set<std::string> options_offered = complete(with(command.path, {"-"}));
    EXPECT_EQ(options_offered, command.options) << "options of " << path_text(command.path);
    if (!command.subcommands.empty()) {
      const std::set<std::string> expected(command.subcommands.begin(), command.subcommands.end());
      EXPECT_EQ(complete(with(command.path, {""})), expected) << "subcommands of " << path_text(command.path);
    }
    for (const auto& [option, values] : command.choices) {
      const std::set<std::string> expected(values.begin(), values.end());
      std::vector<std::string> words = command.path;
      words.push_back(option);
      words.push_back("");
      EXPECT_EQ(complete(words), expected) << "values of " << path_text(command.path) << " " << option;
    }
  }
}

TEST(Completion, FlagsTakeNoValue) {
  // After a flag the next word is free again: "-" offers the options. After an option that takes
  // a value it would complete that value instead.
  std::size_t flags = 0;
  for (const HelpCommand& command : help_tree()) {
    for (const std::string& flag : command.flags) {
      std::vector<std::string> words = command.path;
      words.push_back(flag);
      words.push_back("-");
      EXPECT_EQ(complete(words), command.options) << path_text(command.path) << " " << flag << " -<TAB>";
      ++flags;
    }
  }
  EXPECT_GT(flags, 0u);
}

TEST(Completion, ProfileNamesAreAcceptedCatalogNames) {
  const ProcessOutput result = run_process({seccheck_binary(), "completion", "--profile-names"});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  const std::set<std::string> names = lines_of(result.out);
  for (const char* expected : {"docker", "containerd", "crio", "podman", "runtime-default"}) {
    EXPECT_TRUE(names.count(expected)) << expected << " is not offered";
  }
  for (const analysis::CatalogEntry& entry : analysis::catalog_entries()) {
    EXPECT_TRUE(names.count(entry.name)) << entry.name << " is not offered";
  }
  for (const std::string& name : names) {
    EXPECT_TRUE(analysis::resolve_catalog_name(name).ok()) << "offered name " << name << " is not accepted";
  }
}

TEST(Completion, CapabilityAndSyscallNamesComeFromTheProgram) {
  ProcessOutput result = run_process({seccheck_binary(), "completion", "--capability-names"});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  const std::set<std::string> caps = lines_of(result.out);
  EXPECT_EQ(caps.size(), analysis::all_capabilities().size());
  EXPECT_TRUE(caps.count("SYS_ADMIN"));
  for (const std::string& cap : caps) {
    EXPECT_TRUE(analysis::normalize_capability(cap).ok())
        << "offered capability " << cap << " is not accepted";
  }
  result = run_process({seccheck_binary(), "completion", "--syscall-names"});
  ASSERT_EQ(result.exit_status, 0) << result.err;
  const std::set<std::string> syscalls = lines_of(result.out);
  EXPECT_EQ(syscalls.size(), syscall_table().size());
  EXPECT_TRUE(syscalls.count("clone3"));
  EXPECT_TRUE(syscalls.count("openat"));
}

// The first command (depth-first) that has `option`, or nullptr.
const HelpCommand* command_with(const std::string& option) {
  for (const HelpCommand& command : help_tree()) {
    if (command.options.count(option)) return &command;
  }
  return nullptr;
}

TEST(Completion, ValuesOfProfileAndCapabilityOptions) {
  const HelpCommand* with_profile = command_with("--profile");
  const HelpCommand* with_cap = command_with("--cap-add");
  if (!with_profile && !with_cap) GTEST_SKIP() << "no command has --profile or --cap-add yet";
  if (with_profile) {
    const std::set<std::string> offered = complete(with(with_profile->path, {"--profile", "contai"}));
    EXPECT_TRUE(offered.count("containerd")) << path_text(with_profile->path) << " --profile contai<TAB>";
    EXPECT_TRUE(offered.count("containers-common"))
        << path_text(with_profile->path) << " --profile contai<TAB>";
    // "--profile=VALUE" as one word (COMP_WORDBREAKS without '=').
    EXPECT_TRUE(
        complete(with(with_profile->path, {"--profile=runtime-d"})).count("--profile=runtime-default"));
  }
  if (with_cap) {
    EXPECT_EQ(complete(with(with_cap->path, {"--cap-add", "SYS_AD"})), std::set<std::string>{"SYS_ADMIN"});
  }
}

TEST(Completion, TheWorkloadAfterDoubleDashCompletesAsACommand) {
  // Any command whose usage takes "-- CMD": completing the first word after "--" offers commands.
  const HelpCommand* check = find_command({"check"});
  if (!check) GTEST_SKIP() << "no check command yet";
  const std::set<std::string> offered = complete({"check", "--", "bas"});
  EXPECT_TRUE(offered.count("bash")) << "check -- bas<TAB>";
}

}  // namespace
}  // namespace seccheck::testing
