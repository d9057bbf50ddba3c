#include "cli/help_example.h"

#include <sstream>

namespace seccheck::cli {
namespace {

constexpr const char* kHeading = "Example:";
constexpr const char* kIndent = "  ";

}  // namespace

void set_example(CLI::App* sub, std::string example) {
  if (example.rfind("seccheck ", 0) != 0) example = "seccheck " + example;
  std::string footer = sub->get_footer();
  // One heading however many examples: later calls add lines under it.
  if (footer.find(kHeading) == std::string::npos) {
    if (!footer.empty() && footer.back() != '\n') footer += '\n';
    footer += kHeading;
  }
  footer += std::string("\n") + kIndent + example;
  sub->footer(footer);
}

std::vector<std::string> examples_of(const CLI::App& app) {
  std::vector<std::string> out;
  std::istringstream footer(app.get_footer());
  std::string line;
  bool in_examples = false;
  while (std::getline(footer, line)) {
    if (line == kHeading) {
      in_examples = true;
    } else if (in_examples && line.rfind(std::string(kIndent) + "seccheck ", 0) == 0) {
      out.push_back(line.substr(2));
    } else {
      in_examples = false;
    }
  }
  return out;
}

}  // namespace seccheck::cli
