// seccheck's own lines on standard error, one place for all of them: "seccheck: TEXT" or
// "seccheck: KIND: TEXT". File names, profile contents and workload strings reach these lines,
// so TEXT goes through core/text_escape.h as reports do: no message can move the cursor,
// change colours or end its line early.
#pragma once

#include <string_view>

namespace seccheck::cli {

void print_message(std::string_view text);
// KIND: "warning", "note", "error".
void print_message(std::string_view kind, std::string_view text);

}  // namespace seccheck::cli
