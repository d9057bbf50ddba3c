// What calling a library function can make the kernel do: the data table scan/wrappers.txt
// (embedded at build time), parsed into rows. A row names a function, the syscall it makes (or
// the call argument that carries the syscall number, for syscall(2)-like functions) and which
// call arguments become which syscall arguments.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace seccheck::scan {

enum class CallingConvention { kC, kGo };

struct WrapperRow {
  std::string library;   // "libc.so.6", "libkeyutils.so.1", ... or "go"
  std::string function;  // "pthread_create"
  std::string syscall;   // "" for a number-taking function (number_argument >= 0)
  int number_argument = -1;
  // argument_from[S]: the call argument that becomes syscall argument S, -1 when unknown.
  std::array<int, 6> argument_from{-1, -1, -1, -1, -1, -1};
  // fixed_args[S]: the value the function itself always passes as syscall argument S (S=#VALUE).
  std::array<std::optional<std::uint64_t>, 6> fixed_args;
  CallingConvention convention = CallingConvention::kC;
  int line = 0;  // in the data file, for messages
};

class WrapperTable {
 public:
  // Errors name `source` and the line.
  static Result<WrapperTable> parse(std::string_view text, std::string_view source);
  // scan/wrappers.txt as built into seccheck.
  static const WrapperTable& builtin();

  const std::vector<WrapperRow>& rows() const { return rows_; }
  // Rows for `function` (any library), in file order; empty when the table has none.
  std::vector<const WrapperRow*> rows_for(std::string_view function) const;

 private:
  std::vector<WrapperRow> rows_;
  std::map<std::string, std::vector<std::size_t>, std::less<>> by_function_;
};

}  // namespace seccheck::scan
