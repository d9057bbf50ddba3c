// seccheck explain SYSCALL [--profile P]... [--arg N=VALUE]... [--arch A] [context options]
//
// Is SYSCALL allowed under each profile, and under which conditions: the verdict for the given
// arguments (exact, as the compiled filter decides) with its reason, then every rule of the
// profile that names the call, with its argument conditions and includes/excludes, and whether
// the context keeps it. Exit 0 when every profile allows the call, 1 when one blocks it, 2 for
// usage or input errors.
#include <array>
#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "analysis/explain.h"
#include "cli/commands.h"
#include "cli/context_options.h"
#include "cli/help_example.h"
#include "cli/report_output.h"
#include "cli/value_kind.h"
#include "core/error.h"
#include "core/number_format.h"
#include "core/syscall_table.h"
#include "report/profile_text.h"
#include "session/filters.h"

namespace seccheck::cli {
namespace {

struct ExplainOptions {
  std::string syscall;
  std::vector<std::string> profiles;
  std::vector<std::string> arg_values;
  std::string arch = "x86_64";
  ContextOptions context;
};

std::uint64_t parse_number(const std::string& text, const std::string& what) {
  if (text.empty() || text[0] == '-')
    throw UserError(ExitCode::kUsage, what + ": expected a non-negative number");
  errno = 0;
  char* end = nullptr;
  unsigned long long value = std::strtoull(text.c_str(), &end, 0);
  if (errno != 0 || end == text.c_str() || *end != '\0')
    throw UserError(ExitCode::kUsage,
                    what + ": \"" + text + "\" is not a number (decimal, 0x hex or 0 octal)");
  return value;
}

std::array<std::uint64_t, 6> parse_args(const std::vector<std::string>& values, std::vector<bool>& given) {
  std::array<std::uint64_t, 6> args{};
  given.assign(6, false);
  for (const std::string& item : values) {
    auto eq = item.find('=');
    if (eq == std::string::npos)
      throw UserError(ExitCode::kUsage, "--arg " + item + ": expected N=VALUE, e.g. --arg 0=40");
    std::uint64_t index = parse_number(item.substr(0, eq), "--arg " + item);
    if (index > 5) throw UserError(ExitCode::kUsage, "--arg " + item + ": argument index must be 0..5");
    args[index] = parse_number(item.substr(eq + 1), "--arg " + item);
    given[index] = true;
  }
  return args;
}

int resolve_syscall(const std::string& text, Arch arch) {
  if (auto nr = syscall_number(arch, text)) return *nr;
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos)
    return static_cast<int>(parse_number(text, "SYSCALL"));
  if (is_known_syscall(text))
    throw UserError(ExitCode::kUsage, "\"" + text + "\" is not a syscall on " + std::string(arch_name(arch)) +
                                          " (try another --arch)");
  throw UserError(ExitCode::kUsage, "unknown syscall \"" + text + "\" (give a name like clone, or a number)");
}

int run_explain(const ExplainOptions& options) {
  auto arch = parse_x86_arch(options.arch);
  if (!arch) throw UserError(ExitCode::kUsage, "--arch " + options.arch + ": expected x86_64, i386 or x32");
  const int nr = resolve_syscall(options.syscall, *arch);
  std::vector<bool> given;
  const std::array<std::uint64_t, 6> args = parse_args(options.arg_values, given);
  const analysis::Context context = make_context(options.context);
  const std::string name = syscall_display_name(*arch, nr);

  const analysis::ProfileSelection selected =
      session::select_profiles(options.profiles, context, diagnostics_for(0));

  std::string call = name;
  bool any_arg = false;
  for (int i = 0; i < 6; ++i) {
    if (!given[i]) continue;
    call += std::string(any_arg ? ", " : "(") + "arg" + std::to_string(i) + "=" + flag_value(args[i]);
    any_arg = true;
  }
  if (any_arg) call += ")";
  std::cout << call << " on " << arch_name(*arch) << " (" << analysis::describe(context) << ")\n";

  bool blocked = false;
  for (std::size_t i = 0; i < selected.profiles.size(); ++i) {
    const analysis::CallExplanation explanation =
        analysis::explain_call(selected.profiles[i], selected.resolved[i], *arch, nr, args);
    blocked |= explanation.verdict.blocked();
    report::print_call_explanation(std::cout, explanation, name);
  }
  return static_cast<int>(blocked ? ExitCode::kWouldBlock : ExitCode::kOk);
}

}  // namespace

Command register_explain_command(CLI::App& app) {
  auto options = std::make_shared<ExplainOptions>();
  CLI::App* sub = app.add_subcommand(
      "explain",
      "Is a syscall allowed under each profile, and under which conditions (exit 0 allowed, 1 blocked)");
  completes_as(sub->add_option("SYSCALL", options->syscall, "syscall name (or number on --arch)"),
               ValueKind::kSyscall)
      ->required();
  completes_as(
      sub->add_option(
          "--profile,-p", options->profiles,
          "catalog name (docker, docker@24.0, containerd, crio, podman, runtime-default) or profile file; "
          "repeatable (default: runtime-default)"),
      ValueKind::kProfile);
  completes_as(sub->add_option("--arg", options->arg_values,
                               "argument value N=VALUE (N 0..5; VALUE decimal or 0x hex); repeatable"),
               ValueKind::kNone);
  completes_as(
      sub->add_option("--arch", options->arch, "ABI of the call: x86_64, i386 or x32 (default x86_64)"),
      ValueKind::kNone);
  add_context_options(sub, options->context);
  set_example(sub, "seccheck explain clone --arg 0=0x10000000 --profile docker@24.0");
  return {sub, [options]() -> int { return run_explain(*options); }};
}

}  // namespace seccheck::cli
