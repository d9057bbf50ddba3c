// One frame of a call-site stack, as the tracer unwinds it and reports print it.
#pragma once

#include <cstdint>
#include <string>

namespace seccheck {

struct StackFrame {
  std::uint64_t pc = 0;
  std::string binary;        // path of the mapping that holds pc, "" when unknown
  std::string function;      // symbol, "" when unknown
  std::uint64_t offset = 0;  // pc - symbol start (or pc - mapping start when no symbol)
};

}  // namespace seccheck
