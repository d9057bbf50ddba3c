#include "cli/messages.h"

#include <iostream>
#include <string>

#include "core/text_escape.h"

namespace seccheck::cli {

void print_message(std::string_view text) {
  std::cerr << "seccheck: " << escape_terminal(text) << '\n';
}

void print_message(std::string_view kind, std::string_view text) {
  std::cerr << "seccheck: " << kind << ": " << escape_terminal(text) << '\n';
}

}  // namespace seccheck::cli
