// seccheck(1) against --help, both ways: every command and option --help shows is in the man
// page under that command, and every option the man page names (in the generated sections, the
// prose and the examples) exists. Plus: it renders without warnings and is current.
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "tests/cli/help_tree.h"
#include "tests/support/run_process.h"

namespace seccheck::testing {
namespace {

std::string man_path() {
  return docs_dir() + "/seccheck.1";
}

std::string unescape(std::string text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '-') {
      out += '-';
      ++i;
    } else if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'e') {
      out += '\\';
      ++i;
    } else if (text[i] == '\\' && i + 2 < text.size() && text[i + 1] == 'f') {
      i += 2;  // font change \fB \fR \fI
    } else if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '&') {
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

struct ManPage {
  std::string source;
  // Options in each .TP tag, by command path ({} = the OPTIONS section).
  std::map<std::vector<std::string>, std::set<std::string>> options;
  std::set<std::vector<std::string>> commands;  // .SS subsections of COMMANDS
  std::vector<std::string> example_lines;       // command lines in .EX blocks
  std::string prose;                            // everything outside .EX blocks
};

ManPage read_man_page() {
  ManPage page;
  page.source = read_file(man_path());
  std::istringstream in(page.source);
  std::string line, section;
  std::vector<std::string> path;
  bool tag_next = false, in_example = false;
  std::string pending;  // an example line continued with a trailing backslash
  static const std::regex option(R"(\\fB((?:\\-){1,2}[A-Za-z0-9](?:[A-Za-z0-9_]|\\-)*)\\fR)");
  while (std::getline(in, line)) {
    if (line.rfind(".SH ", 0) == 0) {
      section = line.substr(4);
      path.clear();
      continue;
    }
    if (line.rfind(".SS ", 0) == 0 && section == "COMMANDS") {
      std::string name = line.substr(4);
      if (name.size() >= 2 && name.front() == '"') name = name.substr(1, name.size() - 2);
      path = split_words(name);
      page.commands.insert(path);
      continue;
    }
    if (line == ".TP") {
      tag_next = true;
      continue;
    }
    if (line == ".EX") {
      in_example = true;
      continue;
    }
    if (line == ".EE") {
      in_example = false;
      continue;
    }
    if (!in_example) page.prose += line + "\n";
    if (in_example) {
      std::string text = unescape(line);
      if (!text.empty() && text.back() == '\\') {
        pending += text.substr(0, text.size() - 1);
        continue;
      }
      text = pending + text;
      pending.clear();
      if (text.rfind("seccheck", 0) == 0) page.example_lines.push_back(text);
      continue;
    }
    if (tag_next) {
      tag_next = false;
      if (section == "OPTIONS" || section == "COMMANDS") {
        for (std::sregex_iterator it(line.begin(), line.end(), option), end; it != end; ++it) {
          page.options[path].insert(unescape((*it)[1]));
        }
      }
    }
  }
  return page;
}

bool is_help_flag(const std::string& name) {
  return name == "-h" || name == "--help";
}

TEST(ManPage, EveryCommandAndOptionInHelpIsInTheManPage) {
  const ManPage page = read_man_page();
  for (const HelpCommand& command : help_tree()) {
    if (!command.path.empty()) {
      EXPECT_TRUE(page.commands.count(command.path))
          << path_text(command.path) << " has no section in seccheck(1)";
    }
    const auto documented = page.options.find(command.path);
    for (const std::string& name : command.options) {
      // -h/--help is documented once, in OPTIONS, as accepted by every command.
      const bool found = is_help_flag(name)
                             ? page.options.count({}) && page.options.at({}).count(name)
                             : documented != page.options.end() && documented->second.count(name);
      EXPECT_TRUE(found) << path_text(command.path) << " " << name << " is in --help but not in seccheck(1)";
    }
  }
}

TEST(ManPage, EveryCommandAndOptionInTheManPageExists) {
  const ManPage page = read_man_page();
  for (const std::vector<std::string>& path : page.commands) {
    EXPECT_NE(find_command(path), nullptr)
        << "seccheck(1) documents " << path_text(path) << ", which does not exist";
  }
  for (const auto& [path, names] : page.options) {
    const HelpCommand* command = find_command(path);
    if (!command) continue;  // reported above
    for (const std::string& name : names) {
      EXPECT_TRUE(command->options.count(name))
          << "seccheck(1) documents " << path_text(path) << " " << name << ", which --help does not show";
    }
  }
}

TEST(ManPage, ProseAndExamplesNameOnlyRealOptions) {
  const ManPage page = read_man_page();
  std::set<std::string> all_options;
  for (const HelpCommand& command : help_tree())
    all_options.insert(command.options.begin(), command.options.end());
  // Long options anywhere in the text, written \-\-name in roff. Examples are checked below,
  // command by command (after "--" they hold the workload's own options).
  static const std::regex long_option(R"(\\-\\-((?:[A-Za-z0-9_]|\\-)+))");
  for (std::sregex_iterator it(page.prose.begin(), page.prose.end(), long_option), end; it != end; ++it) {
    const std::string name = "--" + unescape((*it)[1]);
    EXPECT_TRUE(all_options.count(name)) << "seccheck(1) mentions " << name << ", which no command has";
  }
  EXPECT_FALSE(page.example_lines.empty()) << "seccheck(1) has no examples";
  for (const std::string& example : page.example_lines) {
    EXPECT_EQ(check_example(example), "") << "in seccheck(1)";
  }
}

TEST(ManPage, DocumentsExitCodesAndFormats) {
  const std::string source = read_file(man_path());
  for (const char* heading :
       {".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS", ".SH COMMANDS", ".SH EXIT STATUS",
        ".SH OUTPUT FORMATS", ".SH EXAMPLES", ".SH FILES", ".SH SEE ALSO"}) {
    EXPECT_NE(source.find(std::string("\n") + heading + "\n"), std::string::npos) << "missing " << heading;
  }
  // core/error.h's ExitCode values, each documented in EXIT STATUS.
  const std::string status = source.substr(source.find(".SH EXIT STATUS"));
  for (const char* code : {"0", "1", "2", "3", "125", "126", "127"}) {
    EXPECT_NE(status.find(std::string(".TP\n.B ") + code + "\n"), std::string::npos) << "exit code " << code;
  }
  for (const char* format : {"text", "json", "sarif", "junit", "markdown"}) {
    EXPECT_NE(source.find(std::string(".B ") + format + "\n"), std::string::npos) << "format " << format;
  }
}

std::string find_program(const std::string& name) {
  for (const char* dir : {"/usr/bin", "/bin", "/usr/local/bin"}) {
    std::string path = std::string(dir) + "/" + name;
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

TEST(ManPage, RendersWithoutWarnings) {
  const std::string groff = find_program("groff");
  if (groff.empty())
    GTEST_SKIP() << "groff is not installed (Debian package groff-base); cannot render seccheck(1)";
  for (const char* macros : {"-man", "-mandoc"}) {
    const ProcessOutput result = run_process({groff, macros, "-ww", "-z", man_path()});
    EXPECT_EQ(result.exit_status, 0) << macros << ": " << result.err;
    EXPECT_EQ(result.err, "") << "groff " << macros << " -ww warns about seccheck(1)";
  }
  // And as text, the way man(1) shows it: the generated sections are really there.
  const ProcessOutput text = run_process({groff, "-man", "-Tutf8", "-P", "-cbou", man_path()});
  ASSERT_EQ(text.exit_status, 0) << text.err;
  EXPECT_NE(text.out.find("COMMANDS"), std::string::npos);
  for (const HelpCommand& command : help_tree()) {
    for (const std::string& name : command.options) {
      EXPECT_NE(text.out.find(name), std::string::npos) << name << " does not render";
    }
  }
}

TEST(ManPage, IsGeneratedFromTheCurrentBinary) {
  const ProcessOutput generated = run_process({seccheck_binary(), "completion", "man"});
  ASSERT_EQ(generated.exit_status, 0) << generated.err;
  EXPECT_NE(read_file(man_path()).find(generated.out), std::string::npos)
      << "docs/seccheck.1 is stale: rebuild the seccheck_docs target";
  const std::string gzip = find_program("gzip");
  if (!gzip.empty() && access((man_path() + ".gz").c_str(), R_OK) == 0) {
    const ProcessOutput unzipped = run_process({gzip, "-dc", man_path() + ".gz"});
    EXPECT_EQ(unzipped.out, read_file(man_path())) << "seccheck.1.gz differs from seccheck.1";
  }
}

}  // namespace
}  // namespace seccheck::testing
