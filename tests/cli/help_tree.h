// The command tree as the user sees it: parsed from `seccheck [PATH] --help`, independently of
// the generators in cli/completion_command.cpp, so the tests compare the man page and the
// completion script against what --help really prints.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace seccheck::testing {

struct HelpCommand {
  std::vector<std::string> path;                            // {} for seccheck itself, {"profiles", "show"}
  std::string help;                                         // the --help text
  std::set<std::string> options;                            // "-o", "--output", "--help"
  std::set<std::string> flags;                              // the options that take no value (no type shown)
  std::map<std::string, std::vector<std::string>> choices;  // "--format" -> {"text", "json"}
  std::vector<std::string> positionals;                     // names, in order
  std::vector<std::string> subcommands;                     // names, in order
};

// Every command reachable from `seccheck --help`, root first (depth-first, help order).
const std::vector<HelpCommand>& help_tree();
const HelpCommand* find_command(const std::vector<std::string>& path);
std::string path_text(const std::vector<std::string>& path);  // "seccheck profiles show"

// Splits a command line such as `seccheck check --profile docker -- ./app` into words
// (no quoting beyond single and double quotes).
std::vector<std::string> split_words(const std::string& line);

// Checks an example command line against the tree: it names a command that exists and every
// option before "--" belongs to it. Returns "" when it does, else what is wrong.
std::string check_example(const std::string& line);

// Directory with the generated seccheck.1 and seccheck.bash (the build's docs/).
std::string docs_dir();

}  // namespace seccheck::testing
