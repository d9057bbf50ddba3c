// The argument vector execve and posix_spawn take, for a command held as strings: one place that
// builds it, so every launcher passes the same null-terminated array.
#pragma once

#include <string>
#include <vector>

namespace seccheck {

// Pointers into `args` (which must outlive the result) followed by nullptr. execve's prototype
// takes char* const*, though it never writes through them.
inline std::vector<char*> exec_argv(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const std::string& arg : args)
    argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  return argv;
}

}  // namespace seccheck
