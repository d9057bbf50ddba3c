// What an option's or positional's value is, declared next to the option itself, so the bash
// completion and the man page (cli/completion_command.cpp) never guess it from help text. An
// option with an IsMember validator needs no declaration: the validator lists its choices.
// Generating the completion fails for a value-taking option that declares neither, so a new
// option cannot ship without one.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

namespace seccheck::cli {

enum class ValueKind {
  kNone,        // a number, a name or text: nothing to complete
  kProfile,     // a catalog name or a profile file
  kCapability,  // CAP[,CAP]
  kSyscall,     // a syscall name
  kFile,        // a path
  kCommand,     // the workload after --
};

// Returns `option`, so it chains with CLI11's other modifiers.
CLI::Option* completes_as(CLI::Option* option, ValueKind kind);
std::optional<ValueKind> declared_value_kind(const CLI::Option* option);

}  // namespace seccheck::cli
