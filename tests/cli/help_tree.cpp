#include "tests/cli/help_tree.h"

#include <regex>
#include <sstream>
#include <stdexcept>

#include "tests/support/run_process.h"

namespace seccheck::testing {
namespace {

// CLI11 prints sections as a heading ending in ':' at column 0 ("Options:", "Positionals:",
// "Subcommands:", or an option group's name), then entries indented by two spaces; wrapped
// descriptions are indented further.
HelpCommand parse_help(const std::vector<std::string>& path, const std::string& help) {
  HelpCommand command;
  command.path = path;
  command.help = help;
  std::istringstream in(help);
  std::string line, section;
  static const std::regex option_name(R"((?:^|[ ,])(--?[A-Za-z0-9][A-Za-z0-9_-]*))");
  static const std::regex set_pattern(R"(\{([^}]*)\})");
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ' && line.back() == ':') {
      section = line.substr(0, line.size() - 1);
      continue;
    }
    if (line.empty() || line[0] != ' ' || section.empty()) continue;
    if (line.size() < 3 || line[1] != ' ' || line[2] == ' ') continue;  // a wrapped description
    if (section == "Example" || section == "Examples") continue;
    // The entry column ends at the first run of two spaces (or the end of the line).
    std::string entry = line.substr(2);
    const std::size_t gap = entry.find("  ");
    if (gap != std::string::npos) entry = entry.substr(0, gap);
    if (section == "Subcommands") {
      command.subcommands.push_back(entry.substr(0, entry.find(' ')));
    } else if (section == "Positionals") {
      command.positionals.push_back(entry.substr(0, entry.find(' ')));
    } else if (entry[0] == '-') {
      // "-o,--output TEXT:{a,b}" -> names before the first space, choices from {...}.
      const std::string names = entry.substr(0, entry.find(' '));
      std::vector<std::string> these;
      const bool is_flag = entry.find(' ') == std::string::npos;
      for (std::sregex_iterator it(names.begin(), names.end(), option_name), end; it != end; ++it) {
        these.push_back((*it)[1]);
        command.options.insert((*it)[1]);
        if (is_flag) command.flags.insert((*it)[1]);
      }
      std::smatch set;
      if (std::regex_search(entry, set, set_pattern)) {
        std::vector<std::string> values;
        std::stringstream items(set[1].str());
        std::string item;
        while (std::getline(items, item, ','))
          values.push_back(item.substr(0, item.find("->")));
        for (const std::string& name : these)
          command.choices[name] = values;
      }
    }
  }
  return command;
}

void walk(const std::vector<std::string>& path, std::vector<HelpCommand>& out) {
  std::vector<std::string> argv = {seccheck_binary()};
  argv.insert(argv.end(), path.begin(), path.end());
  argv.push_back("--help");
  const ProcessOutput result = run_process(argv, 30);
  if (result.exit_status != 0) {
    throw std::runtime_error(path_text(path) + " --help exited " + std::to_string(result.exit_status) + ": " +
                             result.err);
  }
  out.push_back(parse_help(path, result.out));
  const std::vector<std::string> subs = out.back().subcommands;
  for (const std::string& sub : subs) {
    std::vector<std::string> sub_path = path;
    sub_path.push_back(sub);
    walk(sub_path, out);
  }
}

}  // namespace

const std::vector<HelpCommand>& help_tree() {
  static const std::vector<HelpCommand> tree = [] {
    std::vector<HelpCommand> out;
    walk({}, out);
    return out;
  }();
  return tree;
}

const HelpCommand* find_command(const std::vector<std::string>& path) {
  for (const HelpCommand& command : help_tree()) {
    if (command.path == path) return &command;
  }
  return nullptr;
}

std::string path_text(const std::vector<std::string>& path) {
  std::string out = "seccheck";
  for (const std::string& part : path)
    out += " " + part;
  return out;
}

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  char quote = 0;
  bool in_word = false;
  for (char c : line) {
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

std::string check_example(const std::string& line) {
  const std::vector<std::string> words = split_words(line);
  if (words.empty() || words[0] != "seccheck") return "does not start with `seccheck`: " + line;
  // The longest command path the words start with.
  std::vector<std::string> path;
  std::size_t i = 1;
  for (; i < words.size(); ++i) {
    std::vector<std::string> longer = path;
    longer.push_back(words[i]);
    if (!find_command(longer)) break;
    path = longer;
  }
  const HelpCommand* command = find_command(path);
  if (path.empty() && (i >= words.size() || words[i][0] != '-')) return "names no command: " + line;
  for (; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "--") break;
    if (word.size() < 2 || word[0] != '-' || word == "-") continue;
    std::string name = word.substr(0, word.find('='));
    // "-c" style short options may be bundled or carry a value ("-ofile"): check the first.
    if (name[1] != '-') name = name.substr(0, 2);
    if (!command->options.count(name))
      return "`" + name + "` is not an option of `" + path_text(path) + "`: " + line;
  }
  return "";
}

std::string docs_dir() {
  return SECCHECK_DOCS_DIR;
}

}  // namespace seccheck::testing
