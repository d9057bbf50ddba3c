#include "analysis/json_input.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace seccheck::analysis {

Result<nlohmann::json> parse_json_input(std::string_view text, const std::string& source) {
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    std::size_t offset = e.byte == 0 ? 0 : std::min<std::size_t>(e.byte - 1, text.size());
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < offset; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string message = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: " prefix.
    if (auto colon = message.find(": "); colon != std::string::npos) message = message.substr(colon + 2);
    return make_error(source + ":" + std::to_string(line) + ":" + std::to_string(column) +
                      ": malformed JSON: " + message);
  } catch (const nlohmann::json::exception& e) {
    // Valid syntax the parser still refuses, e.g. a number too large for a double (found by fuzzing).
    std::string message = e.what();
    if (auto bracket = message.find("] "); bracket != std::string::npos)
      message = message.substr(bracket + 2);
    return make_error(source + ": malformed JSON: " + message);
  }
}

Result<std::string> read_input_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": cannot read: " + std::strerror(errno));
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return make_error(path + ": cannot read: " + std::strerror(errno));
  return content.str();
}

}  // namespace seccheck::analysis
