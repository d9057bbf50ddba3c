// Every subcommand's --help shows at least one real example: a command line that names that
// subcommand and only options it has.
#include <gtest/gtest.h>

#include <sstream>

#include "tests/cli/help_tree.h"

namespace seccheck::testing {
namespace {

std::vector<std::string> examples_in(const std::string& help) {
  std::vector<std::string> out;
  std::istringstream in(help);
  std::string line;
  bool in_examples = false;
  while (std::getline(in, line)) {
    if (line == "Example:" || line == "Examples:") {
      in_examples = true;
    } else if (in_examples && line.rfind("  seccheck", 0) == 0) {
      out.push_back(line.substr(2));
    } else {
      in_examples = false;
    }
  }
  return out;
}

TEST(HelpExample, EverySubcommandShowsARealExample) {
  ASSERT_GT(help_tree().size(), 1u) << "seccheck --help lists no subcommands";
  for (const HelpCommand& command : help_tree()) {
    if (command.path.empty()) continue;
    const std::vector<std::string> examples = examples_in(command.help);
    if (examples.empty()) {
      ADD_FAILURE() << path_text(command.path)
                    << " --help has no \"Example:\" section (call cli::set_example from cli/help_example.h)";
      continue;
    }
    for (const std::string& example : examples) {
      // It must run this command (or one of its subcommands).
      const std::string prefix = path_text(command.path);
      EXPECT_TRUE(example == prefix || example.rfind(prefix + " ", 0) == 0)
          << path_text(command.path) << " --help example runs another command: " << example;
      EXPECT_EQ(check_example(example), "") << "in " << path_text(command.path) << " --help";
    }
  }
}

TEST(HelpExample, CheckerRejectsOptionsOfOtherCommands) {
  // The check above is only worth something if it can fail.
  EXPECT_NE(check_example("seccheck --no-such-option"), "");
  EXPECT_NE(check_example("seccheck no-such-command"), "");
  for (const HelpCommand& command : help_tree()) {
    if (command.path.empty()) continue;
    EXPECT_NE(check_example(path_text(command.path) + " --no-such-option-at-all"), "");
    EXPECT_EQ(check_example(path_text(command.path) + " --help"), "");
  }
}

}  // namespace
}  // namespace seccheck::testing
