// One real example per subcommand in `--help`, and a way to read it back so the man page and
// the tests use the same text the user sees. Every subcommand calls set_example() once.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace seccheck::cli {

// Appends "Example:\n  seccheck ..." to the footer of `sub`'s --help. `example` is a full
// command line; a missing leading "seccheck " is added. May be called more than once.
void set_example(CLI::App* sub, std::string example);

// The example command lines set on `app` (without the "Example:" heading), in order.
std::vector<std::string> examples_of(const CLI::App& app);

}  // namespace seccheck::cli
