// Each subcommand lives in its own file: it declares its options on a CLI11 subcommand and
// returns the action main runs after a successful parse. Actions return the process exit code
// and may throw seccheck::UserError for one-line user errors.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace seccheck::cli {

using CommandAction = std::function<int()>;

struct Command {
  CLI::App* app = nullptr;
  CommandAction action;
};

Command register_trace_command(CLI::App& app);
Command register_check_command(CLI::App& app);
Command register_diff_command(CLI::App& app);
Command register_profiles_command(CLI::App& app);
Command register_explain_command(CLI::App& app);
Command register_completion_command(CLI::App& app);
Command register_generate_command(CLI::App& app);
Command register_verify_command(CLI::App& app);
Command register_merge_command(CLI::App& app);
Command register_scan_command(CLI::App& app);
Command register_audit_command(CLI::App& app);

}  // namespace seccheck::cli
