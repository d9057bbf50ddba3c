#include "scan/wrapper_table.h"

#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "core/error.h"
#include "core/syscall_table.h"

namespace seccheck::embedded {
std::string_view scan_wrappers_txt();
}

namespace seccheck::scan {

namespace {

std::optional<int> small_number(std::string_view text, int limit) {
  if (text.empty() || text.size() > 2) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value <= limit ? std::optional<int>(value) : std::nullopt;
}

}  // namespace

Result<WrapperTable> WrapperTable::parse(std::string_view text, std::string_view source) {
  WrapperTable table;
  std::istringstream lines{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    const auto fail = [&](const std::string& what) {
      return make_error(std::string(source) + ":" + std::to_string(number) + ": " + what);
    };
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    WrapperRow row;
    std::string syscall;
    if (!(words >> row.library >> row.function >> syscall)) return fail("expected LIBRARY FUNCTION SYSCALL");
    row.line = number;
    row.convention = row.library == "go" ? CallingConvention::kGo : CallingConvention::kC;
    const int max_argument = row.convention == CallingConvention::kGo ? 8 : 5;
    if (syscall[0] == '@') {
      const auto n = small_number(std::string_view(syscall).substr(1), max_argument);
      if (!n) return fail("bad number argument \"" + syscall + "\"");
      row.number_argument = *n;
    } else {
      if (!syscall_number(Arch::kX86_64, syscall))
        return fail("\"" + syscall + "\" is not an x86_64 syscall");
      row.syscall = syscall;
    }
    for (std::string mapping; words >> mapping;) {
      const auto eq = mapping.find('=');
      const auto to = eq == std::string::npos ? std::nullopt : small_number(mapping.substr(0, eq), 5);
      if (to && mapping.compare(eq + 1, 1, "#") == 0) {
        const std::string value = mapping.substr(eq + 2);
        char* end = nullptr;
        errno = 0;
        const unsigned long long fixed = std::strtoull(value.c_str(), &end, 0);
        if (value.empty() || errno != 0 || *end != '\0') return fail("bad constant in \"" + mapping + "\"");
        if (row.argument_from[*to] != -1 || row.fixed_args[*to])
          return fail("syscall argument " + std::to_string(*to) + " mapped twice");
        row.fixed_args[*to] = fixed;
        continue;
      }
      const auto from =
          eq == std::string::npos ? std::nullopt : small_number(mapping.substr(eq + 1), max_argument);
      if (!to || !from) return fail("bad argument mapping \"" + mapping + "\" (expected S=C)");
      if (row.argument_from[*to] != -1 || row.fixed_args[*to])
        return fail("syscall argument " + std::to_string(*to) + " mapped twice");
      row.argument_from[*to] = *from;
    }
    table.by_function_[row.function].push_back(table.rows_.size());
    table.rows_.push_back(std::move(row));
  }
  return table;
}

const WrapperTable& WrapperTable::builtin() {
  static const WrapperTable table = [] {
    auto parsed = parse(embedded::scan_wrappers_txt(), "scan/wrappers.txt");
    if (!parsed) throw UserError(ExitCode::kToolFailure, "built-in table: " + parsed.error().message);
    return std::move(*parsed);
  }();
  return table;
}

std::vector<const WrapperRow*> WrapperTable::rows_for(std::string_view function) const {
  std::vector<const WrapperRow*> out;
  if (auto it = by_function_.find(function); it != by_function_.end())
    for (std::size_t index : it->second)
      out.push_back(&rows_[index]);
  return out;
}

}  // namespace seccheck::scan
