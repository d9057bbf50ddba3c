// One frame of a call-site stack, as the tracer unwinds it and reports print it.
#pragma once

#include <cstdint>
#include <string>

namespace seccheck {

struct StackFrame {
  std::uint64_t pc = 0;
  std::string binary;        // path of the mapping that holds pc, "" when unknown
  std::string function;      // the symbol whose extent holds pc, "" when none does
  std::uint64_t offset = 0;  // pc - symbol start; without a symbol, pc's address in the binary
  std::string source_file;   // from DWARF line info, "" when the binary (or its debug file) has none
  int source_line = 0;       // 0 when source_file is ""
};

}  // namespace seccheck
